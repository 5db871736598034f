"""The canonical bytes of an audit row: what the chain and the Merkle tree hash.

Anyone holding an export of the rows must be able to recompute every hash without the
hub's code, so the form is plain and fixed (version 1): a JSON object of exactly
:data:`FIELDS`, keys sorted, no whitespace, UTF-8; absent values are ``null``; ``at``
is UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``; ``masked`` is the comma-separated list as
stored. Changing any of this is a new version, never an edit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
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


def timestamp(value: datetime) -> str:
    """UTC to the microsecond; a naive time (SQLite hands them back so) is UTC."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(row: Mapping[str, Any]) -> bytes:
    """The row's canonical bytes; ``row`` maps each of :data:`FIELDS` to its stored value."""
    body: dict[str, Any] = {"v": VERSION}
    for name in FIELDS:
        body[name] = row.get(name)
    body["at"] = timestamp(row["at"])
    body["review_required"] = bool(body["review_required"])
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


def chain_hash(leaf: bytes, previous: bytes) -> bytes:
    """``SHA-256(canonical row || previous row's hash)``."""
    return hashlib.sha256(leaf + previous).digest()
