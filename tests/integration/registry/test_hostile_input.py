"""Hostile requests to the registry: schemas built to exhaust the parser's stack,
parameters too long, subjects and versions malformed, bodies not JSON or not Avro, a
compatibility of null. Each gets a 4xx with an audit row, never a 500 or a traceback."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from hub.gateway.auth.clients import ClientStore
from hub.identity import REGISTRY_ADMIN, REGISTRY_WRITE, STREAMS_READ
from tests.utils.hostile import Hostile, refusals
from tests.utils.stack import Stack, gateway_stack

SUBJECT = "hostile-value"


def _deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


def _deep_avro(depth: int) -> str:
    schema: object = "int"
    for _ in range(depth):
        schema = {"type": "array", "items": schema}
    return json.dumps(schema)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with gateway_stack(tmp_path_factory.mktemp("hostile-registry")) as running:
        yield running


@pytest.mark.parametrize(
    "path",
    [f"/registry/subjects/{SUBJECT}", f"/registry/compatibility/subjects/{SUBJECT}/versions"],
    ids=["lookup", "compatibility"],
)
@pytest.mark.parametrize(
    "schema",
    [_deep_json(2_000), _deep_avro(400), _deep_avro(120)],
    ids=["json-2000-deep", "avro-400-deep", "avro-120-deep"],
)
def test_deeply_nested_schemas_are_a_422_not_a_crash(
    stack: Stack, caplog: pytest.LogCaptureFixture, path: str, schema: str
) -> None:
    headers = {**stack.bearer("health-dispatch"), "X-Request-ID": f"deep-{len(schema)}"}
    with caplog.at_level(logging.WARNING):
        answer = stack.http.post(path, json={"schema": schema}, headers=headers)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error_code"] == 42201
    assert "nests deeper than" in answer.json()["message"]
    assert not [r for r in caplog.records if r.exc_info], "no traceback in the log"
    rows = [r for r in stack.audit_rows() if r["request_id"] == headers["X-Request-ID"]]
    assert rows and rows[-1]["status"] == 422


def test_a_schema_as_deep_as_real_ones_is_still_parsed(stack: Stack) -> None:
    """The bound is far above the catalogue's deepest schema: twenty nested arrays pass."""
    answer = stack.http.post(
        f"/registry/compatibility/subjects/{SUBJECT}/versions",
        json={"schema": _deep_avro(20)},
        headers=stack.bearer("health-dispatch"),
    )
    assert answer.status_code == 200, answer.text


def test_an_overlong_subject_prefix_is_a_client_error(stack: Stack) -> None:
    answer = stack.http.get(
        "/registry/subjects",
        params={"subjectPrefix": "x" * 5_000},
        headers=stack.bearer("health-dispatch"),
    )
    assert answer.status_code == 422, answer.text
    assert "subjectPrefix" in answer.text


REGISTRY = "/registry"
CASES = [
    Hostile("subject-nul", "GET", f"{REGISTRY}/subjects/a%00b/versions", expect=(404, 422)),
    Hostile(
        "subject-10k", "GET", f"{REGISTRY}/subjects/{'s' * 10_000}/versions", expect=(404, 422)
    ),
    Hostile("version-junk", "GET", f"{REGISTRY}/subjects/{SUBJECT}/versions/05", expect=(404, 422)),
    Hostile(
        "version-huge",
        "GET",
        f"{REGISTRY}/subjects/{SUBJECT}/versions/99999999999",
        expect=(404, 422),
    ),
    Hostile("schema-id-negative", "GET", f"{REGISTRY}/schemas/ids/-1", expect=(404, 422)),
    Hostile(
        "lookup-not-json",
        "POST",
        f"{REGISTRY}/subjects/{SUBJECT}",
        content=b"{",
        headers={"Content-Type": "application/json"},
    ),
    Hostile(
        "lookup-no-schema", "POST", f"{REGISTRY}/subjects/{SUBJECT}", json={"schemaType": "AVRO"}
    ),
    Hostile(
        "lookup-schema-not-text",
        "POST",
        f"{REGISTRY}/subjects/{SUBJECT}",
        json={"schema": {"type": "int"}},
    ),
    Hostile(
        "lookup-not-avro",
        "POST",
        f"{REGISTRY}/subjects/{SUBJECT}",
        json={"schema": '{"type": "nope"}'},
        expect=(404, 422),
    ),
    Hostile(
        "register-without-scope",
        "POST",
        f"{REGISTRY}/subjects/{SUBJECT}/versions",
        json={"schema": '"int"'},
        expect=(403,),
    ),
    Hostile(
        "config-null",
        "PUT",
        f"{REGISTRY}/config/{SUBJECT}",
        client="registry-operator",
        json={"compatibility": None},
    ),
    Hostile(
        "config-unknown",
        "PUT",
        f"{REGISTRY}/config/{SUBJECT}",
        client="registry-operator",
        json={"compatibility": "SOMETIMES"},
    ),
]


@pytest.fixture(scope="module")
def bearers(stack: Stack) -> dict[str, dict[str, str]]:
    operator = ClientStore(stack.hub.sessions).ensure(
        client_id="registry-operator",
        agency="emergency",
        scopes=frozenset({STREAMS_READ, REGISTRY_WRITE, REGISTRY_ADMIN}),
    )
    token = stack.http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(operator.client_id, operator.client_secret),
    ).json()["access_token"]
    return {
        "health-dispatch": stack.bearer("health-dispatch"),
        "registry-operator": {"Authorization": f"Bearer {token}"},
    }


test_a_hostile_registry_request_is_refused_audited_and_quick = refusals(CASES)
