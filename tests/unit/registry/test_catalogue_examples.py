"""Every stream has example events that its schema accepts, byte for byte through Avro."""

from __future__ import annotations

import io
import json
from pathlib import Path

import fastavro
import pytest

from hub.catalog.files import SchemaCatalog
from hub.policy.loader import load_policy
from hub.serde.avro import AvroDeserializer, AvroSerializer, CompiledSchema

ROOT = Path(__file__).resolve().parents[3]
POLICY = load_policy(ROOT / "policies")
CATALOG = SchemaCatalog.load(ROOT / "schemas")
EXAMPLES = ROOT / "tests" / "data" / "events"


def _tags(schema: object) -> set[str]:
    found: set[str] = set()
    if isinstance(schema, dict):
        found |= set(schema.get("tags", []))
        for value in schema.values():
            found |= _tags(value)
    elif isinstance(schema, list):
        for value in schema:
            found |= _tags(value)
    return found


@pytest.mark.parametrize("stream", POLICY.streams, ids=lambda s: s.id)
def test_examples_validate_and_round_trip(stream) -> None:
    schema = CATALOG.resolve(stream.schema_name)
    compiled = CompiledSchema.build(1, schema, json.dumps(schema))
    events = json.loads((EXAMPLES / f"{stream.id}.json").read_text())
    assert events, "at least one example per stream"
    for event in events:
        assert event["envelope"]["source_agency"] == stream.owner
        data = AvroSerializer(compiled)(event)
        back = AvroDeserializer(lambda _id: compiled)(data)
        assert back["envelope"]["source_agency"] == stream.owner
        plain = io.BytesIO()
        fastavro.schemaless_writer(plain, fastavro.parse_schema(schema), event)
        assert data[5:] == plain.getvalue()


@pytest.mark.parametrize("stream", POLICY.streams, ids=lambda s: s.id)
def test_streams_with_personal_or_medical_fields_are_restricted(stream) -> None:
    tags = _tags(CATALOG.resolve(stream.schema_name)) - {"precise-location"}
    if tags & {"pii", "medical"}:
        assert stream.sensitivity == "restricted", f"{stream.id} holds {sorted(tags)}"
