"""Registry responses carry Confluent's media type."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from hub.registry.entities import Reference, StoredSchema, SubjectSchema

MEDIA_TYPE = "application/vnd.schemaregistry.v1+json"


class RegistryJSON(Response):
    media_type = MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def raw_schema(text: str) -> Response:
    """``.../schema`` endpoints return the schema itself, not a JSON string of it."""
    return Response(text.encode(), media_type=MEDIA_TYPE)


def version_body(found: SubjectSchema) -> dict[str, Any]:
    """A subject version as Confluent shows it; ``schemaType`` only when not Avro."""
    body: dict[str, Any] = {
        "subject": found.subject,
        "version": found.version,
        "id": found.schema_id,
        "schema": found.text,
    }
    if found.schema_type != "AVRO":
        body["schemaType"] = found.schema_type
    if found.references:
        body["references"] = references_body(found.references)
    return body


def schema_body(found: StoredSchema) -> dict[str, Any]:
    """A schema by id: its text, and its references when it has any (as Confluent 7)."""
    body: dict[str, Any] = {"schema": found.text}
    if found.schema_type != "AVRO":
        body["schemaType"] = found.schema_type
    if found.references:
        body["references"] = references_body(found.references)
    return body


def references_body(references: tuple[Reference, ...]) -> list[dict[str, Any]]:
    return [{"name": r.name, "subject": r.subject, "version": r.version} for r in references]
