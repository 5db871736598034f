"""The meteorology connectors' shared mapping, and the folder one: every CAP file
dropped in a folder becomes a warning event.

Both connectors hand the parser the document's bytes untouched and let it refuse what
it must (size first, before any parsing); a record whose ``raw`` is text instead of
bytes is a note the reader left in place of a document it could not get (a feed
entry's 404), and is refused with that note.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from connectors.meteorology_cap.mapping import warnings_of
from connectors.meteorology_cap.parser import MAX_ALERT_BYTES, CapError, parse_cap
from hub.connect import Connector, Mapped, SourceRecord


class CapConnector(Connector):
    """What every CAP source shares: the stream, the size limit and the mapping."""

    stream = "meteorology.warning"

    def __init__(self, *, max_bytes: int = MAX_ALERT_BYTES) -> None:
        self.max_bytes = max_bytes

    def map(self, record: SourceRecord) -> Mapped:
        if not isinstance(record.raw, bytes):
            raise CapError("document", str(record.raw))
        return warnings_of(parse_cap(record.raw, max_bytes=self.max_bytes))


class CapWarningConnector(CapConnector):
    """Reads ``*.xml`` CAP 1.2 (or 1.1) alerts from ``folder``, in file-name order.

    The checkpoint is the name of the last file taken: a restart reads only the files
    whose names sort after it. Name files so that later alerts sort later (a timestamp
    first, as the senders' identifiers and these samples do); a file dropped in with a
    name before the checkpoint is not read.
    """

    name = "meteorology-cap"

    def __init__(self, folder: Path | str, *, max_bytes: int = MAX_ALERT_BYTES) -> None:
        super().__init__(max_bytes=max_bytes)
        self.folder = Path(folder)

    def read(self, position: Any) -> Iterator[SourceRecord]:
        if position is not None and not isinstance(position, str):
            raise ValueError(f"the checkpoint should be a file name, not {position!r}")
        for path in sorted(self.folder.glob("*.xml")):
            if position is not None and path.name <= position:
                continue
            with path.open("rb") as file:
                # One byte over the limit is enough for the parser to refuse it.
                data = file.read(self.max_bytes + 1)
            yield SourceRecord(path.name, data, position=path.name)
