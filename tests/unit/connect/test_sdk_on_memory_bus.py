"""The connector SDK on ``hub.connect.testing.MemoryBus``: the same cases as on Kafka."""

from __future__ import annotations

import pytest

from hub.bus.protocols import Bus
from hub.connect.testing import MemoryBus
from tests.utils.sdk_cases import SdkCases


class TestSdkOnMemoryBus(SdkCases):
    @pytest.fixture
    def bus(self) -> Bus:
        return MemoryBus()
