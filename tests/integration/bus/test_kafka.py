"""The Kafka adapter against the real embedded broker, through the bus ports."""

from __future__ import annotations

import pytest

from hub.bus.broker import EmbeddedBroker
from hub.bus.factory import open_bus
from hub.bus.protocols import Bus
from hub.config import KafkaSettings
from tests.utils.bus_cases import BusCases

pytestmark = pytest.mark.kafka


class TestKafkaBus(BusCases):
    @pytest.fixture
    def bus(self, broker: EmbeddedBroker) -> Bus:
        return open_bus(KafkaSettings(fetch_max_wait_ms=10), broker.bootstrap)
