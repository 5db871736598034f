"""A pooled read waits for a consumer only as long as a read may take: behind reads
stalled on a broker that stopped answering (SIGSTOP by its pid), it fails in time."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable

import pytest

from hub.bus.broker import EmbeddedBroker
from hub.bus.factory import open_bus
from hub.bus.records import TopicSpec
from hub.config import KafkaSettings
from hub.errors import BrokerUnavailable

pytestmark = pytest.mark.kafka


def test_waiting_for_a_pooled_reader_counts_against_the_read_timeout() -> None:
    with EmbeddedBroker() as broker:
        assert broker.pid is not None
        bus = open_bus(KafkaSettings(fetch_max_wait_ms=10, read_timeout_ms=1_000), broker.bootstrap)
        bus.admin().ensure_topics([TopicSpec("stall.v1")])
        reader = bus.reader(pool_size=1)
        reader.end_offsets("stall.v1")  # the one consumer exists and knows the topic
        os.kill(broker.pid, signal.SIGSTOP)
        try:
            holder = threading.Thread(target=lambda: _swallow(reader.end_offsets, "stall.v1"))
            holder.start()
            time.sleep(0.2)  # the only reader is now taken by a read the broker stalls
            started = time.monotonic()
            with pytest.raises(BrokerUnavailable, match="readers have been busy"):
                reader.end_offsets("stall.v1")
            waited = time.monotonic() - started
        finally:
            os.kill(broker.pid, signal.SIGCONT)
        holder.join(60)
        reader.close()
    assert 0.9 <= waited < 10, "about the read timeout, with room for a slow machine"


def _swallow(read: Callable[[str], object], topic: str) -> None:
    # The stalled read may fail too: this test is about the one behind it.
    with contextlib.suppress(BrokerUnavailable):
        read(topic)
