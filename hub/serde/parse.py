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


def fingerprint(schema: avro.schema.Schema, schema_type: str = "AVRO") -> str:
    """Identity of a schema, as Confluent's registry sees it.

    The ``avro`` package's JSON form drops formatting, key order and the ``"string"`` vs
    ``{"type": "string"}`` difference and spells names in full; ``doc``, defaults,
    aliases, logical types and custom attributes stay, so changing any of them makes a
    new schema with a new id, while the same schema sent again keeps its id.
    """
    normal = json.dumps(schema.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{schema_type}:{normal}".encode()).hexdigest()


def canonical_text(schema: Any) -> str:
    """Compact JSON, UTF-8 kept as is: the text we register and fingerprint."""
    return json.dumps(schema, separators=(",", ":"), ensure_ascii=False)
