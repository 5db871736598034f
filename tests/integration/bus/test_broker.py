from __future__ import annotations

import pytest

from hub.bus.broker import EmbeddedBroker, free_port
from hub.errors import BrokerUnavailable, ConfigError
from tests.utils.processes import is_alive

pytestmark = pytest.mark.kafka


def test_the_broker_starts_on_a_free_port_and_stops_by_pid() -> None:
    broker = EmbeddedBroker().start()
    pid = broker.pid
    assert pid is not None and is_alive(pid)
    assert broker.bootstrap.startswith("127.0.0.1:")
    broker.stop()
    assert not is_alive(pid)
    broker.stop()  # stopping twice is harmless


def test_a_taken_port_is_refused_with_advice(broker: EmbeddedBroker) -> None:
    with pytest.raises(
        BrokerUnavailable, match="already in use; choose another with HUB_BROKER_PORT"
    ):
        EmbeddedBroker(port=broker.port).start()


def test_a_missing_binary_is_a_config_error(tmp_path) -> None:
    with pytest.raises(ConfigError, match="is not an executable file"):
        EmbeddedBroker(port=free_port(), binary=tmp_path / "tansu").start()
