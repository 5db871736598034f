"""The Kafka cluster of deploy/compose.yaml: three combined broker-controllers in KRaft
mode that form one quorum, with production durability, and the hub pointed at them."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.unit.deploy import compose_file

# Variables the apache/kafka image passes to the JVM instead of server.properties.
NOT_PROPERTIES = {
    "KAFKA_VERSION",
    "KAFKA_HEAP_OPTS",
    "KAFKA_LOG4J_OPTS",
    "KAFKA_OPTS",
    "KAFKA_JMX_OPTS",
    "KAFKA_JVM_PERFORMANCE_OPTS",
    "KAFKA_GC_LOG_OPTS",
    "KAFKA_LOG4J_ROOT_LOGLEVEL",
    "KAFKA_LOG4J_LOGGERS",
    "KAFKA_TOOLS_LOG4J_LOGLEVEL",
    "KAFKA_JMX_HOSTNAME",
}


def property_name(variable: str) -> str:
    """The image's mapping backwards: ``_`` is ``.``, ``__`` is ``_``, ``___`` is ``-``."""
    runs = {1: ".", 2: "_", 3: "-"}
    return re.sub(r"_+", lambda m: runs[len(m.group())], variable[len("KAFKA_") :]).lower()


def properties(service: dict[str, Any]) -> dict[str, str]:
    env = compose_file.environment(service)
    return {
        property_name(name): value
        for name, value in env.items()
        if name.startswith("KAFKA_") and name not in NOT_PROPERTIES
    }


def brokers() -> dict[str, dict[str, str]]:
    """The services running the apache/kafka image, by name, with their properties."""
    return {
        name: properties(service)
        for name, service in compose_file.services().items()
        if str(service.get("image", "")).startswith("apache/kafka:")
    }


def listener_port(listeners: str, name: str) -> int:
    for listener in listeners.split(","):
        prefix, _, address = listener.partition("://")
        if prefix == name:
            return int(address.rpartition(":")[2])
    raise AssertionError(f"no {name} listener in {listeners!r}")


def voters(text: str) -> dict[int, tuple[str, int]]:
    """``1@kafka-1:9093,...`` as node id -> (host, port)."""
    found = {}
    for voter in text.split(","):
        node, _, address = voter.partition("@")
        host, _, port = address.rpartition(":")
        found[int(node)] = (host, int(port))
    return found


def test_the_variable_names_map_to_properties() -> None:
    """Breaks if the reverse mapping is wrong, and with it every check below."""
    assert property_name("KAFKA_MIN_INSYNC_REPLICAS") == "min.insync.replicas"
    assert property_name("KAFKA_LISTENER_NAME_A__B___C") == "listener.name.a_b-c"


def test_three_combined_nodes_in_kraft_mode() -> None:
    """Breaks if a broker is added or removed, or one runs without the controller role
    (then the quorum of three is not what runs)."""
    nodes = brokers()
    assert len(nodes) == 3
    for name, props in nodes.items():
        assert set(props["process.roles"].split(",")) == {"broker", "controller"}, name
        assert "zookeeper.connect" not in props, name


def test_the_quorum_voters_are_exactly_the_three_nodes() -> None:
    """Breaks on a duplicate node id, a voter naming a service that does not exist, a
    voter on the wrong port, or nodes that disagree on the voters or the cluster id."""
    nodes = brokers()
    ids = {int(props["node.id"]): name for name, props in nodes.items()}
    assert len(ids) == len(nodes), "node ids must be unique"
    quorum = {props["controller.quorum.voters"] for props in nodes.values()}
    assert len(quorum) == 1, "every node must list the same voters"
    voter_list = voters(quorum.pop())
    assert voter_list.keys() == ids.keys()
    for node_id, (host, port) in voter_list.items():
        props = nodes[ids[node_id]]
        assert host == ids[node_id]
        controller = props["controller.listener.names"]
        assert port == listener_port(props["listeners"], controller)
    cluster_ids = {
        compose_file.environment(compose_file.services()[name])["CLUSTER_ID"] for name in nodes
    }
    assert len(cluster_ids) == 1
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", cluster_ids.pop()), "a base64 UUID"


def test_each_node_advertises_itself_and_keeps_its_own_volume() -> None:
    """Breaks if a node advertises another's address (clients would be sent to the
    wrong broker) or two nodes share a log directory volume."""
    services = compose_file.services()
    volumes = []
    for name, props in brokers().items():
        assert props["advertised.listeners"] == f"PLAINTEXT://{name}:9092"
        mounts = [v.split(":") for v in services[name]["volumes"]]
        data = [source for source, target, *_ in mounts if target == props["log.dirs"]]
        assert len(data) == 1, name
        volumes += data
    assert len(set(volumes)) == 3


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("default.replication.factor", "3"),
        ("min.insync.replicas", "2"),
        ("offsets.topic.replication.factor", "3"),
        ("transaction.state.log.replication.factor", "3"),
        ("transaction.state.log.min.isr", "2"),
        ("auto.create.topics.enable", "false"),
        ("unclean.leader.election.enable", "false"),
    ],
)
def test_production_durability(name: str, expected: str) -> None:
    """Breaks if any node loosens durability: fewer copies, a write acknowledged by one
    broker, or topics made by the broker on first use."""
    for node, props in brokers().items():
        assert props.get(name) == expected, node


def test_the_hub_uses_all_three_brokers_with_the_same_durability() -> None:
    """Breaks if a hub process bootstraps from a broker that does not exist, misses one,
    or creates topics with fewer copies or a lower min ISR than the brokers' defaults."""
    nodes = brokers()
    addresses = {
        f"{name}:{listener_port(p['listeners'], 'PLAINTEXT')}" for name, p in nodes.items()
    }
    replication = {p["default.replication.factor"] for p in nodes.values()}
    min_isr = {p["min.insync.replicas"] for p in nodes.values()}
    for name, service in compose_file.hub_services().items():
        env = compose_file.environment(service)
        assert set(env["HUB_KAFKA_BOOTSTRAP"].split(",")) == addresses, name
        assert {env["HUB_KAFKA_REPLICATION_FACTOR"]} == replication, name
        assert {env["HUB_KAFKA_MIN_INSYNC_REPLICAS"]} == min_isr, name
        assert env["HUB_KAFKA_IDEMPOTENT"] == "true", name
