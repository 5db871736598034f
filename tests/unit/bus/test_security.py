"""The Kafka clients' listener settings: what reaches kafka-python, and what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from hub.bus.kafka.security import client_security
from hub.config import KafkaSettings, Settings


def test_the_embedded_broker_gets_plain_clients() -> None:
    assert client_security(KafkaSettings()) == {}


def test_scram_over_tls_passes_the_user_the_password_and_the_ca() -> None:
    settings = KafkaSettings(
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="linkage-hub",
        sasl_password=SecretStr("pw"),
        ssl_cafile=Path("/run/kafka/ca.crt"),
    )
    assert client_security(settings) == {
        "security_protocol": "SASL_SSL",
        "ssl_cafile": "/run/kafka/ca.crt",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "linkage-hub",
        "sasl_plain_password": "pw",
    }


def test_tls_alone_passes_no_sasl_options() -> None:
    options = client_security(KafkaSettings(security_protocol="SSL", ssl_cafile=Path("/ca.pem")))
    assert options == {"security_protocol": "SSL", "ssl_cafile": "/ca.pem"}


def test_sasl_without_credentials_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("HUB_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    with pytest.raises(ValidationError, match="HUB_KAFKA_SASL_USERNAME"):
        Settings()


def test_more_in_sync_copies_than_copies_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_KAFKA_REPLICATION_FACTOR", "2")
    monkeypatch.setenv("HUB_KAFKA_MIN_INSYNC_REPLICAS", "3")
    with pytest.raises(ValidationError, match="min_insync_replicas"):
        Settings()
