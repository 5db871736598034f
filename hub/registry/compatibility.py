"""Schema evolution rules: one dispatcher over the ``avro`` package's reader/writer checker.

The modes are :class:`hub.serde.modes.CompatibilityMode`.

Problems are reported per broken rule with the dotted field path, so a department sees
``READER_FIELD_MISSING_DEFAULT_VALUE at field 'casualties.trapped'``, not a JSON pointer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import avro.schema
from avro.compatibility import (
    ReaderWriterCompatibilityChecker,
    SchemaCompatibilityResult,
    SchemaCompatibilityType,
    lookup_writer_field,
)

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
    result = _LocatingChecker().get_compatibility(reader, writer)
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
        field = f"'{field_path(reader, location, writer)}'"
        rule = _RULES.get(kind, "{field} is incompatible").format(
            field=field, reader=reader_is, writer=writer_is
        )
        messages.append(
            f"{{errorType:'{kind.upper()}', field:{field}, location:'{location}', description:'{rule}', "
            f"oldSchemaVersion:{version}, compatibility:'{mode.value}'{extra}}}"
        )
    return messages


class _LocatingChecker(ReaderWriterCompatibilityChecker):
    """avro's checker, with the location carried into the branches of a writer union.

    avro (Python 1.12, like Java before 1.12.0 / AVRO-3612) checks each branch of a writer
    union with a fresh location: a problem inside the branch is then reported at ``/`` or at a
    path relative to the branch (``/fields/1`` of the nested record, not of the root). Here such
    a call gets the enclosing location plus the writer branch index, as Java 1.12 does, so
    every location is a path from the root; union indexes in it are indexes of the writer union.
    """

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._enclosing: list[tuple[avro.schema.Schema, avro.schema.Schema, list[str]]] = []

    def get_compatibility(
        self,
        reader: avro.schema.Schema,
        writer: avro.schema.Schema,
        reference_token: str = ReaderWriterCompatibilityChecker.ROOT_REFERENCE_TOKEN,
        location: list[str] | None = None,
    ) -> SchemaCompatibilityResult:
        if location is None and self._enclosing:
            outer_reader, outer_writer, outer_location = self._enclosing[-1]
            if reader is outer_reader and isinstance(outer_writer, avro.schema.UnionSchema):
                index = next((i for i, s in enumerate(outer_writer.schemas) if s is writer), None)
                if index is not None:
                    reference_token, location = str(index), outer_location
        return super().get_compatibility(reader, writer, reference_token, location)

    def calculate_compatibility(
        self, reader: avro.schema.Schema, writer: avro.schema.Schema, location: list[str]
    ) -> SchemaCompatibilityResult:
        self._enclosing.append((reader, writer, location))
        try:
            return super().calculate_compatibility(reader, writer, location)
        finally:
            self._enclosing.pop()


def _traversal_order(location: str) -> list[tuple[int, int | str]]:
    # A named type's own name is checked before its fields, symbols or size.
    return [
        (0, int(t)) if t.isdigit() else (1, "") if t == "name" else (2, t)
        for t in location.split("/")
        if t
    ]


def field_path(
    schema: avro.schema.Schema, location: str, writer: avro.schema.Schema | None = None
) -> str:
    """Turn the checker's ``/fields/1/type/fields/0`` into ``envelope.event_id``.

    ``schema`` is the reader. Field indexes are the reader record's; a union index is the
    writer union's (the checker walks every branch the writer may have written), so with
    ``writer`` given the walk follows the writer's branch and the reader's branch that resolves
    it. Without ``writer``, or where the writer side is not a union, an index is taken as the
    reader union's. Whatever does not fit ends the walk: this never raises.
    """
    names: list[str] = []
    node: avro.schema.Schema | None = schema
    other: avro.schema.Schema | None = writer
    steps = [t.replace("~1", "/").replace("~0", "~") for t in location.split("/") if t]
    i = 0
    while i < len(steps) and node is not None:
        step = steps[i]
        if step == "fields" and isinstance(node, avro.schema.RecordSchema):
            if (
                i + 1 >= len(steps)
                or not steps[i + 1].isdigit()
                or int(steps[i + 1]) >= len(node.fields)
            ):
                break
            field = node.fields[int(steps[i + 1])]
            names.append(field.name)
            other_field = (
                lookup_writer_field(writer_schema=other, reader_field=field)
                if isinstance(other, avro.schema.RecordSchema)
                else None
            )
            node, other = field.type, (other_field.type if other_field is not None else None)
            i += 2
            continue
        if step == "items" and isinstance(node, avro.schema.ArraySchema):
            node = node.items
            other = other.items if isinstance(other, avro.schema.ArraySchema) else None
            names.append("[]")
        elif step == "values" and isinstance(node, avro.schema.MapSchema):
            node = node.values
            other = other.values if isinstance(other, avro.schema.MapSchema) else None
            names.append("{}")
        elif step.isdigit():
            node, other = _union_branch(node, other, int(step))
        elif step != "type":
            break
        i += 1
    return ".".join(names).replace(".[]", "[]").replace(".{}", "{}") or "<root>"


def _union_branch(
    reader: avro.schema.Schema, writer: avro.schema.Schema | None, index: int
) -> tuple[avro.schema.Schema | None, avro.schema.Schema | None]:
    """The (reader, writer) pair below union index ``index``, or ``(None, None)`` if none."""
    if isinstance(writer, avro.schema.UnionSchema):
        if index >= len(writer.schemas):
            return None, None
        branch = writer.schemas[index]
        if isinstance(reader, avro.schema.UnionSchema):
            return _resolving_branch(reader, branch), branch
        return reader, branch  # a non-union reader reads every writer branch itself
    if isinstance(reader, avro.schema.UnionSchema) and index < len(reader.schemas):
        return reader.schemas[index], None
    return None, None


def _resolving_branch(
    union: avro.schema.UnionSchema, written: avro.schema.Schema
) -> avro.schema.Schema | None:
    """The branch of the reader ``union`` that data of the writer's ``written`` type lands in."""
    if isinstance(written, avro.schema.NamedSchema):
        for branch in union.schemas:
            if isinstance(branch, avro.schema.NamedSchema) and branch.type == written.type:
                aliases = branch.props.get("aliases")
                known = {
                    branch.fullname,
                    branch.name,
                    *(aliases if isinstance(aliases, list) else []),
                }
                if written.fullname in known or written.name in known:
                    return branch
        return None
    return next((branch for branch in union.schemas if branch.type == written.type), None)
