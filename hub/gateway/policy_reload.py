"""Keeping the gateway's policy current without a restart.

Two triggers swap a new policy in (:class:`hub.policy.holder.PolicyHolder` keeps the old
one if the files do not load): a watch that polls ``policies/`` every
``HUB_POLICY_WATCH_S`` seconds (``hub dev`` turns it on), and SIGHUP, which
`hub policy reload` sends. Each gateway keeps ``var/gateways/gateway-<port>.json``
current: its process (id and start time, so a recycled pid is never signalled), whether
it listens for SIGHUP, and the outcome of its last policy load. That file is how
`hub policy reload` finds the gateways and learns what each did.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path

import orjson

from hub.gateway.processes import process_started
from hub.policy.holder import PolicyHolder, Reloaded

log = logging.getLogger(__name__)

GATEWAYS_DIR = "gateways"


def status_path(var_dir: Path, port: int) -> Path:
    return var_dir / GATEWAYS_DIR / f"gateway-{port}.json"


class PolicyReloader:
    def __init__(self, holder: PolicyHolder, *, var_dir: Path, port: int, watch_s: float) -> None:
        self._holder = holder
        self._path = status_path(var_dir, port)
        self._port = port
        self._watch_s = watch_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._signalled = False
        self._write_lock = threading.Lock()

    def start(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._signalled = self._listen_for_sighup()
        self._write_status(Reloaded(False, self._holder.current.version))
        if self._watch_s > 0:
            self._thread = threading.Thread(target=self._watch, name="policy-watch", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._signalled:
            with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
                asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        with contextlib.suppress(FileNotFoundError):
            self._path.unlink()

    def reload(self) -> Reloaded:
        outcome = self._holder.reload()
        self._write_status(outcome)
        return outcome

    def _watch(self) -> None:
        while not self._stop.wait(self._watch_s):
            try:
                outcome = self._holder.reload_if_changed()
                if outcome is not None:
                    self._write_status(outcome)
            except Exception:
                log.exception("the policy watch failed; it goes on")

    def _listen_for_sighup(self) -> bool:
        """Only a gateway serving in the main thread owns the process's signals."""
        if threading.current_thread() is not threading.main_thread():
            return False
        try:
            loop = asyncio.get_running_loop()
            loop.add_signal_handler(signal.SIGHUP, self._on_sighup, loop)
        except (RuntimeError, NotImplementedError, ValueError):
            return False
        return True

    def _on_sighup(self, loop: asyncio.AbstractEventLoop) -> None:
        loop.run_in_executor(None, self.reload)

    def _write_status(self, outcome: Reloaded) -> None:
        """Written whole through a temporary file, so a reader never sees half of one; a
        full or read-only disk costs the report, never the gateway or its watch."""
        pid = os.getpid()
        status = {
            "pid": pid,
            "started": process_started(pid),
            "port": self._port,
            "sighup": self._signalled,
            "version": self._holder.current.version,
            "attempted": outcome.version if outcome.error else self._holder.current.version,
            "error": outcome.error,
            "at": datetime.now(UTC).isoformat(),
        }
        try:
            with self._write_lock:
                fd, temporary = tempfile.mkstemp(dir=self._path.parent, suffix=".tmp")
                try:
                    with os.fdopen(fd, "wb") as handle:
                        handle.write(orjson.dumps(status))
                    os.replace(temporary, self._path)
                except BaseException:
                    with contextlib.suppress(OSError):
                        os.unlink(temporary)
                    raise
        except OSError as exc:
            log.error("cannot write the gateway's policy status to %s: %s", self._path, exc)
