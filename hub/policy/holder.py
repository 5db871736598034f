"""The policy in force, swapped whole when the files change; a bad file changes nothing.

Requests read :attr:`PolicyHolder.current` once and decide with that one object, so a
reload in the middle of a request cannot mix two policies. Decisions and compiled
plans name the policy's version, so the audit log says which files were in force.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hub.errors import ConfigError
from hub.policy.loader import load_policy, policy_files
from hub.policy.model import Policy

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Reloaded:
    changed: bool
    version: str
    error: str | None = None


class PolicyHolder:
    """``check`` vets a policy before it goes into force (that every hash mask has its
    key, say); a ConfigError from it keeps the old policy, as a bad file does."""

    def __init__(
        self,
        folder: Path,
        policy: Policy | None = None,
        *,
        check: Callable[[Policy], None] | None = None,
    ) -> None:
        self._folder = folder
        self._check = check or (lambda _policy: None)
        self._stamp = _stamp(folder)
        self._policy = policy or load_policy(folder)
        self._check(self._policy)
        self._lock = threading.Lock()

    @property
    def current(self) -> Policy:
        return self._policy

    def reload(self) -> Reloaded:
        """Load the files again; keep the policy in force if they do not load."""
        with self._lock:
            # Stamped before reading: a file edited while it is read moves the stamp
            # again, so the watch loads once more rather than missing the edit.
            stamp = _stamp(self._folder)
            try:
                fresh = load_policy(self._folder)
                self._check(fresh)
            except ConfigError as exc:
                self._stamp = stamp
                log.error("policy not reloaded, %s stays in force: %s", self._policy.version, exc)
                return Reloaded(False, self._policy.version, exc.message)
            self._stamp = stamp
            changed = fresh.version != self._policy.version
            self._policy = fresh
        if changed:
            log.info("policy %s is in force", fresh.version)
        return Reloaded(changed, fresh.version)

    def reload_if_changed(self) -> Reloaded | None:
        """For the file watch: reload only when a file's size or time has moved."""
        if _stamp(self._folder) == self._stamp:
            return None
        return self.reload()


def _stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    try:
        return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in policy_files(folder))
    except OSError:
        return ()
