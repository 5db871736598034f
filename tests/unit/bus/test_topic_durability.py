"""Topics the hub creates take the cluster's durability settings unless a spec says."""

from __future__ import annotations

from hub.bus.kafka.admin import KafkaAdmin
from hub.bus.records import TopicSpec
from hub.config import KafkaSettings


def test_a_production_cluster_gets_three_copies_and_two_in_sync() -> None:
    admin = KafkaAdmin(KafkaSettings(replication_factor=3, min_insync_replicas=2), "kafka:9092")
    topic = admin._new_topic(TopicSpec("a.v1", 6, config=(("max.message.bytes", "2000000"),)))
    assert (topic.name, topic.num_partitions, topic.replication_factor) == ("a.v1", 6, 3)
    assert topic.topic_configs == {"max.message.bytes": "2000000", "min.insync.replicas": "2"}


def test_a_spec_keeps_its_own_replication_and_settings() -> None:
    admin = KafkaAdmin(KafkaSettings(replication_factor=3, min_insync_replicas=2), "kafka:9092")
    topic = admin._new_topic(
        TopicSpec("b.v1", replication=1, config=(("min.insync.replicas", "1"),))
    )
    assert topic.replication_factor == 1
    assert topic.topic_configs == {"min.insync.replicas": "1"}


def test_the_embedded_default_is_one_copy_and_no_topic_settings() -> None:
    topic = KafkaAdmin(KafkaSettings(), "127.0.0.1:9092")._new_topic(TopicSpec("c.v1"))
    assert (topic.replication_factor, topic.topic_configs) == (1, {})
