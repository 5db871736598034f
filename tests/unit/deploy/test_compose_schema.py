"""deploy/compose.yaml against the Compose Specification's JSON schema, as vendored by
check-jsonschema (no Docker runs here, so this is what `docker compose config` would
have caught first)."""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
import pytest

from tests.unit.deploy import compose_file


@cache
def compose_spec() -> dict[str, Any]:
    vendored = resources.files("check_jsonschema") / "builtin_schemas/vendor/compose-spec.json"
    return json.loads(vendored.read_text(encoding="utf-8"))


def schema_errors(document: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(compose_spec())
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def test_the_vendored_schema_is_the_compose_specification() -> None:
    """Breaks if check-jsonschema stops shipping the schema or moves it (then the test
    below would validate against nothing)."""
    schema = compose_spec()
    assert schema["title"] == "Compose Specification"
    assert {"services", "secrets", "configs", "volumes"} <= schema["properties"].keys()


def test_the_compose_file_is_valid_compose() -> None:
    """Breaks on a misspelt key, a wrong type (a port as a map, a healthcheck as a
    string) or an unknown depends_on condition, before and after interpolation."""
    assert schema_errors(compose_file.raw()) == []
    assert schema_errors(compose_file.compose()) == []


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        (("services", "gateway-1", "restart"), {"always": True}),
        (("services", "postgres", "healthcheck", "intervall"), "10s"),
        (("services", "init", "depends_on", "postgres", "condition"), "service_done"),
    ],
)
def test_the_schema_check_refuses_a_broken_file(path: tuple[str, ...], bad: Any) -> None:
    """The check above can fail: each of these edits makes the file invalid."""
    document = copy.deepcopy(compose_file.compose())
    *parents, last = path
    node = document
    for key in parents:
        node = node[key]
    node[last] = bad
    assert schema_errors(document)


def test_every_variable_has_a_default() -> None:
    """Breaks if the file uses ${NAME} without a default: a plain `up` with no .env file
    would then run with an empty value (an issuer of https://:/)."""
    text = compose_file.COMPOSE.read_text(encoding="utf-8")
    missing = [name for name, default in compose_file.variables(text) if default is None]
    assert missing == []
