"""The per-grant keys of the ``hash`` mask, kept outside the policy files.

Each grant has its own HMAC key, so one agency can join its records on a hashed value
without seeing it, and two agencies cannot join theirs. Keys are files of 32 random
bytes (0600) named after the grant; in ``HUB_ENV=prod`` the hub never creates them.
"""

from __future__ import annotations

import os
import secrets
import threading
from pathlib import Path

from hub.errors import ConfigError
from hub.policy.model import Policy

KEY_BYTES = 32


class MaskKeys:
    def __init__(self, folder: Path, *, create: bool) -> None:
        self._folder = folder
        self._create = create
        self._keys: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def ensure(self, policy: Policy) -> None:
        """Every grant that hashes has its key, checked when a policy is loaded rather
        than failing the first read that needs one."""
        for grant in policy.grants:
            if any(mask.method == "hash" for mask in grant.masks):
                self.key(grant.id)

    def key(self, grant_id: str) -> bytes:
        with self._lock:
            found = self._keys.get(grant_id)
            if found is None:
                found = self._keys[grant_id] = self._load(grant_id)
            return found

    def _load(self, grant_id: str) -> bytes:
        path = self._folder / f"{grant_id}.key"
        if path.exists():
            return _read_key(path)
        if not self._create:
            raise ConfigError(
                f"no hash key for grant {grant_id} at {path}; create it with "
                "`hub policy keygen`, then `hub policy reload`"
            )
        try:
            return write_key(self._folder, grant_id)
        except FileExistsError:
            return _read_key(path)  # another process made it first: that one is the key


def _read_key(path: Path) -> bytes:
    """A key others on the machine can read is no secret: refused, not used."""
    if path.stat().st_mode & 0o077:
        raise ConfigError(f"{path} is readable by others; chmod 600 it (or make a new key)")
    data = path.read_bytes()
    if len(data) != KEY_BYTES:
        raise ConfigError(f"{path} must hold {KEY_BYTES} bytes")
    return data


def write_key(folder: Path, grant_id: str) -> bytes:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = secrets.token_bytes(KEY_BYTES)
    fd = os.open(folder / f"{grant_id}.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return data
