"""What the registry hands out: plain values, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass

from hub.registry.errors import invalid_version

LATEST = -1


@dataclass(frozen=True, slots=True)
class StoredSchema:
    schema_id: int
    text: str
    schema_type: str


@dataclass(frozen=True, slots=True)
class SubjectSchema:
    subject: str
    version: int
    schema_id: int
    text: str
    schema_type: str
    deleted: bool = False


def parse_version(text: str) -> int:
    """``latest`` or ``-1`` mean the newest live version; otherwise 1 to 2^31-1."""
    cleaned = text.strip()
    if cleaned.lower() == "latest":
        return LATEST
    try:
        number = int(cleaned)
    except ValueError:
        raise invalid_version(text) from None
    if number == LATEST or 1 <= number <= 2**31 - 1:
        return number
    raise invalid_version(text)
