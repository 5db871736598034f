"""The Strimzi ``Kafka`` cluster: KRaft, with node pools for controllers and brokers.

Three controllers hold the metadata quorum (one may be lost) and three brokers hold
three copies of every topic, two of which must have a record before a write counts. Clients reach the brokers on one
listener, TLS with SCRAM-SHA-512 passwords: the password of each ``KafkaUser`` is made by
the user operator into a Secret of the user's name, and the cluster's CA certificate
into ``<cluster>-cluster-ca-cert``, which the hub's pods mount to check the brokers.
Authorization is ``simple``: Kafka's own ACLs, which the user operator keeps equal to
each ``KafkaUser``'s list, so nothing reads a topic the policy does not let it.
"""

from __future__ import annotations

from hub.deploy.render import Manifest
from hub.deploy.site import Site

STRIMZI_API = "kafka.strimzi.io/v1"
#: The Kafka release of the Strimzi version the schemas in tests/data/strimzi are from.
KAFKA_VERSION = "4.3.1"
LISTENER = "tls"
LISTENER_PORT = 9093
CONTROLLERS = 3
BROKERS = 3
#: Copies of every topic, and how many must hold a record before a write counts: one
#: broker can be lost (or drained) without losing a write or refusing one.
REPLICAS = BROKERS
MIN_INSYNC_REPLICAS = 2


def cluster_label(site: Site) -> dict[str, str]:
    """The label Strimzi's operators find a node pool, topic or user's cluster by."""
    return {"strimzi.io/cluster": site.cluster}


def bootstrap(site: Site) -> str:
    """The address clients start from (Strimzi's bootstrap Service, same namespace)."""
    return f"{site.cluster}-kafka-bootstrap:{LISTENER_PORT}"


def ca_secret(site: Site) -> str:
    return f"{site.cluster}-cluster-ca-cert"


def broker_pods(site: Site) -> dict[str, str]:
    """The labels Strimzi puts on the broker pods, for NetworkPolicies."""
    return {**cluster_label(site), "strimzi.io/broker-role": "true"}


def kafka_cluster(site: Site) -> list[Manifest]:
    return [
        _pool(site, "controller", CONTROLLERS, size="20Gi", memory="2Gi"),
        _pool(site, "broker", BROKERS, size="100Gi", memory="4Gi"),
        {
            "apiVersion": STRIMZI_API,
            "kind": "Kafka",
            "metadata": {
                "name": site.cluster,
                "namespace": site.namespace,
                # KRaft and node pools are all Strimzi 0.48+ does (it ignores these);
                # they say so to a reader, and to an older operator.
                "annotations": {
                    "strimzi.io/node-pools": "enabled",
                    "strimzi.io/kraft": "enabled",
                },
            },
            "spec": {
                "kafka": {
                    "version": KAFKA_VERSION,
                    "listeners": [
                        {
                            "name": LISTENER,
                            "port": LISTENER_PORT,
                            "type": "internal",
                            "tls": True,
                            "authentication": {"type": "scram-sha-512"},
                        }
                    ],
                    "authorization": {"type": "simple"},
                    "config": {
                        # Topics exist because the catalogue says so (KafkaTopic), not
                        # because a client misspelt a name.
                        "auto.create.topics.enable": False,
                        "default.replication.factor": REPLICAS,
                        "min.insync.replicas": MIN_INSYNC_REPLICAS,
                        "offsets.topic.replication.factor": REPLICAS,
                        "transaction.state.log.replication.factor": REPLICAS,
                        "transaction.state.log.min.isr": MIN_INSYNC_REPLICAS,
                    },
                },
                "entityOperator": {"topicOperator": {}, "userOperator": {}},
            },
        },
    ]


def _pool(site: Site, role: str, replicas: int, *, size: str, memory: str) -> Manifest:
    return {
        "apiVersion": STRIMZI_API,
        "kind": "KafkaNodePool",
        "metadata": {
            "name": f"{role}s",
            "namespace": site.namespace,
            "labels": cluster_label(site),
        },
        "spec": {
            "replicas": replicas,
            "roles": [role],
            "storage": {
                "type": "jbod",
                "volumes": [
                    {
                        "id": 0,
                        "type": "persistent-claim",
                        "size": size,
                        # The data outlives the pool: deleting the resource keeps the disks.
                        "deleteClaim": False,
                        "kraftMetadata": "shared",
                    }
                ],
            },
            "resources": {
                "requests": {"cpu": "500m", "memory": memory},
                "limits": {"memory": memory},
            },
        },
    }
