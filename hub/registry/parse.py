"""Parse schema text with the ``avro`` package, the reference for validity and compatibility."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import avro.errors
import avro.schema

from hub.errors import InvalidSchema


def parse_avro(text: str) -> avro.schema.Schema:
    """Parse ``text``; an invalid schema raises :class:`InvalidSchema` with the parser's reason."""
    try:
        return avro.schema.parse(text)
    except (avro.errors.AvroException, json.JSONDecodeError, TypeError, ValueError) as exc:
        raise InvalidSchema(f"invalid Avro schema: {exc}") from exc


def schema_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidSchema(f"invalid Avro schema: not JSON: {exc}") from exc


def fingerprint(text: str, schema_type: str = "AVRO") -> str:
    """Identity of a schema: JSON-equal texts are the same schema, anything else is not.

    Whitespace and key order do not matter; ``doc``, defaults, aliases and logical types
    do, as in Confluent's registry (an identical schema keeps its id).
    """
    normal = json.dumps(schema_json(text), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{schema_type}:{normal}".encode()).hexdigest()
