from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub.catalog.files import SchemaCatalog
from hub.errors import ConfigError, InvalidSchema
from hub.serde.parse import parse_avro

SCHEMAS = Path(__file__).resolve().parents[3] / "schemas"


def _write(folder: Path, name: str, schema: dict) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(schema))


def test_every_event_schema_resolves_to_a_schema_avro_accepts() -> None:
    catalog = SchemaCatalog.load(SCHEMAS)
    events = list(catalog.events())
    assert {e.fullname for e in events} >= {
        "linkage.meteorology.Warning",
        "linkage.emergency.IncidentReport",
    }
    for event in events:
        parse_avro(catalog.resolve_text(event.fullname))


def test_a_shared_type_is_inlined_once_then_named(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "common/point.avsc",
        {
            "type": "record",
            "name": "Point",
            "namespace": "x.common",
            "fields": [{"name": "lat", "type": "double"}],
        },
    )
    _write(
        tmp_path,
        "dept/event.avsc",
        {
            "type": "record",
            "name": "Event",
            "namespace": "x.dept",
            "fields": [
                {"name": "a", "type": "x.common.Point"},
                {"name": "b", "type": ["null", "x.common.Point"], "default": None},
            ],
        },
    )
    resolved = SchemaCatalog.load(tmp_path).resolve("x.dept.Event")
    assert resolved["fields"][0]["type"]["name"] == "x.common.Point"
    assert resolved["fields"][1]["type"] == ["null", "x.common.Point"]
    parse_avro(json.dumps(resolved))


def test_an_unknown_type_is_reported_by_name(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "dept/event.avsc",
        {
            "type": "record",
            "name": "Event",
            "namespace": "x",
            "fields": [{"name": "a", "type": "x.Missing"}],
        },
    )
    with pytest.raises(InvalidSchema, match="unknown type 'x.Missing'"):
        SchemaCatalog.load(tmp_path).resolve("x.Event")


def test_a_name_defined_twice_names_both_files(tmp_path: Path) -> None:
    schema = {"type": "enum", "name": "E", "namespace": "x", "symbols": ["A"]}
    _write(tmp_path, "a/one.avsc", schema)
    _write(tmp_path, "b/two.avsc", schema)
    with pytest.raises(ConfigError, match=r"two.avsc: x.E is already defined in .*one.avsc"):
        SchemaCatalog.load(tmp_path)


def test_a_file_that_is_not_json_is_named(tmp_path: Path) -> None:
    (tmp_path / "bad.avsc").write_text("{not json")
    with pytest.raises(ConfigError, match="bad.avsc: not a readable JSON schema"):
        SchemaCatalog.load(tmp_path)


def test_invalid_avro_gets_the_parser_reason() -> None:
    with pytest.raises(InvalidSchema, match="invalid Avro schema"):
        parse_avro('{"type": "record", "name": "X", "fields": [{"name": "a", "type": "nope"}]}')
