"""Confluent wire framing and subject naming, as plain functions.

A framed record is ``0x00`` (magic byte), a 4-byte big-endian schema id, then the Avro
body. Any Kafka tool with a schema registry can read it, and the hub's registry speaks
the same REST API, so the ids resolve there too.
"""

from __future__ import annotations

import struct

from hub.errors import InvalidFrame

MAGIC = 0
HEADER = struct.Struct(">bI")
HEADER_SIZE = HEADER.size


def frame_header(schema_id: int) -> bytes:
    return HEADER.pack(MAGIC, schema_id)


def frame(schema_id: int, body: bytes) -> bytes:
    return HEADER.pack(MAGIC, schema_id) + body


def unframe(data: bytes) -> tuple[int, memoryview]:
    """Split a framed record into its schema id and Avro body."""
    if len(data) < HEADER_SIZE:
        raise InvalidFrame(f"record of {len(data)} bytes is shorter than the 5-byte header")
    magic, schema_id = HEADER.unpack_from(data)
    if magic != MAGIC:
        raise InvalidFrame(f"unknown magic byte {magic}; expected {MAGIC} (Confluent framing)")
    return schema_id, memoryview(data)[HEADER_SIZE:]


def topic_name(stream: str, major: int) -> str:
    """``<agency>.<stream>.v<major>``: a breaking schema change is a new topic."""
    return f"{stream}.v{major}"


def value_subject(topic: str) -> str:
    """Confluent's default TopicNameStrategy, so stock serializers find our subjects."""
    return f"{topic}-value"


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlq"
