"""A capacity export as text: its encoding worked out, its rows split with the text each
came from, so every record can carry its own row (and the header) rather than an index
into a file that the next drop overwrites."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

#: What a file that is not UTF-8 is taken to be: GB18030, a superset of GBK and GB2312,
#: which Excel on a Chinese Windows writes as plain "CSV".
FALLBACK = "gb18030"

_HIGH_BYTES = bytes(range(0x80, 0x100))


def check_encoding(encoding: str | None) -> str | None:
    """The encoding's codec name, or a ``ValueError`` now rather than at the first poll."""
    if encoding is None:
        return None
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}; for example utf-8 or gb18030") from None


def guess_encoding(data: bytes) -> str:
    """UTF-8, unless most of the file's non-ASCII bytes are not UTF-8.

    GBK text read as UTF-8 fails at nearly every Chinese character, while a UTF-8
    export with a broken byte or two is still UTF-8: taking it as GB18030 would garble
    every name in it, whereas as UTF-8 only the rows with the broken bytes are refused."""
    text = data.decode("utf-8", errors="surrogateescape")
    broken = sum(1 for ch in text if "\udc80" <= ch <= "\udcff")
    if not broken:
        return "utf-8"
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    return "utf-8" if broken * 10 < high else FALLBACK


def decode(data: bytes, encoding: str | None) -> str:
    """The file's text, without a byte-order mark.

    Bytes that are not text in the encoding are kept as lone surrogates
    (``surrogateescape``): they reject only the row that holds them, and encoding the
    text back gives them unchanged."""
    chosen = encoding or guess_encoding(data)
    return data.decode(chosen, errors="surrogateescape").removeprefix("\ufeff")


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    text: str
    fields: list[str]

    @property
    def blank(self) -> bool:
        return not any(field.strip() for field in self.fields)


def rows(text: str) -> Iterator[Row]:
    """Every row with the line it starts on and its text as written (a quoted field may
    span lines)."""
    taken: list[str] = []

    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            taken.append(line)
            yield line

    reader = csv.reader(lines())
    start = 1
    for fields in reader:
        yield Row(start, "".join(taken), fields)
        taken.clear()
        start = reader.line_num + 1


def one_row_file(header: Row, row: Row) -> bytes:
    """A row as a CSV of its own (the header, then the row) in UTF-8: what a record
    holds, so its dead letter can be opened and read whatever the export's encoding."""
    head = header.text if header.text.endswith(("\n", "\r")) else header.text + "\r\n"
    return (head + row.text).encode("utf-8", errors="surrogateescape")
