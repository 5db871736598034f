"""Which rows are news, for a source exported whole at every poll (a workbook, a CSV
drop). The checkpoint keeps a digest per row key of what the row said when it was last
taken; only a row whose digest differs becomes a record. A row that cannot be mapped is
digested by what it holds, so it is dead-lettered once, not at every poll, until someone
changes it.

Each record's position is the whole table of digests as it stands once that record is
taken (a new dict per record, never changed afterwards): the SDK commits it with the
record's events, so a restart at any point re-takes exactly the rows not yet taken.
Keys the export no longer has are dropped; a row that comes back is news again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hub.connect import SourceRecord

log = logging.getLogger(__name__)

DIGESTS = "digests"

#: The key of the export as a whole, taken when none of its rows can be read.
WHOLE_FILE = "<file>"


@dataclass(frozen=True, slots=True)
class Row:
    """A row as read: its key (``None`` if it has no usable one), its digest, its ref
    and what its record carries."""

    key: str | None
    digest: str
    ref: str
    raw: Any


def digest(value: Any) -> str:
    """A short digest of JSON-able (or bytes) content; 64 bits tell one row's states apart."""
    if not isinstance(value, bytes):
        value = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False).encode()
    return hashlib.sha256(value).hexdigest()[:16]


def taken(position: Any) -> dict[str, str]:
    """The digests a checkpoint holds; none for ``None`` or a checkpoint of another shape."""
    if isinstance(position, Mapping) and isinstance(position.get(DIGESTS), Mapping):
        return {str(k): str(v) for k, v in position[DIGESTS].items()}
    return {}


def changed(rows: Sequence[Row], position: Any) -> Iterator[SourceRecord]:
    """The rows whose digest differs from the one taken, each with its checkpoint."""
    before = taken(position)
    keyed = list(_keyed(rows))
    kept = {key: before[key] for key, _, _ in keyed if key in before}
    for key, row, again in keyed:
        if kept.get(key) == row.digest:
            continue
        if again and row.key is not None:
            log.warning(
                "%s: %s is in the export more than once; each row is taken", row.ref, row.key
            )
        kept = {**kept, key: row.digest}
        yield SourceRecord(row.ref, row.raw, {DIGESTS: kept})


def whole_file(ref: str, raw: bytes, position: Any) -> SourceRecord | None:
    """The export as one record (when no row of it can be read), unless this very file
    was taken already. The rows' digests stay, so a file put right is not all news."""
    before = taken(position)
    found = digest(raw)
    if before.get(WHOLE_FILE) == found:
        return None
    return SourceRecord(ref, raw, {DIGESTS: {**before, WHOLE_FILE: found}})


def _keyed(rows: Sequence[Row]) -> Iterator[tuple[str, Row, bool]]:
    """Each row under a key of its own: its key, a digest for one without, and a count
    after the first for a key seen again (two rows for one hospital, an item listed
    twice for one warehouse)."""
    seen: dict[str, int] = {}
    for row in rows:
        key = row.key if row.key is not None else f"?{row.digest}"
        seen[key] = seen.get(key, 0) + 1
        again = seen[key] > 1
        yield (f"{key}#{seen[key]}" if again else key), row, again
