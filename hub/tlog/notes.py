"""Checkpoints as C2SP signed notes (``tlog-checkpoint`` inside ``signed-note``).

A checkpoint's text is three lines: the log's origin, the tree size in decimal, and
the root hash in base64. The note is that text, a blank line, and one line per
signature: an em dash, the key name, and base64 of the 4-byte key id followed by the
Ed25519 signature of the text. The key id is the first four bytes of
``SHA-256(key name || 0x0A || 0x01 || public key)``. So Go's ``sumdb/note`` and the
transparency-log tools built on it read and check these notes as they are.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = 0x01
DASH = "\u2014 "


class NoteError(ValueError):
    """A note that is malformed, or whose signature does not check."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _valid_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def key_id(name: str, public: bytes) -> int:
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public).digest()
    return int(struct.unpack(">I", digest[:4])[0])


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def verifier_key(name: str, key: Ed25519PublicKey) -> str:
    """The ``name+hex(id)+base64(0x01 || key)`` form note tools take as a verifier key."""
    raw = public_bytes(key)
    return f"{name}+{key_id(name, raw):08x}+{_b64(bytes([ED25519]) + raw)}"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{_b64(self.root)}\n"


def sign(text: str, *, name: str, key: Ed25519PrivateKey) -> str:
    """``text`` as a signed note; it must be non-empty lines, each ending in a newline."""
    if not _valid_name(name):
        raise NoteError(f"a key name is non-empty, without spaces or '+': {name!r}")
    if not text.endswith("\n") or "\n\n" in text or any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("a note's text is lines that each end in a newline, none of them empty")
    signature = key.sign(text.encode())
    hint = struct.pack(">I", key_id(name, public_bytes(key.public_key())))
    return f"{text}\n{DASH}{name} {_b64(hint + signature)}\n"


def open_note(note: str, *, name: str, key: Ed25519PublicKey) -> str:
    """The text of ``note`` once the signature by ``name``'s ``key`` checks; NoteError if
    it is malformed, lacks that signature, or the signature fails."""
    text, sep, signatures = note.rpartition("\n\n")
    if not sep or not signatures.endswith("\n"):
        raise NoteError("not a signed note: no blank line before the signatures")
    text += "\n"
    wanted = key_id(name, public_bytes(key))
    for line in signatures[:-1].split("\n"):
        if not line.startswith(DASH):
            raise NoteError("a signature line starts with an em dash and a space")
        signer, _, encoded = line[len(DASH) :].rpartition(" ")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except ValueError:
            raise NoteError("a signature is not base64") from None
        if len(raw) < 5:
            raise NoteError("a signature is too short")
        if signer != name or struct.unpack(">I", raw[:4])[0] != wanted:
            continue  # another signer's (a witness's cosignature, say)
        try:
            key.verify(raw[4:], text.encode())
        except InvalidSignature:
            raise NoteError(f"the signature by {name} does not match the note") from None
        return text
    raise NoteError(f"the note carries no signature by {name} with key {wanted:08x}")


def parse_checkpoint(text: str) -> Checkpoint:
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError("a checkpoint is an origin, a size and a root hash, a line each")
    origin, size, root = lines[0], lines[1], lines[2]
    if not size.isdigit() or (size != "0" and size.startswith("0")):
        raise NoteError(f"a checkpoint's size is a decimal number: {size!r}")
    try:
        digest = base64.b64decode(root, validate=True)
    except ValueError:
        raise NoteError("a checkpoint's root hash is not base64") from None
    if len(digest) != 32:
        raise NoteError("a checkpoint's root hash is 32 bytes")
    return Checkpoint(origin, int(size), digest)
