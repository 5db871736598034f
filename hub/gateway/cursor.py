"""Opaque paging cursors: where to continue reading a topic, per partition.

The cursor names its topic, so a cursor from one stream cannot page another; it is not
secret, since every position it can name is within a stream the caller may read anyway.
"""

from __future__ import annotations

import base64
import binascii

import orjson

from hub.errors import BadRequest

_VERSION = 1
# Kafka's own bounds: partitions are int32, offsets int64.
MAX_PARTITION = 2**31 - 1
MAX_OFFSET = 2**63 - 1


def encode_cursor(topic: str, positions: dict[int, int]) -> str:
    payload = {"v": _VERSION, "t": topic, "p": {str(p): o for p, o in sorted(positions.items())}}
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


def decode_cursor(cursor: str | None, topic: str) -> dict[int, int]:
    if not cursor:
        return {}
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = orjson.loads(raw)
        if payload.get("v") != _VERSION or payload.get("t") != topic:
            raise ValueError("cursor belongs to another stream or version")
        positions = {int(p): int(o) for p, o in payload["p"].items()}
    except (
        binascii.Error,
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        orjson.JSONDecodeError,
    ) as exc:
        raise BadRequest(f"cursor is not valid for this stream: {exc}") from None
    if any(not 0 <= p <= MAX_PARTITION or not 0 <= o <= MAX_OFFSET for p, o in positions.items()):
        raise BadRequest("cursor is not valid for this stream: a position is out of range")
    return positions
