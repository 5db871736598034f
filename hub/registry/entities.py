"""What the registry hands out: plain values, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass

from hub.registry.errors import invalid_version

LATEST = -1


@dataclass(frozen=True, slots=True)
class Reference:
    """A named type taken from another subject's version; ``name`` is its Avro full name.

    ``version`` may be ``LATEST`` in a request; stored references name a concrete one.
    """

    name: str
    subject: str
    version: int

    def as_tuple(self) -> tuple[str, str, int]:
        return (self.name, self.subject, self.version)


@dataclass(frozen=True, slots=True)
class SubmittedSchema:
    """A schema as a client sends it to register, look up or check: text, type, references."""

    text: str
    schema_type: str = "AVRO"
    references: tuple[Reference, ...] = ()


@dataclass(frozen=True, slots=True)
class StoredSchema:
    schema_id: int
    text: str
    schema_type: str
    references: tuple[Reference, ...] = ()


@dataclass(frozen=True, slots=True)
class SubjectSchema:
    subject: str
    version: int
    schema_id: int
    text: str
    schema_type: str
    deleted: bool = False
    references: tuple[Reference, ...] = ()


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
