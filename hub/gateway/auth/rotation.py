"""Token-signing key rotation without a moment when a valid token is refused.

Replicas load their keys at start, so a rotation is two rolling restarts:

1. ``hub token keygen --next`` writes the next key beside the current one. Restarted
   replicas publish it in the JWKS and accept tokens it signs, but still sign with the
   current key: every replica, restarted or not, accepts every token issued.
2. ``hub token keygen --promote`` makes the next key current and keeps the old one's
   public half as ``retired-<kid>.jwk.json``. Restarted replicas sign with the new key
   and still accept the old one's tokens, which the replicas not yet restarted go on
   issuing, since step 1 taught them the new key.

A retired key can be deleted once the last token it signed has expired
(``auth.token_ttl_s`` after every replica restarted).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from hub.errors import ConfigError
from hub.gateway.auth.keys import KEY_FILE, generate_key, load_key, read_private

NEXT_FILE = "next-signing-key.jwk.json"
RETIRED_GLOB = "retired-*.jwk.json"


@dataclass(frozen=True, slots=True)
class TokenKeys:
    """The key tokens are signed with, and every key a token may be checked with."""

    signing: RSAKey
    accepted: list[RSAKey]

    def verifying(self) -> KeySet:
        return KeySet([self.signing, *self.accepted])

    def jwks(self) -> dict[str, Any]:
        """The JWKS document: public parts only, the signing key first."""
        return {"keys": [key.as_dict(private=False) for key in (self.signing, *self.accepted)]}


def load_token_keys(key_dir: Path, *, create: bool) -> TokenKeys:
    signing = load_key(key_dir, create=create)
    accepted = []
    next_path = key_dir / NEXT_FILE
    if next_path.exists():
        accepted.append(read_private(next_path))
    for path in sorted(key_dir.glob(RETIRED_GLOB)):
        accepted.append(_read_public(path))
    return TokenKeys(signing, [k for k in accepted if k.kid != signing.kid])


def make_next(key_dir: Path) -> RSAKey:
    """Step 1: the next key, accepted and published but not yet signing."""
    path = key_dir / NEXT_FILE
    if path.exists():
        raise ConfigError(f"{path} exists; promote it with `hub token keygen --promote` first")
    if not (key_dir / KEY_FILE).exists():
        raise ConfigError(f"no signing key in {key_dir} to rotate; run `hub token keygen`")
    return generate_key(key_dir, name=NEXT_FILE)


def promote(key_dir: Path) -> tuple[RSAKey, RSAKey]:
    """Step 2: the next key signs; the old one is kept public, accepted until removed.
    Returns (retired, now signing)."""
    next_path = key_dir / NEXT_FILE
    if not next_path.exists():
        raise ConfigError(
            f"no next key in {key_dir}: run `hub token keygen --next`, restart every "
            "replica, then promote"
        )
    current = load_key(key_dir, create=False)
    incoming = read_private(next_path)
    retired = key_dir / f"retired-{current.kid}.jwk.json"
    retired.write_text(json.dumps(current.as_dict(private=False)), encoding="utf-8")
    current_path = key_dir / KEY_FILE
    # The next key's file becomes the current one in a single rename: a replica that
    # starts meanwhile reads one whole key or the other.
    next_path.replace(current_path)
    return current, incoming


def _read_public(path: Path) -> RSAKey:
    try:
        key = RSAKey.import_key(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, JoseError) as exc:
        raise ConfigError(f"{path} is not a readable RSA public JWK: {exc}") from exc
    return key
