"""The per-grant keys of the ``hash`` mask, kept outside the policy files.

Each grant has its own HMAC key, so one agency can join its records on a hashed value
without seeing it, and two agencies cannot join theirs. Keys are files of 32 random
bytes (0600) named after the grant; in ``HUB_ENV=prod`` the hub never creates them.
"""

from __future__ import annotations

import threading
from pathlib import Path

from hub.keyfiles import KEY_BYTES, load_key
from hub.keyfiles import write_key as write_key_file
from hub.policy.model import Policy

__all__ = ["KEY_BYTES", "MaskKeys", "write_key"]


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
        return load_key(
            self._folder / f"{grant_id}.key",
            create=self._create,
            what=f"hash key for grant {grant_id}",
            advice="create it with `hub policy keygen`, then `hub policy reload`",
        )


def write_key(folder: Path, grant_id: str) -> bytes:
    return write_key_file(folder / f"{grant_id}.key")
