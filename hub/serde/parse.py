"""Parse schema text with the ``avro`` package, the reference for validity and compatibility."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import avro.errors
import avro.name
import avro.schema

from hub.errors import InvalidSchema

_PARSE_ERRORS = (avro.errors.AvroException, json.JSONDecodeError, TypeError, ValueError)
#: JSON nesting a schema may have, at most: the catalogue's deepest is under 20. The
#: ``avro`` package parses (and compares) by recursion, so a schema nested a few hundred
#: levels deep would exhaust Python's stack: it is refused before it is parsed.
MAX_DEPTH = 100


def parse_avro(text: str, *, named: Sequence[str] = ()) -> avro.schema.Schema:
    """Parse ``text``; an invalid schema raises :class:`InvalidSchema` with the parser's reason.

    ``named`` are the texts of schemas whose named types ``text`` uses (a registry
    schema's references), deepest first; each is parsed once into the same names.
    """
    names = avro.name.Names(validate_names=True)
    for index, dependency in enumerate(named):
        try:
            avro.schema.make_avsc_object(_loads(dependency), names)
        except _PARSE_ERRORS as exc:
            raise InvalidSchema(
                f"invalid Avro schema: referenced schema {index + 1}: {exc}"
            ) from exc
    try:
        return avro.schema.make_avsc_object(_loads(text), names)
    except _PARSE_ERRORS as exc:
        raise InvalidSchema(f"invalid Avro schema: {exc}") from exc


def _loads(text: str) -> Any:
    """The schema's JSON, refused when it nests deeper than :data:`MAX_DEPTH`."""
    try:
        parsed = json.loads(text)
    except RecursionError:
        raise InvalidSchema(f"the schema nests deeper than {MAX_DEPTH} levels") from None
    level: list[tuple[Any, int]] = [(parsed, 1)]
    while level:
        value, depth = level.pop()
        if depth > MAX_DEPTH:
            raise InvalidSchema(f"the schema nests deeper than {MAX_DEPTH} levels")
        if isinstance(value, dict):
            level.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            level.extend((v, depth + 1) for v in value)
    return parsed


def fingerprint(
    schema: avro.schema.Schema,
    schema_type: str = "AVRO",
    references: Sequence[tuple[str, str, int]] = (),
) -> str:
    """Identity of a schema, as Confluent's registry sees it.

    The ``avro`` package's JSON form drops formatting, key order and the ``"string"`` vs
    ``{"type": "string"}`` difference and spells names in full; ``doc``, defaults,
    aliases, logical types and custom attributes stay, so changing any of them makes a
    new schema with a new id, while the same schema sent again keeps its id. The
    references (name, subject, version), in their order, are part of the identity: the
    same text with other references is another schema.
    """
    normal = json.dumps(schema.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    identity = f"{schema_type}:{normal}"
    if references:
        identity += "|references:" + json.dumps([list(r) for r in references], ensure_ascii=False)
    return hashlib.sha256(identity.encode()).hexdigest()


def inlined_text(schema: avro.schema.Schema) -> str:
    """The schema with every named type it uses written out: what a decoder needs."""
    return canonical_text(schema.to_json())


def canonical_text(schema: Any) -> str:
    """Compact JSON, UTF-8 kept as is: the text we register and fingerprint."""
    return json.dumps(schema, separators=(",", ":"), ensure_ascii=False)
