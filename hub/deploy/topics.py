"""One Strimzi ``KafkaTopic`` per topic the hub provisions.

The set is ``hub.provision``'s: each stream's topic and dead-letter topic, and the audit
checkpoints' topic, with the same partitions and ``max.message.bytes``; a test holds the
two together. What the cluster adds is durability (``cluster.REPLICAS`` copies,
``cluster.MIN_INSYNC_REPLICAS`` in sync).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.audit.publication import CHECKPOINT_TOPIC
from hub.deploy.cluster import MIN_INSYNC_REPLICAS, REPLICAS, STRIMZI_API, cluster_label
from hub.deploy.names import dns_label
from hub.deploy.render import Manifest
from hub.deploy.site import Site
from hub.errors import ConfigError
from hub.policy.model import Policy, Stream
from hub.serde.wire import dead_letter_topic

#: Kafka's own limit, near enough; a stream that takes more says so to the broker.
KAFKA_DEFAULT_MESSAGE_BYTES = 1_000_000
#: Room for the record batch's own overhead above the largest event.
BATCH_OVERHEAD_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class PlannedTopic:
    name: str
    partitions: int
    config: dict[str, int] = field(default_factory=dict)


def planned_topics(policy: Policy) -> list[PlannedTopic]:
    """The topics ``hub.provision`` creates, each stream's beside its dead-letter topic."""
    planned = []
    for stream in policy.streams:
        planned.append(PlannedTopic(stream.topic, stream.partitions, _sized(stream)))
        planned.append(PlannedTopic(dead_letter_topic(stream.topic), 1, _sized(stream)))
    planned.append(PlannedTopic(CHECKPOINT_TOPIC, 1))
    return planned


def _sized(stream: Stream) -> dict[str, int]:
    # The rule of hub.provision._sized: the broker must take the stream's largest event.
    if stream.max_message_bytes <= KAFKA_DEFAULT_MESSAGE_BYTES:
        return {}
    return {"max.message.bytes": stream.max_message_bytes + BATCH_OVERHEAD_BYTES}


def kafka_topics(policy: Policy, site: Site) -> list[Manifest]:
    manifests = []
    named: dict[str, str] = {}
    for topic in planned_topics(policy):
        name = dns_label(topic.name)
        if name in named:
            raise ConfigError(
                f"topics {named[name]} and {topic.name} would both be KafkaTopic {name}"
            )
        named[name] = topic.name
        manifests.append(
            {
                "apiVersion": STRIMZI_API,
                "kind": "KafkaTopic",
                "metadata": {
                    "name": name,
                    "namespace": site.namespace,
                    "labels": cluster_label(site),
                },
                "spec": {
                    "topicName": topic.name,
                    "partitions": topic.partitions,
                    "replicas": REPLICAS,
                    "config": {"min.insync.replicas": MIN_INSYNC_REPLICAS, **topic.config},
                },
            }
        )
    return manifests
