"""How `hub policy reload` finds the gateways: a status file per port, trusted only while
its process is the one that wrote it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson

from hub.cli.reload_gateways import running_gateways
from hub.gateway.policy_reload import status_path
from hub.gateway.processes import is_running, process_started


def write(var: Path, port: int, **status: object) -> Path:
    path = status_path(var, port)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps({"port": port, "sighup": True, **status}))
    return path


def dead_pid() -> int:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(child.stdout)


def test_only_live_gateways_that_listen_for_sighup_are_found(tmp_path: Path) -> None:
    me, started = os.getpid(), process_started(os.getpid())
    assert started is not None, "Linux: /proc gives a start time"
    live = write(tmp_path, 8001, pid=me, started=started)
    write(tmp_path, 8002, pid=me, started=started, sighup=False)  # served in a thread
    gone = write(tmp_path, 8003, pid=dead_pid(), started="1")
    recycled = write(tmp_path, 8004, pid=me, started="1")  # the pid, but not the process
    (tmp_path / "gateways" / "gateway-8005.json").write_text("{half a fi", encoding="utf-8")

    found = running_gateways(tmp_path)

    assert [path for path, _ in found] == [live]
    assert not gone.exists() and not recycled.exists(), "stale files are cleared"
    assert status_path(tmp_path, 8002).exists()


def test_a_process_is_known_by_its_pid_and_start() -> None:
    me = os.getpid()
    assert is_running(me, process_started(me))
    assert is_running(me, None), "where start times are unknown, the pid alone"
    assert not is_running(me, "1")
    assert not is_running(dead_pid(), None)
    assert running_gateways(Path("/nonexistent")) == []
