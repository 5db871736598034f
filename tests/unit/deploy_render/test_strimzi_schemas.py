"""The Strimzi resources pass Strimzi's own schemas, and say what the cluster must be:
KRaft with controller and broker pools, a TLS listener with SCRAM, simple authorization
and both entity operators (the topic and user operators reconcile the rest)."""

from __future__ import annotations

import copy

import pytest

from hub.deploy.render import Manifest
from tests.unit.deploy_render.pods import of_kind
from tests.unit.deploy_render.strimzi_schemas import problems, validators

STRIMZI_KINDS = {"Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser"}


def test_every_strimzi_resource_passes_strimzis_schema(manifests: list[Manifest]) -> None:
    strimzi = [m for m in manifests if m["apiVersion"].startswith("kafka.strimzi.io/")]
    assert {m["kind"] for m in strimzi} == STRIMZI_KINDS
    assert {kind for _, kind in validators()} == STRIMZI_KINDS
    found = {f"{m['kind']}/{m['metadata']['name']}": problems(m) for m in strimzi if problems(m)}
    assert not found


@pytest.mark.parametrize(
    ("kind", "spoil", "expected"),
    [
        ("KafkaTopic", lambda m: m["spec"].update(replica=3), "'replica' was unexpected"),
        ("KafkaTopic", lambda m: m["spec"].update(partitions=0), "less than the minimum of 1"),
        (
            "KafkaUser",
            lambda m: m["spec"]["authentication"].update(type="scram"),
            "'scram' is not one of",
        ),
        (
            "KafkaUser",
            lambda m: m["spec"]["authorization"]["acls"][0].update(operations=["Reed"]),
            "'Reed' is not one of",
        ),
        ("Kafka", lambda m: m["spec"]["kafka"].pop("listeners"), "'listeners' is a required"),
        ("KafkaNodePool", lambda m: m["spec"].update(roles=["leader"]), "'leader' is not one of"),
    ],
    ids=["misspelt-field", "no-partitions", "auth-type", "acl-operation", "listeners", "role"],
)
def test_the_check_refuses_a_spoilt_resource(
    manifests: list[Manifest], kind: str, spoil: object, expected: str
) -> None:
    wrong = copy.deepcopy(of_kind(manifests, kind)[0])
    spoil(wrong)  # type: ignore[operator]
    assert any(expected in problem for problem in problems(wrong)), problems(wrong)


def test_the_cluster_is_kraft_with_controller_and_broker_pools(manifests: list[Manifest]) -> None:
    (kafka,) = of_kind(manifests, "Kafka")
    assert kafka["metadata"]["annotations"] == {
        "strimzi.io/node-pools": "enabled",
        "strimzi.io/kraft": "enabled",
    }
    pools = of_kind(manifests, "KafkaNodePool")
    roles = {tuple(p["spec"]["roles"]): p["spec"]["replicas"] for p in pools}
    assert roles == {("controller",): 3, ("broker",): 3}
    cluster = kafka["metadata"]["name"]
    for resource in [*pools, *of_kind(manifests, "KafkaTopic"), *of_kind(manifests, "KafkaUser")]:
        assert resource["metadata"]["labels"]["strimzi.io/cluster"] == cluster


def test_clients_reach_the_brokers_over_tls_with_scram_and_acls(manifests: list[Manifest]) -> None:
    (kafka,) = of_kind(manifests, "Kafka")
    spec = kafka["spec"]["kafka"]
    assert [(lsn["tls"], lsn["authentication"]["type"]) for lsn in spec["listeners"]] == [
        (True, "scram-sha-512")
    ]
    assert spec["authorization"] == {"type": "simple"}
    assert spec["config"]["auto.create.topics.enable"] is False
    assert spec["config"]["min.insync.replicas"] == 2
    assert set(kafka["spec"]["entityOperator"]) == {"topicOperator", "userOperator"}
