"""The monitoring platform's export as a log of readings: CSV files that only grow (one
file, or a folder of daily files read in name order), taken line by line from where the
checkpoint says the last one ended.

A checkpoint names a file, the byte offset after the last line taken and a digest of
the file's first bytes up to there (at most :data:`HEAD_BYTES`). A file whose start no
longer matches was replaced, not appended to, and is read again from its start (the
readings' event ids make the repeats the same events). The newest file's last line is
taken only once it ends with a newline, so a line still being written is not read half;
an older file is finished, and its last line is taken either way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: How much of a file's start tells a replaced file from one that grew.
HEAD_BYTES = 1024

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Line:
    """One reading's line: where it is, and the file's header line above it."""

    file: str
    number: int
    header: bytes
    text: bytes
    end: int
    head: str

    @property
    def ref(self) -> str:
        return f"{self.file}:{self.number}"

    @property
    def raw(self) -> bytes:
        """The header and the line: a CSV of one reading, as its record holds it."""
        header = self.header if self.header.endswith(b"\n") else self.header + b"\n"
        return header + self.text


def checkpoint(line: Line) -> dict[str, Any]:
    return {"file": line.file, "offset": line.end, "head": line.head}


def lines(source: Path, position: Any) -> Iterator[Line]:
    """The lines after ``position`` (``None``: every line of every file)."""
    folder = source.is_dir()
    paths = (
        sorted(p for p in source.iterdir() if p.suffix.lower() == ".csv") if folder else [source]
    )
    done = position if isinstance(position, Mapping) else {}
    for index, path in enumerate(paths):
        if folder and done.get("file") is not None and path.name < str(done["file"]):
            continue  # read to its end before
        data = path.read_bytes()
        start = 0
        if path.name == done.get("file"):
            offset = int(done.get("offset") or 0)
            if offset <= len(data) and _head(data, offset) == done.get("head"):
                start = offset
        yield from _lines(path.name, data, start, finished=index < len(paths) - 1)


def _lines(file: str, data: bytes, start: int, *, finished: bool) -> Iterator[Line]:
    end_of_header = data.find(b"\n") + 1
    if end_of_header == 0:
        return  # not even a whole header yet
    header = data[:end_of_header].removeprefix(_BOM)
    at = max(start, end_of_header)
    number = data.count(b"\n", 0, at) + 1
    while at < len(data):
        newline = data.find(b"\n", at)
        if newline < 0 and not finished:
            return
        end = len(data) if newline < 0 else newline + 1
        text = data[at:end]
        if text.strip():
            yield Line(file, number, header, text, end, _head(data, end))
        at, number = end, number + 1


def _head(data: bytes, offset: int) -> str:
    return hashlib.sha256(data[: min(offset, HEAD_BYTES)]).hexdigest()[:16]
