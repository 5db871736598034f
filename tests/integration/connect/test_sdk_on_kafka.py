"""The connector SDK against the real broker: bad records never reach the stream, nor are lost."""

from __future__ import annotations

import pytest

from hub.bus.broker import EmbeddedBroker
from hub.bus.factory import open_bus
from hub.bus.protocols import Bus
from hub.config import KafkaSettings
from tests.utils.sdk_cases import SdkCases

pytestmark = pytest.mark.kafka


class TestSdkOnKafka(SdkCases):
    @pytest.fixture
    def bus(self, broker: EmbeddedBroker) -> Bus:
        return open_bus(KafkaSettings(fetch_max_wait_ms=10), broker.bootstrap)
