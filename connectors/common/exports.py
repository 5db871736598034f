"""The latest export of a file drop. A department's system writes its export over the
last one, or beside it in a folder under a dated name (the last by name is the newest);
either way it is read whole, and one caught while it is being written is left for the
next poll rather than taken half-written.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


def latest_export(
    source: Path, *, suffix: str, passed_over: Callable[[Path], bool] = lambda path: False
) -> tuple[Path, bytes] | None:
    """The export's path and bytes; ``None`` while it is being written (it is read at
    the next poll) or when a folder holds none yet.

    Args:
        source: The export file, or a folder of exports.
        suffix: What an export's name ends with in a folder (``.csv``), in any case.
        passed_over: Files of a folder that end so but are not exports (an editor's
            lock file).
    """
    path = source
    if path.is_dir():
        exports = sorted(
            p for p in path.iterdir() if p.suffix.lower() == suffix and not passed_over(p)
        )
        if not exports:
            return None
        path = exports[-1]
    before = path.stat()
    data = path.read_bytes()
    if not _stood_still(before, path.stat(), len(data)):
        log.info("%s is being written; it is read at the next poll", path)
        return None
    return path, data


def _stood_still(before: os.stat_result, after: os.stat_result, size: int) -> bool:
    """Whether a file was left alone while it was read: same time and size after as
    before, and all of it read."""
    return before.st_mtime_ns == after.st_mtime_ns and before.st_size == after.st_size == size
