"""Schema references (Confluent ``references``): register, resolve, refuse, and decode.

A shared record is registered once under its own subject; other schemas use it by name.
The same cases run on SQLite and PostgreSQL; at the end confluent-kafka's own
serializer resolves the references against the hub and the gateway decodes its record.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from connectors.meteorology_cap import CapWarningConnector
from hub.catalog.files import SchemaCatalog
from tests.integration.registry.test_confluent_interop import produce_and_read_back, warning_event
from tests.utils.server import serving
from tests.utils.stack import Stack, stack_on

pytestmark = pytest.mark.kafka
ROOT = Path(__file__).resolve().parents[3]
CT = {"Content-Type": "application/vnd.schemaregistry.v1+json"}
PLACE = "linkage.test.Place"


def place(*extra: dict) -> str:
    fields = [{"name": "district", "type": "string"}, *extra]
    return json.dumps(
        {"type": "record", "name": "Place", "namespace": "linkage.test", "fields": fields}
    )


def sighting(name: str = "Sighting", *extra: dict) -> str:
    fields = [{"name": "id", "type": "string"}, {"name": "where", "type": PLACE}, *extra]
    return json.dumps(
        {"type": "record", "name": name, "namespace": "linkage.test", "fields": fields}
    )


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    with stack_on(request, tmp_path_factory, "refs") as running:
        yield running


def call(stack: Stack, method: str, path: str, body: dict | None = None):
    issued = stack.credentials["meteorology-feed"]
    return stack.http.request(
        method,
        f"/registry{path}",
        auth=(issued.client_id, issued.client_secret),
        headers=CT,
        content=json.dumps(body) if body is not None else None,
    )


def ref(subject: str, version: int, name: str = PLACE) -> dict:
    return {"name": name, "subject": subject, "version": version}


def error(response, status: int, code: int) -> str:
    assert response.status_code == status, response.text
    assert response.json()["error_code"] == code
    return str(response.json()["message"])


def fresh(label: str) -> str:
    return f"meteorology.{label}-{uuid.uuid4().hex[:6]}.v1-value"


def register_place(stack: Stack, subject: str, schema: str | None = None) -> dict:
    response = call(stack, "POST", f"/subjects/{subject}/versions", {"schema": schema or place()})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_schema_uses_a_type_registered_under_another_subject(stack: Stack) -> None:
    places, sightings = fresh("place"), fresh("sighting")
    register_place(stack, places)
    body = {"schema": sighting(), "references": [ref(places, 1)]}
    done = call(stack, "POST", f"/subjects/{sightings}/versions", body)
    assert done.status_code == 200, done.text
    schema_id = done.json()["id"]
    by_id = call(stack, "GET", f"/schemas/ids/{schema_id}").json()
    assert by_id["references"] == [ref(places, 1)]
    assert json.loads(by_id["schema"])["fields"][1]["type"] == PLACE, "stored as sent: by name"
    version = call(stack, "GET", f"/subjects/{sightings}/versions/1").json()
    assert version["references"] == [ref(places, 1)] and version["id"] == schema_id
    assert "references" not in call(stack, "GET", f"/subjects/{places}/versions/1").json()
    found = call(stack, "POST", f"/subjects/{sightings}", body).json()
    assert (found["version"], found["id"], found["references"]) == (1, schema_id, [ref(places, 1)])
    again = call(stack, "POST", f"/subjects/{sightings}/versions", body).json()
    assert again["id"] == schema_id, "the same schema with the same references keeps its id"
    assert call(stack, "GET", f"/subjects/{places}/versions/1/referencedby").json() == [schema_id]


def test_latest_is_stored_as_the_version_it_meant_and_references_are_identity(
    stack: Stack,
) -> None:
    places, sightings = fresh("place"), fresh("sighting")
    register_place(stack, places)
    register_place(stack, places, place({"name": "street", "type": "string", "default": ""}))
    first = call(
        stack,
        "POST",
        f"/subjects/{sightings}/versions",
        {"schema": sighting(), "references": [ref(places, 1)]},
    ).json()
    latest = call(
        stack,
        "POST",
        f"/subjects/{sightings}/versions",
        {"schema": sighting(), "references": [ref(places, -1)]},
    )
    assert latest.status_code == 200, latest.text
    assert latest.json()["id"] != first["id"], (
        "the same text with other references is another schema"
    )
    assert latest.json()["version"] == 2
    stored = call(stack, "GET", f"/schemas/ids/{latest.json()['id']}").json()
    assert stored["references"] == [ref(places, 2)]


def test_a_missing_or_malformed_reference_is_42201(stack: Stack) -> None:
    sightings = fresh("sighting")
    for references, expected in [
        (
            [ref("meteorology.nowhere-value", 1)],
            'No schema reference found for subject "meteorology.nowhere-value" and version 1',
        ),
        ([{"name": PLACE, "subject": "x"}], "Invalid reference"),
        ([{"name": PLACE, "subject": "x", "version": "latest"}], "Invalid reference"),
        ([], "Invalid schema"),  # no references: the type is unknown
    ]:
        response = call(
            stack,
            "POST",
            f"/subjects/{sightings}/versions",
            {"schema": sighting(), "references": references},
        )
        assert expected in error(response, 422, 42201)


def test_a_new_schema_may_not_refer_to_a_soft_deleted_version(stack: Stack) -> None:
    places, sightings = fresh("place"), fresh("sighting")
    register_place(stack, places)
    assert call(stack, "DELETE", f"/subjects/{places}/versions/1").status_code == 200
    response = call(
        stack,
        "POST",
        f"/subjects/{sightings}/versions",
        {"schema": sighting(), "references": [ref(places, 1)]},
    )
    assert "No schema reference found" in error(response, 422, 42201)


def test_a_referenced_version_cannot_be_deleted_until_nothing_refers_to_it(stack: Stack) -> None:
    places, sightings = fresh("place"), fresh("sighting")
    register_place(stack, places)
    call(
        stack,
        "POST",
        f"/subjects/{sightings}/versions",
        {"schema": sighting(), "references": [ref(places, 1)]},
    )
    message = error(call(stack, "DELETE", f"/subjects/{places}/versions/1"), 422, 42206)
    assert message == (
        f"One or more references exist to the schema {{magic=1,keytype=SCHEMA,subject={places},version=1}}."
    )
    error(call(stack, "DELETE", f"/subjects/{places}"), 422, 42206)
    error(call(stack, "DELETE", f"/subjects/{places}/versions/1?permanent=true"), 422, 42206)
    # Soft-deleting the referrer frees a soft delete, not yet a permanent one.
    assert call(stack, "DELETE", f"/subjects/{sightings}/versions/1").status_code == 200
    assert call(stack, "GET", f"/subjects/{places}/versions/1/referencedby").json() == []
    assert call(stack, "DELETE", f"/subjects/{places}/versions/1").json() == 1
    error(call(stack, "DELETE", f"/subjects/{places}/versions/1?permanent=true"), 422, 42206)
    assert call(stack, "DELETE", f"/subjects/{sightings}/versions/1?permanent=true").json() == 1
    assert call(stack, "DELETE", f"/subjects/{places}/versions/1?permanent=true").json() == 1


def test_registering_again_keeps_a_soft_deleted_version_something_refers_to(
    stack: Stack,
) -> None:
    places, sightings = fresh("place"), fresh("sighting")
    register_place(stack, places)
    done = call(
        stack,
        "POST",
        f"/subjects/{sightings}/versions",
        {"schema": sighting(), "references": [ref(places, 1)]},
    ).json()
    call(stack, "DELETE", f"/subjects/{sightings}/versions/1")
    call(stack, "DELETE", f"/subjects/{places}/versions/1")
    again = register_place(stack, places)
    assert again["version"] == 2, "version 1 stays, soft-deleted, for what refers to it"
    assert call(stack, "GET", f"/subjects/{places}/versions?deleted=true").json() == [1, 2]
    written_out = json.loads(stack.hub.registry.decodable(done["id"]).text)
    place_type = written_out["fields"][1]["type"]
    assert place_type["fields"][0]["name"] == "district", "the referrer still resolves"


def test_old_versions_with_references_are_checked_with_what_they_refer_to(stack: Stack) -> None:
    places, sightings = fresh("place"), fresh("sighting")
    register_place(stack, places)
    body = {"schema": sighting(), "references": [ref(places, 1)]}
    call(stack, "POST", f"/subjects/{sightings}/versions", body)
    required = {"name": "seen_by", "type": "string"}
    check = call(
        stack,
        "POST",
        f"/compatibility/subjects/{sightings}/versions/latest?verbose=true",
        {"schema": sighting("Sighting", required), "references": [ref(places, 1)]},
    ).json()
    assert check["is_compatible"] is False
    assert any("field:'seen_by'" in m for m in check["messages"])
    defaulted = {"name": "seen_by", "type": "string", "default": "duty officer"}
    ok = call(
        stack,
        "POST",
        f"/subjects/{sightings}/versions",
        {"schema": sighting("Sighting", defaulted), "references": [ref(places, 1)]},
    )
    assert ok.json()["version"] == 2
    # A client that cannot send references sends the schema written out: it means v2.
    inlined = json.loads(sighting("Sighting", defaulted))
    inlined["fields"][1]["type"] = json.loads(place())
    written_out = {"schema": json.dumps(inlined)}
    assert (
        call(stack, "POST", f"/subjects/{sightings}/versions", written_out).json()["version"] == 2
    )
    assert call(stack, "POST", f"/subjects/{sightings}", written_out).json()["version"] == 2


def test_confluent_kafkas_serializer_resolves_references_and_the_gateway_decodes(
    stack: Stack,
) -> None:
    """The warning stream's schema, with its Envelope taken by reference instead of inlined."""
    resolved = SchemaCatalog.load(ROOT / "schemas").resolve("linkage.meteorology.Warning")
    envelope = resolved["fields"][0]["type"]
    with_reference = json.loads(json.dumps(resolved))
    with_reference["fields"][0]["type"] = envelope["name"]
    envelopes = "meteorology.envelope-value"
    if call(stack, "GET", f"/subjects/{envelopes}/versions").status_code != 200:
        register_place(stack, envelopes, json.dumps(envelope))
    subject, topic = "meteorology.warning.v1-value", "meteorology.warning.v1"
    registered = call(
        stack,
        "POST",
        f"/subjects/{subject}/versions",
        {"schema": json.dumps(with_reference), "references": [ref(envelopes, 1, envelope["name"])]},
    )
    assert registered.status_code == 200, registered.text
    with serving(stack.http.app) as base:
        issued = stack.credentials["meteorology-feed"]
        client = SchemaRegistryClient(
            {
                "url": f"{base}/registry",
                "basic.auth.user.info": f"{issued.client_id}:{issued.client_secret}",
            }
        )
        latest = client.get_latest_version(subject)
        assert latest.schema_id == registered.json()["id"]
        assert [r.name for r in latest.schema.references or []] == [envelope["name"]]
        serializer = AvroSerializer(
            client, latest.schema, conf={"auto.register.schemas": False, "use.latest.version": True}
        )
        event_id = str(uuid.uuid4())
        value = serializer(warning_event(event_id), SerializationContext(topic, MessageField.VALUE))
    assert int.from_bytes(value[1:5], "big") == latest.schema_id
    mine = produce_and_read_back(stack, topic, value, event_id)
    assert mine["envelope"]["area"]["district_code"] == "440305"
    assert mine["signal"]["color"] == "YELLOW"
    # The hub's own connector now writes with that latest version, references and all.
    report = stack.run(CapWarningConnector(ROOT / "tests" / "data" / "cap-made"))
    assert report.published == 3
