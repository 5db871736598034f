"""The Ed25519 key that signs audit checkpoints, and the public keys auditors check with.

The current key is ``checkpoint-key.pem`` (PKCS#8, 0600) in the audit key folder.
Keys retired by ``hub audit keygen --rotate`` stay beside it as
``retired-<id>.pub.pem`` so that old checkpoints still check; all are published.
"""

from __future__ import annotations

import base64
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)

from hub.errors import ConfigError
from hub.keyfiles import create_secret_file
from hub.tlog.notes import key_id, public_bytes, sign, verifier_key

KEY_FILE = "checkpoint-key.pem"


@dataclass(frozen=True, slots=True)
class CheckpointSigner:
    name: str
    key: Ed25519PrivateKey

    def sign(self, text: str) -> str:
        return sign(text, name=self.name, key=self.key)


def _write_private(path: Path, key: Ed25519PrivateKey) -> None:
    create_secret_file(path, key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))


def generate(folder: Path, *, name: str, rotate: bool = False) -> Ed25519PrivateKey:
    """A new checkpoint key; with ``rotate`` the current one is kept as retired."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / KEY_FILE
    if path.exists():
        if not rotate:
            raise ConfigError(f"{path} exists; pass --rotate to retire it for a new one")
        old = _load_private(path).public_key()
        retired = folder / f"retired-{key_id(name, public_bytes(old)):08x}.pub.pem"
        retired.write_bytes(old.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
        path.unlink()
    key = Ed25519PrivateKey.generate()
    _write_private(path, key)
    return key


def _load_private(path: Path) -> Ed25519PrivateKey:
    if path.stat().st_mode & 0o077:
        raise ConfigError(f"{path} is readable by others; chmod 600 it")
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path} is not a readable PEM private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"{path} is not an Ed25519 key")
    return key


def load_signer(folder: Path, *, name: str, create: bool) -> CheckpointSigner:
    """The checkpoint signer; the key is made if ``create`` (dev and tests), else explained."""
    path = folder / KEY_FILE
    if not path.exists():
        if not create:
            raise ConfigError(
                f"no checkpoint signing key at {path}; create one with `hub audit keygen` "
                "or point HUB_AUDIT_KEY_DIR at the folder that holds it"
            )
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Another process may make it first: then that one is the key.
        with contextlib.suppress(FileExistsError):
            _write_private(path, Ed25519PrivateKey.generate())
    return CheckpointSigner(name, _load_private(path))


def public_keys(folder: Path, signer: CheckpointSigner) -> list[Ed25519PublicKey]:
    """The current key first, then the retired ones."""
    keys = [signer.key.public_key()]
    for path in sorted(folder.glob("retired-*.pub.pem")):
        key = load_pem_public_key(path.read_bytes())
        if isinstance(key, Ed25519PublicKey):
            keys.append(key)
    return keys


def jwk_set(name: str, keys: list[Ed25519PublicKey]) -> dict[str, Any]:
    """The keys as a JWK Set (RFC 8037 OKP), each with its signed-note verifier key."""
    entries = []
    for index, key in enumerate(keys):
        raw = public_bytes(key)
        entries.append(
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode(),
                "kid": f"{name}+{key_id(name, raw):08x}",
                "use": "sig",
                "alg": "EdDSA",
                "vkey": verifier_key(name, key),
                "status": "current" if index == 0 else "retired",
            }
        )
    return {"keys": entries}
