"""The in-memory bus keeps the same contract as the Kafka adapter."""

from __future__ import annotations

import pytest

from hub.bus.protocols import Bus
from hub.bus.records import TopicSpec
from hub.connect.testing import MemoryBus
from hub.errors import BrokerUnavailable
from tests.utils.bus_cases import BusCases


class TestMemoryBus(BusCases):
    @pytest.fixture
    def bus(self) -> Bus:
        return MemoryBus()


def test_an_unavailable_memory_bus_refuses_like_a_broker_outage() -> None:
    bus = MemoryBus()
    bus.admin().ensure_topics([TopicSpec("t.v1")])
    bus.available = False
    with pytest.raises(BrokerUnavailable):
        bus.publisher().send("t.v1", b"x")
    with pytest.raises(BrokerUnavailable):
        bus.reader().read("t.v1", positions={}, limit=1)
    bus.available = True
    assert bus.publisher().send("t.v1", b"x").result(1).offset == 0
