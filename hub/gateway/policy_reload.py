"""Keeping the gateway's policy current without a restart.

Two triggers swap a new policy in (:class:`hub.policy.holder.PolicyHolder` keeps the old
one if the files do not load): a watch that polls ``policies/`` every
``HUB_POLICY_WATCH_S`` seconds (``hub dev`` turns it on), and SIGHUP, which
`hub policy reload` sends. After each attempt the gateway writes what is in force to
``var/gateway-policy.json``, which is how `hub policy reload` learns the outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path

import orjson

from hub.policy.holder import PolicyHolder, Reloaded

log = logging.getLogger(__name__)

PID_FILE = "gateway.pid"
STATUS_FILE = "gateway-policy.json"


class PolicyReloader:
    def __init__(self, holder: PolicyHolder, *, var_dir: Path, watch_s: float) -> None:
        self._holder = holder
        self._var_dir = var_dir
        self._watch_s = watch_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._signalled = False

    def start(self) -> None:
        self._var_dir.mkdir(parents=True, exist_ok=True)
        self._write_status(Reloaded(False, self._holder.current.version))
        if self._watch_s > 0:
            self._thread = threading.Thread(target=self._watch, name="policy-watch", daemon=True)
            self._thread.start()
        self._listen_for_sighup()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._signalled:
            with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
                asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
            with contextlib.suppress(FileNotFoundError):
                (self._var_dir / PID_FILE).unlink()

    def reload(self) -> Reloaded:
        outcome = self._holder.reload()
        self._write_status(outcome)
        return outcome

    def _watch(self) -> None:
        while not self._stop.wait(self._watch_s):
            try:
                outcome = self._holder.reload_if_changed()
            except Exception:
                log.exception("the policy watch failed; it goes on")
                continue
            if outcome is not None:
                self._write_status(outcome)

    def _listen_for_sighup(self) -> None:
        """Only a gateway serving in the main thread owns the process's signals."""
        if threading.current_thread() is not threading.main_thread():
            return
        try:
            loop = asyncio.get_running_loop()
            loop.add_signal_handler(signal.SIGHUP, self._on_sighup, loop)
        except (RuntimeError, NotImplementedError, ValueError):
            return
        self._signalled = True
        (self._var_dir / PID_FILE).write_text(str(os.getpid()), encoding="utf-8")

    def _on_sighup(self, loop: asyncio.AbstractEventLoop) -> None:
        loop.run_in_executor(None, self.reload)

    def _write_status(self, outcome: Reloaded) -> None:
        status = {
            "version": self._holder.current.version,
            "attempted": outcome.version if outcome.error else self._holder.current.version,
            "error": outcome.error,
            "at": datetime.now(UTC).isoformat(),
        }
        path = self._var_dir / STATUS_FILE
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(orjson.dumps(status))
        temporary.replace(path)
