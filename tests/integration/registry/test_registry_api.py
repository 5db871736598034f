"""The Confluent Schema Registry API: status codes, error codes and semantics, on both stores."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from hub.gateway.auth.clients import ClientStore
from tests.utils.stack import Stack, stack_on

pytestmark = pytest.mark.kafka
CT = {"Content-Type": "application/vnd.schemaregistry.v1+json"}


def record(*fields: dict, name: str = "Probe") -> str:
    return json.dumps(
        {"type": "record", "name": name, "namespace": "linkage.test", "fields": list(fields)}
    )


A_INT = {"name": "a", "type": "int"}
B_DEFAULT = {"name": "b", "type": "string", "default": "x"}
C_REQUIRED = {"name": "c", "type": "string"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    with stack_on(request, tmp_path_factory, "registry") as running:
        store = ClientStore(running.sessions)
        running.credentials["hub-operator"] = store.ensure(
            client_id="hub-operator", agency="emergency", scopes=frozenset({"registry:admin"})
        )
        yield running


def basic(stack: Stack, client: str) -> tuple[str, str]:
    issued = stack.credentials[client]
    return (issued.client_id, issued.client_secret)


def call(
    stack: Stack,
    method: str,
    path: str,
    client: str = "meteorology-feed",
    body: dict | None = None,
    **kw,
):
    return stack.http.request(
        method,
        f"/registry{path}",
        auth=basic(stack, client),
        headers=CT,
        content=json.dumps(body) if body is not None else None,
        **kw,
    )


def register(stack: Stack, subject: str, schema: str, client: str = "meteorology-feed"):
    return call(stack, "POST", f"/subjects/{subject}/versions", client, {"schema": schema})


def error(response, status: int, code: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error_code"] == code
    assert body["status"] == status and body["type"].startswith("/problems/")
    return str(body["message"])


def test_root_answers_without_credentials_and_everything_else_needs_them(stack: Stack) -> None:
    assert stack.http.get("/registry/").json() == {}
    assert error(stack.http.get("/registry/subjects"), 401, 401) == "no bearer token was sent"
    wrong = stack.http.get("/registry/subjects", auth=("meteorology-feed", "wrong"))
    assert error(wrong, 401, 401) == "unknown client or wrong secret"
    token = stack.token("health-dispatch")
    assert (
        stack.http.get(
            "/registry/subjects", headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 200
    )


def test_the_catalogue_subjects_are_registered_at_start(stack: Stack) -> None:
    subjects = call(
        stack, "GET", "/subjects?deleted=False&deleted_only=false&offset=0&limit=-1"
    ).json()
    assert {"meteorology.warning.v1-value", "emergency.incident-report.v1-value"} <= set(subjects)
    config = call(stack, "GET", "/config/meteorology.warning.v1-value").json()
    assert config == {"compatibilityLevel": "BACKWARD_TRANSITIVE"}


def test_identical_schemas_keep_their_id_and_ids_are_global(stack: Stack) -> None:
    first = register(stack, "meteorology.same.v1-value", record(A_INT))
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/vnd.schemaregistry.v1+json"
    spaced = json.dumps(json.loads(record(A_INT)), indent=4)
    again = register(stack, "meteorology.same.v1-value", spaced).json()
    assert again == first.json() == {"id": first.json()["id"], "version": 1}
    elsewhere = register(stack, "meteorology.same-too.v1-value", record(A_INT)).json()
    assert elsewhere["id"] == first.json()["id"]
    documented = json.loads(record(A_INT))
    documented["doc"] = "now with a doc"
    changed = register(stack, "meteorology.same.v1-value", json.dumps(documented)).json()
    assert changed["id"] != first.json()["id"]
    assert changed["version"] == 2


def test_writing_needs_the_scope_and_the_agencys_own_subject(stack: Stack) -> None:
    assert error(
        register(stack, "health.beds.v1-value", record(A_INT), client="health-dispatch"), 403, 403
    ) == ("token lacks scope registry:write")
    message = error(register(stack, "health.beds.v1-value", record(A_INT)), 403, 403)
    assert message == "agency meteorology may only change subjects that start with 'meteorology.'"
    assert (
        register(stack, "health.beds.v1-value", record(A_INT), client="hub-operator").status_code
        == 200
    )
    assert error(
        call(stack, "PUT", "/config", body={"compatibility": "NONE"}), 403, 403
    ).startswith("changing the global configuration needs scope registry:admin")


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        ('{"type": "record", "name": "X", "fields": [{"name": "a", "type": "nope"}]}', "nope"),
        ("not json", "Invalid schema of type AVRO"),
        ("", "Empty schema"),
    ],
)
def test_invalid_avro_is_422_with_the_parser_reason(stack: Stack, schema: str, reason: str) -> None:
    assert reason in error(register(stack, "meteorology.invalid.v1-value", schema), 422, 42201)


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        ({"schemaType": "PROTOBUF", "schema": "syntax = 'proto3';"}, CT, 422, 42201),
        ({"no": "schema"}, CT, 422, 42201),
        (
            {"schema": record(A_INT), "references": [{"name": "x", "subject": "y", "version": 1}]},
            CT,
            422,
            42201,
        ),
        ({"schema": record(A_INT)}, {"Content-Type": "text/plain"}, 415, 415),
    ],
    ids=["protobuf", "no-schema", "references", "text-plain"],
)
def test_requests_the_registry_cannot_take_are_refused_clearly(
    stack: Stack, body, headers, status: int, code: int
) -> None:
    response = stack.http.post(
        "/registry/subjects/meteorology.bad.v1-value/versions",
        auth=basic(stack, "meteorology-feed"),
        headers=headers,
        content=json.dumps(body),
    )
    error(response, status, code)


def test_an_oversized_schema_body_is_refused_before_it_is_parsed(stack: Stack) -> None:
    huge = {"schema": record(A_INT), "padding": "x" * 300_000}
    message = error(
        call(stack, "POST", "/subjects/meteorology.huge.v1-value/versions", body=huge), 422, 42209
    )
    assert "too large" in message
    assert error(
        stack.http.post(
            "/registry/subjects/meteorology.huge.v1-value/versions",
            auth=basic(stack, "meteorology-feed"),
            headers=CT,
            content=b"{not json",
        ),
        422,
        422,
    ).startswith("the request body is not JSON")


def test_an_incompatible_change_is_409_naming_the_field_and_rule(stack: Stack) -> None:
    assert register(stack, "meteorology.evolve.v1-value", record(A_INT)).json()["version"] == 1
    compatible = register(stack, "meteorology.evolve.v1-value", record(A_INT, B_DEFAULT)).json()
    assert compatible["version"] == 2
    refused = register(stack, "meteorology.evolve.v1-value", record(A_INT, B_DEFAULT, C_REQUIRED))
    message = error(refused, 409, 409)
    assert message.startswith(
        'Schema being registered is incompatible with an earlier schema for subject "meteorology.evolve.v1-value"'
    )
    assert "READER_FIELD_MISSING_DEFAULT_VALUE" in message and "field:'c'" in message
    retyped = register(
        stack, "meteorology.evolve.v1-value", record({"name": "a", "type": "string"}, B_DEFAULT)
    )
    assert "TYPE_MISMATCH" in error(retyped, 409, 409) and "field:'a'" in retyped.json()["message"]
    assert call(stack, "GET", "/subjects/meteorology.evolve.v1-value/versions").json() == [1, 2]


def test_transitive_modes_check_every_version_not_just_the_latest(stack: Stack) -> None:
    subject = "meteorology.transitive.v1-value"
    assert call(stack, "PUT", f"/config/{subject}", body={"compatibility": "none"}).json() == {
        "compatibility": "NONE"
    }
    register(stack, subject, record(A_INT))
    register(stack, subject, record({"name": "a", "type": "string"}))
    candidate = record({"name": "a", "type": "string"}, {"name": "c", "type": "int", "default": 0})
    call(stack, "PUT", f"/config/{subject}", body={"compatibility": "BACKWARD_TRANSITIVE"})
    refused = register(stack, subject, candidate)
    assert "oldSchemaVersion:1" in error(refused, 409, 409)
    call(stack, "PUT", f"/config/{subject}", body={"compatibility": "BACKWARD"})
    assert register(stack, subject, candidate).json()["version"] == 3


def test_reading_versions_and_schemas(stack: Stack) -> None:
    subject = "meteorology.read.v1-value"
    v1 = register(stack, subject, record(A_INT, name="OnlyHere")).json()
    register(stack, subject, record(A_INT, B_DEFAULT, name="OnlyHere"))
    latest = call(stack, "GET", f"/subjects/{subject}/versions/latest").json()
    assert (latest["subject"], latest["version"]) == (subject, 2)
    assert "schemaType" not in latest, "AVRO is implied, as Confluent does"
    assert call(stack, "GET", f"/subjects/{subject}/versions/-1").json() == latest
    raw = call(stack, "GET", f"/subjects/{subject}/versions/1/schema")
    assert json.loads(raw.text) == json.loads(record(A_INT, name="OnlyHere"))
    assert call(stack, "GET", f"/schemas/ids/{v1['id']}?subject=other-value").json() == {
        "schema": raw.text
    }
    assert call(stack, "GET", f"/schemas/ids/{v1['id']}/versions").json() == [
        {"subject": subject, "version": 1}
    ]
    assert call(stack, "GET", f"/schemas/ids/{v1['id']}/subjects").json() == [subject]
    assert call(stack, "GET", "/schemas/types").json() == ["AVRO"]
    assert call(stack, "GET", f"/subjects/{subject}/versions/1/referencedby").json() == []
    assert (
        call(
            stack,
            "GET",
            "/associations/resources/-/meteorology.read.v1?resourceType=topic&associationType=value",
        ).json()
        == []
    )


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/subjects/nobody.nothing.v1-value/versions", 404, 40401),
        ("/subjects/nobody.nothing.v1-value/versions/1", 404, 40401),
        ("/subjects/meteorology.warning.v1-value/versions/99", 404, 40402),
        ("/subjects/meteorology.warning.v1-value/versions/abc", 422, 42202),
        ("/subjects/meteorology.warning.v1-value/versions/0", 422, 42202),
        ("/schemas/ids/999999", 404, 40403),
        ("/config/meteorology.unconfigured.v1-value", 404, 40408),
    ],
)
def test_unknown_things_get_confluents_error_codes(
    stack: Stack, path: str, status: int, code: int
) -> None:
    error(call(stack, "GET", path), status, code)


def test_lookup_finds_the_version_holding_a_schema(stack: Stack) -> None:
    subject = "meteorology.lookup.v1-value"
    done = register(stack, subject, record(A_INT)).json()
    found = call(
        stack,
        "POST",
        f"/subjects/{subject}?normalize=False&deleted=False",
        body={"schema": record(A_INT)},
    ).json()
    assert found == {"subject": subject, "version": 1, "id": done["id"], "schema": found["schema"]}
    error(
        call(stack, "POST", f"/subjects/{subject}", body={"schema": record(C_REQUIRED)}), 404, 40403
    )
    error(
        call(stack, "POST", "/subjects/meteorology.none.v1-value", body={"schema": record(A_INT)}),
        404,
        40401,
    )


def test_compatibility_endpoint_answers_without_registering(stack: Stack) -> None:
    subject = "meteorology.check.v1-value"
    register(stack, subject, record(A_INT))
    path = f"/compatibility/subjects/{subject}/versions/latest"
    ok = call(
        stack,
        "POST",
        f"{path}?normalize=False&verbose=False",
        body={"schema": record(A_INT, B_DEFAULT)},
    )
    assert ok.json() == {"is_compatible": True}
    bad = call(
        stack, "POST", f"{path}?verbose=true", body={"schema": record(A_INT, C_REQUIRED)}
    ).json()
    assert bad["is_compatible"] is False
    assert any("READER_FIELD_MISSING_DEFAULT_VALUE" in m for m in bad["messages"])
    assert call(
        stack,
        "POST",
        f"/compatibility/subjects/{subject}/versions",
        body={"schema": record(A_INT, C_REQUIRED)},
    ).json() == {"is_compatible": False}
    garbage = call(stack, "POST", f"{path}?verbose=TRUE", body={"schema": "{nope"}).json()
    assert garbage["is_compatible"] is False and "Invalid schema" in garbage["messages"][0]
    error(
        call(
            stack,
            "POST",
            f"/compatibility/subjects/{subject}/versions/7",
            body={"schema": record(A_INT)},
        ),
        404,
        40402,
    )
    assert call(stack, "GET", f"/subjects/{subject}/versions").json() == [1], (
        "nothing was registered"
    )


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/compatibility/subjects/meteorology.none.v1-value/versions/latest", 404, 40401),
        ("/compatibility/subjects/meteorology.none.v1-value/versions/1", 404, 40401),
        # Soft-deleted versions are no versions to check against (40402, as Confluent
        # answers), though reading the subject says 40401.
        ("/compatibility/subjects/meteorology.gone.v1-value/versions/latest", 404, 40402),
        ("/compatibility/subjects/meteorology.gone.v1-value/versions/1", 404, 40402),
        ("/compatibility/subjects/meteorology.gone.v1-value/versions/2", 404, 40402),
        ("/compatibility/subjects/meteorology.gone.v1-value/versions/0", 422, 42202),
        ("/compatibility/subjects/meteorology.gone.v1-value/versions/one", 422, 42202),
        # Nothing to break yet: checking a new subject before registering it passes.
        ("/compatibility/subjects/meteorology.none.v1-value/versions", 200, None),
        ("/compatibility/subjects/meteorology.gone.v1-value/versions", 200, None),
    ],
    ids=lambda v: str(v).rsplit("/", 2)[-2:] if isinstance(v, str) else str(v),
)
def test_compatibility_with_a_missing_subject_or_version(
    stack: Stack, path: str, status: int, code: int | None
) -> None:
    gone = "meteorology.gone.v1-value"
    if call(stack, "GET", f"/subjects/{gone}/versions?deleted=true").status_code != 200:
        register(stack, gone, record(A_INT))
        call(stack, "DELETE", f"/subjects/{gone}")
    response = call(stack, "POST", path, body={"schema": record(A_INT)})
    if code is None:
        assert (response.status_code, response.json()) == (200, {"is_compatible": True})
    else:
        error(response, status, code)


UNION_CASES = [
    # (history field type, candidate field type, mode, compatible)
    (["null", "int", "string"], ["null", "int"], "BACKWARD", False),
    (["null", "int"], ["null", "int", "string"], "BACKWARD", True),
    (["null", "int"], ["null", "int", "string"], "FORWARD", False),
    (["null", "int", "string"], ["string", "null", "int"], "FULL", True),
    (["null", "string"], "string", "BACKWARD", False),
    ("string", ["null", "string"], "BACKWARD", True),
    ("string", ["null", "string"], "FULL", False),
]


@pytest.mark.parametrize(("old", "new", "mode", "compatible"), UNION_CASES)
def test_union_changes_are_judged_alike_by_check_and_registration(
    stack: Stack, old, new, mode: str, compatible: bool
) -> None:
    subject = f"meteorology.union-{UNION_CASES.index((old, new, mode, compatible))}.v1-value"
    call(stack, "PUT", f"/config/{subject}", body={"compatibility": mode})
    assert (
        register(stack, subject, record(A_INT, {"name": "status", "type": old})).status_code == 200
    )
    candidate = record(A_INT, {"name": "status", "type": new})
    for path in (
        f"/compatibility/subjects/{subject}/versions/latest",
        f"/compatibility/subjects/{subject}/versions",
    ):
        checked = call(stack, "POST", f"{path}?verbose=true", body={"schema": candidate})
        assert checked.status_code == 200, checked.text
        assert checked.json()["is_compatible"] is compatible
        if not compatible:
            assert all("field:'status'" in m for m in checked.json()["messages"])
    registered = register(stack, subject, candidate)
    if compatible:
        assert registered.json()["version"] == 2
    else:
        assert "field:'status'" in error(registered, 409, 409)


def test_a_subject_holding_a_slash_is_routed_whole(stack: Stack) -> None:
    subject = "meteorology.nested%2Fpart.v1-value"
    first = register(stack, subject, record(A_INT))
    assert first.status_code == 200, first.text
    assert "meteorology.nested/part.v1-value" in call(stack, "GET", "/subjects").json()
    found = call(stack, "GET", f"/subjects/{subject}/versions/1").json()
    assert found["subject"] == "meteorology.nested/part.v1-value"
    assert call(stack, "GET", f"/subjects/{subject}/versions").json() == [1]
    assert (
        call(stack, "POST", f"/subjects/{subject}", body={"schema": record(A_INT)}).json()[
            "version"
        ]
        == 1
    )
    assert (
        call(stack, "PUT", f"/config/{subject}", body={"compatibility": "FULL"}).status_code == 200
    )
    assert call(stack, "GET", f"/config/{subject}").json() == {"compatibilityLevel": "FULL"}
    checked = call(
        stack,
        "POST",
        f"/compatibility/subjects/{subject}/versions/1",
        body={"schema": record(A_INT)},
    )
    assert checked.json() == {"is_compatible": True}
    # An encoded slash never splits the path: these name subjects, not other routes.
    error(
        call(stack, "POST", "/subjects/meteorology.b%2Fversions", body={"schema": record(A_INT)}),
        404,
        40401,
    )
    error(call(stack, "DELETE", f"/subjects/{subject}%2Fversions%2F1"), 404, 40401)
    assert call(stack, "GET", f"/subjects/{subject}/versions").json() == [1], "left alone"
    assert "meteorology.b" not in call(stack, "GET", "/subjects").json()
    too_long = call(stack, "GET", f"/subjects/meteorology.{'x' * 300}/versions")
    assert "is not a valid" in error(too_long, 422, 42208)
    error(call(stack, "GET", "/subjects/meteorology.a%00/versions"), 422, 42208)
    # A literal slash is a path separator, as in Confluent: no such subject route.
    literal = call(stack, "GET", "/subjects/meteorology.nested/part.v1-value/versions")
    assert literal.status_code == 404 and "send a '/' inside a subject as %2F" in literal.text
    assert call(stack, "DELETE", f"/subjects/{subject}/versions/1").json() == 1


def test_config_per_subject_and_global(stack: Stack) -> None:
    subject = "meteorology.config.v1-value"
    assert call(stack, "GET", "/config").json() == {"compatibilityLevel": "BACKWARD"}
    assert call(stack, "GET", f"/config/{subject}?defaultToGlobal=true").json() == {
        "compatibilityLevel": "BACKWARD"
    }
    assert call(
        stack, "PUT", f"/config/{subject}", body={"compatibility": "full_transitive"}
    ).json() == {"compatibility": "FULL_TRANSITIVE"}
    assert call(stack, "GET", f"/config/{subject}").json() == {
        "compatibilityLevel": "FULL_TRANSITIVE"
    }
    error(call(stack, "PUT", f"/config/{subject}", body={"compatibility": "SIDEWAYS"}), 422, 42203)
    # null is no mode (it once read as "None", that is NONE: every check off), nor is
    # a name with spaces around it.
    for wrong in (None, " FULL", 1):
        error(call(stack, "PUT", f"/config/{subject}", body={"compatibility": wrong}), 422, 42203)
    assert call(stack, "DELETE", f"/config/{subject}").json() == {
        "compatibilityLevel": "FULL_TRANSITIVE"
    }
    error(call(stack, "DELETE", f"/config/{subject}"), 404, 40401)
    assert call(stack, "PUT", "/config", "hub-operator", {"compatibility": "FORWARD"}).json() == {
        "compatibility": "FORWARD"
    }
    assert call(stack, "GET", "/config").json() == {"compatibilityLevel": "FORWARD"}
    assert call(stack, "DELETE", "/config", "hub-operator").json() == {
        "compatibilityLevel": "FORWARD"
    }
    assert call(stack, "GET", "/config").json() == {"compatibilityLevel": "BACKWARD"}


def test_deletes_are_soft_first_and_ids_outlive_them(stack: Stack) -> None:
    subject = "meteorology.delete.v1-value"
    v1 = register(stack, subject, record(A_INT)).json()
    register(stack, subject, record(A_INT, B_DEFAULT))
    error(call(stack, "DELETE", f"/subjects/{subject}/versions/1?permanent=true"), 404, 40407)
    assert call(stack, "DELETE", f"/subjects/{subject}/versions/1").json() == 1
    error(call(stack, "DELETE", f"/subjects/{subject}/versions/1"), 404, 40406)
    assert call(stack, "GET", f"/subjects/{subject}/versions").json() == [2]
    assert call(stack, "GET", f"/subjects/{subject}/versions?deleted=True").json() == [1, 2]
    assert call(stack, "GET", f"/subjects/{subject}/versions/1?deleted=true").json()["version"] == 1
    assert call(stack, "GET", f"/schemas/ids/{v1['id']}").status_code == 200, (
        "old records still decode"
    )
    error(call(stack, "DELETE", f"/subjects/{subject}?permanent=true"), 404, 40405)
    assert call(stack, "DELETE", f"/subjects/{subject}").json() == [2]
    error(call(stack, "DELETE", f"/subjects/{subject}"), 404, 40404)
    assert subject not in call(stack, "GET", "/subjects").json()
    assert subject in call(stack, "GET", "/subjects?deletedOnly=true").json()
    assert call(stack, "DELETE", f"/subjects/{subject}?permanent=true").json() == [1, 2]
    error(call(stack, "GET", f"/subjects/{subject}/versions?deleted=true"), 404, 40401)
    again = register(stack, subject, record(A_INT)).json()
    assert again == {"id": v1["id"], "version": 1}, "after a permanent delete, versions restart"


def test_registry_calls_are_audited(stack: Stack) -> None:
    register(stack, "meteorology.audited.v1-value", record(A_INT))
    register(stack, "health.audited.v1-value", record(A_INT))
    rows = [r for r in stack.audit_rows() if r["action"] == "registry.register"]
    reasons = [r["reason"] for r in rows]
    assert any("; registered meteorology.audited.v1-value version 1" in r for r in reasons)
    denied = [r for r in rows if r["decision"] == "deny"]
    assert any(
        "may only change subjects that start with 'meteorology.'" in r["reason"] for r in denied
    )
