"""The canonical bytes of an audit row: what the chain and the Merkle tree hash.

Anyone holding an export of the rows must be able to recompute every hash without the
hub's code, so the form is plain and fixed (version 1): a JSON object of exactly
:data:`FIELDS`, keys sorted, no whitespace, UTF-8; absent values are ``null``; ``at``
is UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``; ``masked`` is the comma-separated list as
stored. Changing any of this is a new version, never an edit.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

VERSION = 1
#: Every field a row's hash covers, as named in the canonical object.
FIELDS = (
    "seq",
    "at",
    "request_id",
    "trace_id",
    "client_id",
    "agency",
    "action",
    "resource",
    "stream",
    "purpose",
    "grant_id",
    "policy_version",
    "decision",
    "reason",
    "masked",
    "records",
    "status",
    "emergency_id",
    "review_required",
)
#: The chain's start: the "previous hash" of row 0.
GENESIS = bytes(32)


#: The fields in sorted order ("v", the version, sorts after all of them), so the object
#: is built in key order and needs no sort.
_SORTED = tuple(sorted(FIELDS))
SORTED_FIELDS = _SORTED
_SEQ_AT = _SORTED.index("seq")
_all = operator.itemgetter(*_SORTED)
_others = operator.itemgetter(*(name for name in _SORTED if name != "seq"))
#: A stand-in for the seq while the rest is encoded: no stored value can hold it.
_SEQ_MARK = -(2**62) + 7
_SPLIT = b'"seq":' + str(_SEQ_MARK).encode()
if max(_SORTED) >= "v":
    raise RuntimeError("the canonical form's key order changed")


def timestamp(value: datetime | str) -> str:
    """UTC to the microsecond; a naive time (SQLite hands them back so) is UTC. Text is
    a time as SQLite stores it (``2026-12-01 15:23:03.384125``, UTC), which verification
    reads without parsing it first."""
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " ":
            return value[:10] + "T" + value[11:] + "Z"
        value = datetime.fromisoformat(value)
    text = value.isoformat(timespec="microseconds")
    if len(text) == 26:  # naive: taken as UTC
        return text + "Z"
    if text.endswith("+00:00"):
        return text[:26] + "Z"
    return value.astimezone(UTC).isoformat(timespec="microseconds")[:26] + "Z"


def canonical_parts(row: Mapping[str, Any]) -> tuple[bytes, bytes]:
    """The canonical bytes before and after the seq's digits: all of a row's hashing
    that needs no seq, done by the request before its row joins the writer's queue."""
    values = list(_others(row))
    values.insert(_SEQ_AT, _SEQ_MARK)
    body = dict(zip(_SORTED, values, strict=True))
    body["at"] = timestamp(body["at"])
    body["review_required"] = bool(body["review_required"])
    body["v"] = VERSION
    before, after = orjson.dumps(body).split(_SPLIT)
    return before + b'"seq":', after


def canonical(row: Mapping[str, Any]) -> bytes:
    """The row's canonical bytes; ``row`` maps each of :data:`FIELDS` to its stored value."""
    return canonical_values(_all(row))


def canonical_values(values: Sequence[Any]) -> bytes:
    """The canonical bytes of a row given as its values in :data:`SORTED_FIELDS` order:
    what verification reads straight off a query, with no mapping per row."""
    body = dict(zip(_SORTED, values, strict=True))
    body["at"] = timestamp(body["at"])
    body["review_required"] = bool(body["review_required"])
    body["v"] = VERSION
    return orjson.dumps(body)


def chain_hash(leaf: bytes, previous: bytes) -> bytes:
    """``SHA-256(canonical row || previous row's hash)``."""
    return hashlib.sha256(leaf + previous).digest()
