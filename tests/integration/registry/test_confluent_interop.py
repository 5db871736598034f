"""Independent clients against the running hub: confluent-kafka's registry client and Avro
serdes (librdkafka underneath), and kcat. Nothing here uses Linkage's own client code to
check Linkage's output."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fastavro
import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

from connectors.meteorology_cap import CapWarningConnector
from tests.utils.server import serving
from tests.utils.stack import Stack, gateway_stack

pytestmark = [pytest.mark.kafka, pytest.mark.e2e]
DATA = Path(__file__).resolve().parents[2] / "data"
TOPIC = "meteorology.warning.v1"
SUBJECT = f"{TOPIC}-value"


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, str]]:
    with (
        gateway_stack(tmp_path_factory.mktemp("interop")) as stack,
        serving(stack.http.app) as base,
    ):
        report = stack.run(CapWarningConnector(DATA / "cap-made"))
        assert report.published == 3
        yield stack, f"{base}/registry"


def basic_client(stack: Stack, url: str, client: str = "meteorology-feed") -> SchemaRegistryClient:
    issued = stack.credentials[client]
    return SchemaRegistryClient(
        {"url": url, "basic.auth.user.info": f"{issued.client_id}:{issued.client_secret}"}
    )


def consume_all(bootstrap: str, topic: str, timeout_s: float = 15) -> list:
    """librdkafka by partition assignment: Tansu's group join is not what we test here."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"interop-{uuid.uuid4().hex[:6]}",
            "enable.auto.commit": False,
            "fetch.wait.max.ms": 10,
        }
    )
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
        messages, quiet_since = [], time.monotonic()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and time.monotonic() - quiet_since < 2:
            message = consumer.poll(0.2)
            if message is not None and message.error() is None:
                messages.append(message)
                quiet_since = time.monotonic()
        return messages
    finally:
        consumer.close()


def produce_and_read_back(stack: Stack, topic: str, value: bytes, event_id: str) -> dict:
    """Produce with librdkafka, read the warnings through the gateway: the one event."""
    producer = Producer({"bootstrap.servers": stack.broker.bootstrap})
    producer.produce(topic, value=value, key=event_id.encode())
    assert producer.flush(10) == 0
    page = stack.http.get(
        "/v1/streams/meteorology.warning/events?limit=100", headers=stack.bearer("health-dispatch")
    ).json()
    assert "skipped" not in page, "every record on the topic decodes"
    (mine,) = [e["event"] for e in page["events"] if e["event"]["envelope"]["event_id"] == event_id]
    return mine


def warning_event(event_id: str) -> dict:
    now = int(time.time() * 1000)
    return {
        "envelope": {
            "event_id": event_id,
            "source_agency": "meteorology",
            "occurred_at": now,
            "published_at": now,
            "incident_id": None,
            "classification": {
                "category": "NATURAL_DISASTER",
                "code": "11B01",
                "label": "台风黄色预警",
            },
            "severity": "III",
            "area": {
                "district_code": "440305",
                "description": "南山区",
                "point": None,
                "polygon": None,
                "circle": None,
            },
            "sensitivity": "PUBLIC",
        },
        "signal": {"kind": "typhoon", "code": "11B01", "color": "YELLOW"},
        "identifier": f"interop-{event_id}",
        "sender": "confluent-kafka test",
        "sent": "2026-08-01T10:00:00+08:00",
        "status": "Test",
        "msg_type": "Alert",
        "source": None,
        "scope": "Public",
        "restriction": None,
        "addresses": None,
        "codes": [],
        "note": None,
        "references": [],
        "incidents": None,
        "info": [
            {
                "language": "zh-CN",
                "categories": ["Met"],
                "event": "台风黄色预警",
                "response_types": [],
                "urgency": "Expected",
                "severity": "Moderate",
                "certainty": "Likely",
                "audience": None,
                "event_codes": [],
                "effective": None,
                "onset": None,
                "expires": None,
                "sender_name": None,
                "headline": "台风黄色预警",
                "description": None,
                "instruction": None,
                "web": None,
                "contact": None,
                "parameters": [],
                "resources": [],
                "areas": [],
            }
        ],
    }


def test_a_record_serialized_by_confluent_kafka_is_read_through_the_gateway(hub) -> None:
    stack, url = hub
    registry = basic_client(stack, url)
    latest = registry.get_latest_version(SUBJECT)
    serializer = AvroSerializer(
        registry,
        latest.schema.schema_str,
        conf={"auto.register.schemas": False, "use.latest.version": True},
    )
    event_id = str(uuid.uuid4())
    value = serializer(warning_event(event_id), SerializationContext(TOPIC, MessageField.VALUE))
    assert value[0] == 0 and int.from_bytes(value[1:5], "big") == latest.schema_id
    mine = produce_and_read_back(stack, TOPIC, value, event_id)
    assert mine["signal"] == {"kind": "typhoon", "code": "11B01", "color": "YELLOW"}
    assert mine["info"][0]["headline"] == "台风黄色预警"


def test_a_connectors_records_are_deserialized_by_confluent_kafka(hub) -> None:
    stack, url = hub
    deserializer = AvroDeserializer(basic_client(stack, url, client="health-dispatch"))
    decoded = [
        deserializer(m.value(), SerializationContext(TOPIC, MessageField.VALUE))
        for m in consume_all(stack.broker.bootstrap, TOPIC)
    ]
    by_id = {d["identifier"]: d for d in decoded}
    orange = by_id["44030041600000_20260615093000_1"]
    assert orange["envelope"]["source_agency"] == "meteorology"
    assert orange["signal"]["color"] == "ORANGE"
    assert orange["info"][1]["language"] == "en-US"


@pytest.mark.parametrize("auth", ["basic", "static-bearer", "oauthbearer"])
def test_the_registry_client_works_unchanged_with_each_kind_of_credential(hub, auth: str) -> None:
    stack, url = hub
    issued = stack.credentials["meteorology-feed"]
    conf = {"url": url}
    if auth == "basic":
        conf["basic.auth.user.info"] = f"{issued.client_id}:{issued.client_secret}"
    elif auth == "static-bearer":
        conf.update(
            {
                "bearer.auth.credentials.source": "STATIC_TOKEN",
                "bearer.auth.token": stack.token("meteorology-feed"),
                "bearer.auth.logical.cluster": "lsrc-linkage",
                "bearer.auth.identity.pool.id": "pool-1",
            }
        )
    else:
        conf.update(
            {
                "bearer.auth.credentials.source": "OAUTHBEARER",
                "bearer.auth.client.id": issued.client_id,
                "bearer.auth.client.secret": issued.client_secret,
                "bearer.auth.scope": "registry:write",
                "bearer.auth.issuer.endpoint.url": url.removesuffix("/registry") + "/oauth/token",
                "bearer.auth.logical.cluster": "lsrc-linkage",
            }
        )
    registry = SchemaRegistryClient(conf)
    subject = f"meteorology.interop-{auth}.v1-value"
    v1 = Schema(
        json.dumps(
            {
                "type": "record",
                "name": "Probe",
                "namespace": "linkage.test",
                "fields": [{"name": "a", "type": "int"}],
            }
        ),
        "AVRO",
    )
    v2 = Schema(
        json.dumps(
            {
                "type": "record",
                "name": "Probe",
                "namespace": "linkage.test",
                "fields": [
                    {"name": "a", "type": "int"},
                    {"name": "b", "type": ["null", "string"], "default": None},
                ],
            }
        ),
        "AVRO",
    )
    broken = Schema(
        json.dumps(
            {
                "type": "record",
                "name": "Probe",
                "namespace": "linkage.test",
                "fields": [{"name": "a", "type": "string"}],
            }
        ),
        "AVRO",
    )
    schema_id = registry.register_schema(subject, v1)
    assert registry.register_schema(subject, v1) == schema_id
    assert registry.lookup_schema(subject, v1).version == 1
    assert json.loads(str(registry.get_schema(schema_id).schema_str)) == json.loads(
        str(v1.schema_str)
    )
    assert registry.test_compatibility(subject, v2) is True
    assert registry.test_compatibility(subject, broken) is False
    registry.register_schema(subject, v2)
    assert registry.get_latest_version(subject).version == 2
    assert registry.get_version(subject, 1).schema_id == schema_id
    assert subject in registry.get_subjects()
    assert registry.get_versions(subject) == [1, 2]
    changed: object = registry.set_compatibility(subject, "FULL")  # a dict, whatever its stub says
    assert changed == {"compatibility": "FULL"}
    assert registry.get_compatibility(subject) == "FULL"
    with pytest.raises(SchemaRegistryError) as refused:
        registry.register_schema(subject, broken)
    assert refused.value.http_status_code == 409
    assert registry.delete_version(subject, 1) == 1
    assert registry.delete_subject(subject) == [2]
    assert registry.delete_subject(subject, permanent=True) == [1, 2]
    with pytest.raises(SchemaRegistryError) as missing:
        SchemaRegistryClient(conf).get_latest_version(subject)  # a fresh client: no cached answer
    assert (missing.value.http_status_code, missing.value.error_code) == (404, 40401)


def test_a_client_without_write_scope_is_refused_by_the_registry(hub) -> None:
    stack, url = hub
    registry = basic_client(stack, url, client="health-dispatch")
    with pytest.raises(SchemaRegistryError) as refused:
        registry.register_schema("health.interop.v1-value", Schema('{"type": "string"}', "AVRO"))
    assert refused.value.http_status_code == 403


def kcat_env(tmp_path: Path) -> dict[str, str]:
    """Debian's kcat links librdkafka 2.0.2, which misreads Tansu's ApiVersions v3 reply;
    the same kcat binary runs on the newer librdkafka that the confluent-kafka wheel ships
    (the library keeps its ABI), so it is pointed there."""
    import confluent_kafka

    bundled = sorted(
        (Path(confluent_kafka.__file__).parent.parent / "confluent_kafka.libs").glob(
            "librdkafka*.so*"
        )
    )
    env = dict(os.environ)
    if bundled:
        (tmp_path / "librdkafka.so.1").symlink_to(bundled[-1])
        env["LD_LIBRARY_PATH"] = str(tmp_path)
    return env


def test_kcat_reads_the_framed_records_from_the_topic(hub, tmp_path: Path) -> None:
    stack, _url = hub
    kcat = shutil.which("kcat")
    if kcat is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(
                "kcat is missing on CI: `make test` installs it with .ci/install-debian-tools"
            )
        pytest.skip("kcat is not installed (make tools)")
    result = subprocess.run(
        [
            kcat,
            "-C",
            "-b",
            stack.broker.bootstrap,
            "-t",
            TOPIC,
            "-p",
            "0",
            "-o",
            "beginning",
            "-c",
            "1",
            "-e",
            "-f",
            "%k\n%h\n%s",
        ],
        capture_output=True,
        timeout=30,
        check=True,
        env=kcat_env(tmp_path),
    )
    key, headers, value = result.stdout.split(b"\n", 2)
    assert uuid.UUID(key.decode())
    assert b"traceparent=00-" in headers
    schema = stack.hub.registry.latest(SUBJECT)
    assert schema is not None
    assert value[0] == 0, "magic byte"
    assert int.from_bytes(value[1:5], "big") == schema.schema_id
    decoded: Any = fastavro.schemaless_reader(
        io.BytesIO(value[5:]), fastavro.parse_schema(json.loads(schema.text)), None
    )
    assert str(decoded["envelope"]["event_id"]) == key.decode()
