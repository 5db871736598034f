"""Symmetric keys kept as files of random bytes (0600), outside anything checked in.

The mask keys of the policy and the gateway's cursor key are such files. A key that
others on the machine can read is no secret: it is refused, not used.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from hub.errors import ConfigError

KEY_BYTES = 32


def read_key(path: Path) -> bytes:
    if path.stat().st_mode & 0o077:
        raise ConfigError(f"{path} is readable by others; chmod 600 it (or make a new key)")
    data = path.read_bytes()
    if len(data) != KEY_BYTES:
        raise ConfigError(f"{path} must hold {KEY_BYTES} bytes")
    return data


def create_secret_file(path: Path, data: bytes) -> None:
    """Write ``data`` to a new 0600 file at ``path``, whole or not at all; raises
    ``FileExistsError`` rather than replace one.

    Replicas started together on one key folder race to make its keys: the file appears
    under its name only once written (a hard link of a finished private file), so the
    loser reads the winner's whole key, never an empty or half-written one.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(6)}.draft")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(draft, path)
    finally:
        draft.unlink()


def write_key(path: Path) -> bytes:
    """A new key at ``path``; raises ``FileExistsError`` rather than replace one."""
    data = secrets.token_bytes(KEY_BYTES)
    create_secret_file(path, data)
    return data


def load_key(path: Path, *, create: bool, what: str, advice: str) -> bytes:
    """The key at ``path``, made there if ``create`` (dev, tests); else the error names
    ``what`` is missing and gives ``advice``."""
    if path.exists():
        return read_key(path)
    if not create:
        raise ConfigError(f"no {what} at {path}; {advice}")
    try:
        return write_key(path)
    except FileExistsError:
        return read_key(path)  # another process made it first: that one is the key
