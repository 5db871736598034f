"""The meteorology connector: every CAP file dropped in a folder becomes a warning event."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from connectors.meteorology_cap.mapping import to_warning
from connectors.meteorology_cap.parser import parse_cap
from hub.connect import Connector, SourceRecord

MAX_FILE_BYTES = 1024 * 1024


class CapWarningConnector(Connector):
    """Reads ``*.xml`` CAP 1.2 (or 1.1) alerts from ``folder``, oldest file name first."""

    name = "meteorology-cap"
    stream = "meteorology.warning"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def read(self, position: Any) -> Iterator[SourceRecord]:
        for path in sorted(self.folder.glob("*.xml")):
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                yield SourceRecord(path.name, f"<{size} bytes: larger than {MAX_FILE_BYTES}>")
                continue
            yield SourceRecord(path.name, path.read_bytes())

    def map(self, record: SourceRecord) -> Mapping[str, Any]:
        if not isinstance(record.raw, bytes):
            raise ValueError(f"{record.ref}: {record.raw}")
        return to_warning(parse_cap(record.raw))
