from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import fastavro
import pytest

from hub.errors import InvalidFrame, RecordRejected
from hub.serde.avro import AvroDeserializer, AvroSerializer, CompiledSchema
from hub.serde.wire import frame, topic_name, unframe, value_subject

SCHEMA = {
    "type": "record",
    "name": "R",
    "fields": [
        {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "name", "type": "string"},
    ],
}


def test_framing_is_magic_zero_then_big_endian_id() -> None:
    framed = frame(258, b"body")
    assert framed[:5] == b"\x00\x00\x00\x01\x02"
    schema_id, body = unframe(framed)
    assert (schema_id, bytes(body)) == (258, b"body")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\x00", "shorter than the 5-byte header"),
        (b"\x01\x00\x00\x00\x01x", "unknown magic byte 1"),
    ],
)
def test_unframing_garbage_says_why(data: bytes, message: str) -> None:
    with pytest.raises(InvalidFrame, match=message):
        unframe(data)


def test_names_follow_the_topic_and_subject_conventions() -> None:
    assert topic_name("meteorology.warning", 1) == "meteorology.warning.v1"
    assert value_subject("meteorology.warning.v1") == "meteorology.warning.v1-value"


def test_serializer_writes_plain_avro_after_the_frame_and_reads_back() -> None:
    compiled = CompiledSchema.build(7, SCHEMA, json.dumps(SCHEMA))
    record = {"at": datetime(2015, 12, 20, 3, 40, tzinfo=UTC), "name": "光明"}
    data = AvroSerializer(compiled)(record)
    expected = io.BytesIO()
    fastavro.schemaless_writer(expected, fastavro.parse_schema(SCHEMA), record)
    assert data == frame(7, expected.getvalue())
    assert AvroDeserializer(lambda _id: compiled)(data) == record


def test_serializer_rejects_before_writing_anything() -> None:
    compiled = CompiledSchema.build(7, SCHEMA, json.dumps(SCHEMA))
    with pytest.raises(RecordRejected, match="name: expected a string"):
        AvroSerializer(compiled)({"at": datetime.now(UTC), "name": 5})
