"""Telling a live process from a recycled process id, for the files that name one."""

from __future__ import annotations

import os
from pathlib import Path


def process_started(pid: int) -> str | None:
    """When ``pid`` started, in clock ticks since boot (Linux); None where unknown.

    A pid is reused once its process exits, so a file naming a pid also names the start:
    the two together identify one process for as long as the machine runs.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces; count after it.
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def is_running(pid: int, started: str | None) -> bool:
    """True when ``pid`` is alive and, where start times are known, is the same process."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, but another user's: the start time decides
    if started is None:
        return True
    return process_started(pid) == started
