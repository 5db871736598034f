"""The webhook receiver's delivery cases on the real broker: what a signed delivery
commits, dead-letters and publishes is the same as on the memory bus."""

from __future__ import annotations

import pytest

from hub.bus.broker import EmbeddedBroker
from hub.bus.factory import open_bus
from hub.bus.protocols import Bus
from hub.config import KafkaSettings
from tests.utils.webhook_cases import WebhookCases

pytestmark = pytest.mark.kafka


class TestWebhookOnKafka(WebhookCases):
    @pytest.fixture
    def bus(self, broker: EmbeddedBroker) -> Bus:
        return open_bus(KafkaSettings(fetch_max_wait_ms=10), broker.bootstrap)
