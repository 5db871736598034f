"""The gateway's token-signing key, kept as a private JWK file in the key directory.

The key is asymmetric (RS256, the algorithm every RFC 9068 resource server must
accept), so anyone can check our tokens from the published JWKS without a secret.
"""

from __future__ import annotations

import contextlib
import json
import logging
from pathlib import Path
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from hub.errors import ConfigError
from hub.keyfiles import create_secret_file

log = logging.getLogger(__name__)

ALGORITHM = "RS256"
KEY_FILE = "signing-key.jwk.json"


def generate_key(key_dir: Path, *, replace: bool = False, name: str = KEY_FILE) -> RSAKey:
    """A new signing key in ``key_dir`` (as ``name``: the rotation's next key has its
    own); raises ``FileExistsError`` if one is there, unless ``replace``."""
    key = RSAKey.generate_key(2048, parameters={"alg": ALGORITHM, "use": "sig"}, auto_kid=True)
    path = key_dir / name
    if replace:
        path.unlink(missing_ok=True)
    # 0600 from the start, and whole: a replica starting beside this one reads either
    # no key or this one, never a part of it.
    create_secret_file(path, json.dumps(key.as_dict(private=True)).encode())
    log.info("generated signing key %s in %s", key.kid, path)
    return key


def load_key(key_dir: Path, *, create: bool) -> RSAKey:
    """Load the signing key; create it if allowed (dev and tests), else explain how."""
    path = key_dir / KEY_FILE
    if not path.exists():
        if create:
            with contextlib.suppress(FileExistsError):  # another replica made it first
                return generate_key(key_dir)
            return load_key(key_dir, create=False)
        raise ConfigError(
            f"no signing key at {path}; create one with `hub token keygen` "
            "or point HUB_AUTH_KEY_DIR at the folder that holds it"
        )
    return read_private(path)


def read_private(path: Path) -> RSAKey:
    """A private RSA JWK file, or a ConfigError saying what is wrong with it."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        key = RSAKey.import_key(data)
    except (OSError, ValueError, JoseError) as exc:
        raise ConfigError(f"{path} is not a readable RSA private JWK: {exc}") from exc
    if not key.is_private:
        raise ConfigError(f"{path} holds a public key; the gateway needs the private key")
    return key


def signing_keys(key: RSAKey) -> KeySet:
    return KeySet([key])
