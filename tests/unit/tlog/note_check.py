"""A second reading of C2SP signed-note and tlog-checkpoint for the tests, from a JWK.

Independent of hub.tlog.notes: it takes the key as the JWK the gateway publishes."""

from __future__ import annotations

import base64
import hashlib
import struct
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def checked_checkpoint(note: str, jwk: dict[str, Any]) -> tuple[str, int, bytes]:
    """(origin, size, root) of ``note`` once its signature by ``jwk``'s key checks."""
    assert (jwk["kty"], jwk["crv"]) == ("OKP", "Ed25519")
    raw = _b64url(jwk["x"])
    name = jwk["kid"].rsplit("+", 1)[0]
    body, blank, signatures = note.rpartition("\n\n")
    assert blank, "a signed note has a blank line before its signatures"
    text = body + "\n"
    wanted = hashlib.sha256(name.encode() + b"\n\x01" + raw).digest()[:4]
    for line in signatures.splitlines():
        assert line.startswith("\u2014 ")
        signer, blob = line[2:].rsplit(" ", 1)
        data = base64.b64decode(blob)
        if signer == name and data[:4] == wanted:
            Ed25519PublicKey.from_public_bytes(raw).verify(data[4:], text.encode())
            origin, size, root = text.splitlines()
            assert struct.unpack(">I", data[:4])[0] == int(jwk["kid"].rsplit("+", 1)[1], 16)
            return origin, int(size), base64.b64decode(root)
    raise AssertionError(f"no signature by {name}")
