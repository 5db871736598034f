"""Serializer and deserializer callables in the confluent-kafka style, on fastavro.

The ``avro`` package decides what is valid; fastavro writes the same bytes roughly ten
times faster, so it does the per-record work. Hot-path values are plain dicts.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import fastavro

from hub.serde.union_tags import union_tagger
from hub.serde.validate import compile_validator
from hub.serde.wire import HEADER_SIZE, frame_header, unframe


@dataclass(frozen=True, slots=True)
class CompiledSchema:
    """One registered schema, parsed once for writing, reading and validating."""

    schema_id: int
    text: str
    parsed: Any
    validate: Callable[[Any], None]

    @classmethod
    def from_text(cls, schema_id: int, text: str) -> CompiledSchema:
        return cls.build(schema_id, json.loads(text), text)

    @classmethod
    def build(cls, schema_id: int, schema: Any, text: str) -> CompiledSchema:
        # The default write hint marks the schema as parsed; without it fastavro re-parses
        # on every write, which halves its speed.
        parsed = fastavro.parse_schema(schema)
        return cls(schema_id, text, parsed, compile_validator(schema))


class AvroSerializer:
    """``serializer(record) -> framed bytes``; validates first, so nothing half-written ships."""

    def __init__(self, schema: CompiledSchema, *, validate: bool = True) -> None:
        self._schema = schema
        self._header = frame_header(schema.schema_id)
        self._validate = validate
        self._tag = union_tagger(schema.parsed)

    @property
    def schema_id(self) -> int:
        return self._schema.schema_id

    def __call__(self, record: Mapping[str, Any]) -> bytes:
        if self._validate:
            self._schema.validate(record)
        buffer = io.BytesIO()
        buffer.write(self._header)
        # Checked already: the branch of each nullable record is named, not searched for.
        written = record if self._tag is None else self._tag(record)
        fastavro.schemaless_writer(buffer, self._schema.parsed, written)
        return buffer.getvalue()


class AvroDeserializer:
    """``deserializer(framed bytes) -> dict``, finding the writer schema by its id."""

    def __init__(self, schemas: Callable[[int], CompiledSchema]) -> None:
        self._schemas = schemas

    def __call__(self, data: bytes) -> dict[str, Any]:
        return self.decode(data)[1]

    def decode(self, data: bytes) -> tuple[CompiledSchema, dict[str, Any]]:
        """The record and the schema it was written with (policy plans are per schema)."""
        schema_id, _ = unframe(data)
        schema = self._schemas(schema_id)
        # Read past the header in place rather than copying the body out.
        buffer = io.BytesIO(data)
        buffer.seek(HEADER_SIZE)
        record = fastavro.schemaless_reader(buffer, schema.parsed, None)
        assert isinstance(record, dict), "event schemas are records"
        return schema, record
