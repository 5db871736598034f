"""Schema evolution rules: one dispatcher over the ``avro`` package's reader/writer checker.

The modes are :class:`hub.serde.modes.CompatibilityMode`.

Problems are reported per broken rule with the dotted field path, so a department sees
``READER_FIELD_MISSING_DEFAULT_VALUE at field 'casualties.trapped'``, not a JSON pointer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import avro.schema
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType

from hub.serde.modes import CompatibilityMode


@dataclass(frozen=True, slots=True)
class PreviousVersion:
    version: int
    schema: avro.schema.Schema


@dataclass(frozen=True, slots=True)
class CompatibilityReport:
    compatible: bool
    messages: list[str]


def check_compatibility(
    mode: CompatibilityMode,
    new: avro.schema.Schema,
    previous: Sequence[PreviousVersion],
    *,
    against_all: bool | None = None,
) -> CompatibilityReport:
    """Check ``new`` against ``previous`` (newest first); stops at the first incompatible one.

    Non-transitive modes look at the newest only, unless ``against_all`` says otherwise.
    """
    if mode is CompatibilityMode.NONE or not previous:
        return CompatibilityReport(True, [])
    every = mode.transitive if against_all is None else against_all
    for old in previous if every else previous[:1]:
        messages: list[str] = []
        if mode.backward:
            messages += _problems(new, old.schema, reader_is="new", version=old.version, mode=mode)
        if mode.forward:
            messages += _problems(old.schema, new, reader_is="old", version=old.version, mode=mode)
        if messages:
            return CompatibilityReport(False, messages)
    return CompatibilityReport(True, [])


_RULES = {
    "type_mismatch": "the type of field {field} in the {reader} schema does not match the {writer} schema",
    "name_mismatch": "the name of the type at {field} changed between the {writer} and the {reader} schema",
    "fixed_size_mismatch": "the size of fixed field {field} differs between the {reader} and the {writer} schema",
    "missing_enum_symbols": "the {reader} schema lacks enum symbols of field {field} that the {writer} schema has",
    "reader_field_missing_default_value": (
        "field {field} in the {reader} schema has no default and is missing in the {writer} schema"
    ),
    "missing_union_branch": "the union of field {field} in the {reader} schema lacks a type the {writer} schema has",
}


def _problems(
    reader: avro.schema.Schema,
    writer: avro.schema.Schema,
    *,
    reader_is: str,
    version: int,
    mode: CompatibilityMode,
) -> list[str]:
    result = ReaderWriterCompatibilityChecker().get_compatibility(reader, writer)  # type: ignore[no-untyped-call]
    if result.compatibility is SchemaCompatibilityType.compatible:
        return []
    writer_is = "old" if reader_is == "new" else "new"
    kinds = [kind.value for kind in result.incompatibilities]
    locations = sorted((loc for loc in result.locations if loc != "/"), key=_traversal_order)
    # The checker keeps kinds in traversal order but locations in a set: they pair up
    # when the counts agree; otherwise every location is listed with all the kinds.
    paired = len(kinds) == len(locations)
    pairs = (
        zip(kinds, locations, strict=True)
        if paired
        else (("|".join(dict.fromkeys(kinds)), location) for location in locations or ["/"])
    )
    # Unpaired, the checker's own words are the only exact account: keep them.
    extra = "" if paired else f", avro:'{'; '.join(sorted(result.messages))}'"
    messages = []
    for kind, location in pairs:
        field = f"'{field_path(reader, location)}'"
        rule = _RULES.get(kind, "{field} is incompatible").format(
            field=field, reader=reader_is, writer=writer_is
        )
        messages.append(
            f"{{errorType:'{kind.upper()}', field:{field}, location:'{location}', description:'{rule}', "
            f"oldSchemaVersion:{version}, compatibility:'{mode.value}'{extra}}}"
        )
    return messages


def _traversal_order(location: str) -> list[tuple[int, int | str]]:
    return [(0, int(t)) if t.isdigit() else (1, t) for t in location.split("/") if t]


def field_path(schema: avro.schema.Schema, location: str) -> str:
    """Turn the checker's ``/fields/1/type/fields/0`` into ``envelope.event_id``."""
    names: list[str] = []
    node: avro.schema.Schema = schema
    steps = [t for t in location.split("/") if t]
    i = 0
    while i < len(steps):
        step = steps[i]
        if step == "fields" and i + 1 < len(steps) and isinstance(node, avro.schema.RecordSchema):
            field = node.fields[int(steps[i + 1])]
            names.append(field.name)
            node = field.type
            i += 2
            continue
        if step == "items" and isinstance(node, avro.schema.ArraySchema):
            node = node.items
            names.append("[]")
        elif step == "values" and isinstance(node, avro.schema.MapSchema):
            node = node.values
            names.append("{}")
        elif step.isdigit() and isinstance(node, avro.schema.UnionSchema):
            node = node.schemas[int(step)]
        elif step != "type":
            break
        i += 1
    return ".".join(names).replace(".[]", "[]").replace(".{}", "{}") or "<root>"
