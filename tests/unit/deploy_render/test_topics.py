"""One KafkaTopic per topic the hub provisions, durable, and named as Kubernetes wants.

The topics are compared with what ``hub.provision.provision`` itself asks the bus to
create (run here on a throwaway SQLite database and a bus that only records), so a topic
the hub starts to create, or a size it starts to set, is missing from the manifests
until the renderer follows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import cast

import pytest

from hub.bus.protocols import Bus
from hub.bus.records import TopicSpec
from hub.config import PROJECT_ROOT, DatabaseSettings, Settings
from hub.deploy.names import is_dns_label
from hub.deploy.render import Manifest
from hub.deploy.site import Site
from hub.deploy.topics import kafka_topics
from hub.errors import ConfigError
from hub.policy.model import Policy
from hub.provision import provision
from hub.store.engine import make_engine
from tests.unit.deploy_render.pods import of_kind


class RecordingBus:
    """Enough of a ``Bus`` for ``provision``: it keeps the topics it is asked for."""

    def __init__(self) -> None:
        self.specs: list[TopicSpec] = []

    def admin(self) -> RecordingBus:
        return self

    def ensure_topics(self, specs: Sequence[TopicSpec]) -> list[str]:
        self.specs += specs
        return [spec.name for spec in specs]


@pytest.fixture(scope="module")
def provisioned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, TopicSpec]:
    folder = tmp_path_factory.mktemp("provision")
    settings = Settings(
        policies_dir=PROJECT_ROOT / "policies",
        schemas_dir=PROJECT_ROOT / "schemas",
        database=DatabaseSettings(url=f"sqlite:///{folder / 'hub.db'}"),
    )
    engine = make_engine(settings.database)
    bus = RecordingBus()
    try:
        provision(settings, engine=engine, bus=cast(Bus, bus))
    finally:
        engine.dispose()
    return {spec.name: spec for spec in bus.specs}


def _spec(topic: Manifest) -> tuple[int, dict[str, int]]:
    config = {k: v for k, v in topic["spec"]["config"].items() if k != "min.insync.replicas"}
    return topic["spec"]["partitions"], config


def test_there_is_a_kafka_topic_for_each_topic_the_hub_provisions(
    manifests: list[Manifest], provisioned: dict[str, TopicSpec]
) -> None:
    rendered = {t["spec"]["topicName"]: _spec(t) for t in of_kind(manifests, "KafkaTopic")}
    expected = {
        name: (spec.partitions, {k: int(v) for k, v in spec.config})
        for name, spec in provisioned.items()
    }
    assert rendered == expected
    # The hub leaves the copies to the cluster's setting, which the manifests make 3.
    assert {spec.replication for spec in provisioned.values()} <= {None, 3}
    # The catalogue's largest stream is sized, so the comparison is not of empty configs.
    assert rendered["meteorology.warning.v1"][1] == {"max.message.bytes": 2_162_688}


def test_every_topic_is_three_copies_two_in_sync_with_a_valid_name(
    manifests: list[Manifest],
) -> None:
    topics = of_kind(manifests, "KafkaTopic")
    names = [t["metadata"]["name"] for t in topics]
    assert len(set(names)) == len(names)
    for topic in topics:
        assert is_dns_label(topic["metadata"]["name"]), topic["metadata"]["name"]
        assert topic["spec"]["replicas"] == 3
        assert topic["spec"]["config"]["min.insync.replicas"] == 2
    assert "hub-audit-checkpoints" in names


def test_two_topics_that_would_share_a_name_are_refused(policy: Policy) -> None:
    streams = list(policy.streams)
    twin = streams[0].model_copy(update={"id": streams[0].id.replace(".", "-", 1)})
    # Not loadable from files (a stream id names its owner), so built in place.
    clashing = policy.model_copy(update={"streams": (*streams, twin)})
    expected = f"and {twin.topic} would both be KafkaTopic {twin.topic.replace('.', '-')}"
    with pytest.raises(ConfigError, match=re.escape(expected)):
        kafka_topics(clashing, Site())
