"""`hub policy reload`'s work: find the gateways running from this folder, signal each,
and wait for each to say what it did."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from hub.gateway.policy_reload import GATEWAYS_DIR
from hub.gateway.processes import is_running


@dataclass(frozen=True, slots=True)
class Outcome:
    port: int
    version: str | None = None
    error: str | None = None


def running_gateways(var_dir: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The status files of live gateways that listen for SIGHUP. A file left by a gateway
    that died is removed, and a pid now held by another process is never signalled."""
    found = []
    for path in sorted((var_dir / GATEWAYS_DIR).glob("gateway-*.json")):
        status = _status(path)
        if status is None:
            continue
        if not is_running(int(status.get("pid", 0)), status.get("started")):
            with contextlib.suppress(OSError):
                path.unlink()
            continue
        if status.get("sighup"):
            found.append((path, status))
    return found


def reload_all(gateways: list[tuple[Path, dict[str, Any]]], *, wait_s: float) -> list[Outcome]:
    waiting: dict[Path, tuple[int, str]] = {}
    outcomes = []
    for path, status in gateways:
        port = int(status.get("port", 0))
        try:
            os.kill(int(status["pid"]), signal.SIGHUP)
        except (ProcessLookupError, PermissionError) as exc:
            outcomes.append(Outcome(port, error=f"cannot signal it: {exc}"))
            continue
        waiting[path] = (port, str(status.get("at")))
    deadline = time.monotonic() + wait_s
    while waiting and time.monotonic() < deadline:
        for path, (port, before) in list(waiting.items()):
            answer = _status(path)
            if answer is not None and str(answer.get("at")) != before:
                outcomes.append(Outcome(port, str(answer.get("version")), answer.get("error")))
                del waiting[path]
        if waiting:
            time.sleep(0.1)
    for port, _ in waiting.values():
        outcomes.append(Outcome(port, error=f"did not answer within {wait_s:g}s"))
    return sorted(outcomes, key=lambda o: o.port)


def _status(path: Path) -> dict[str, Any] | None:
    try:
        status = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    return status if isinstance(status, dict) else None
