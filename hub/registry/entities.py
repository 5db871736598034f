"""What the registry hands out: plain values, never ORM rows."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hub.registry.errors import invalid_version

LATEST = -1
VERSION_MAX = 2**31 - 1
#: What a subject (and a reference's name) may be: 1 to 255 characters, none a control
#: character or a line or paragraph separator (they would forge lines in logs). The same
#: pattern is what the OpenAPI document states, so both say exactly one thing.
SUBJECT_MAX = 255
NAME_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]{1," + str(SUBJECT_MAX) + "}$"
_NAME = re.compile(NAME_PATTERN)
_VERSION = re.compile(r"-1|[1-9][0-9]{0,9}|[Ll][Aa][Tt][Ee][Ss][Tt]")
#: The version a path may name, as the OpenAPI document states it.
VERSION_SCHEMA = {
    "anyOf": [
        {"type": "integer", "minimum": 1, "maximum": VERSION_MAX},
        {"type": "integer", "enum": [LATEST]},
        {"type": "string", "pattern": "^[Ll][Aa][Tt][Ee][Ss][Tt]$"},
    ],
    "description": "a version number, or `latest` (also -1) for the newest live one",
}


def is_name(text: object) -> bool:
    return isinstance(text, str) and _NAME.fullmatch(text) is not None


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
    """``latest`` (any case) or ``-1`` mean the newest live version; otherwise 1 to
    2^31-1, written plainly (no sign, spaces or leading zeros)."""
    if _VERSION.fullmatch(text) is None:
        raise invalid_version(text)
    if text.lower() == "latest":
        return LATEST
    number = int(text)
    if number == LATEST or 1 <= number <= VERSION_MAX:
        return number
    raise invalid_version(text)
