from __future__ import annotations

import pytest
from pydantic import ValidationError

from hub.config import Settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("HUB_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HUB_CONFIG", str(tmp_path / "absent.toml"))


def test_environment_variables_fill_nested_sections(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_KAFKA_BOOTSTRAP", "kafka-1:9092")
    monkeypatch.setenv("HUB_KAFKA_FETCH_MAX_WAIT_MS", "25")
    monkeypatch.setenv("HUB_DATABASE_URL", "postgresql://hub@db/hub")
    settings = Settings()
    assert settings.kafka.bootstrap == "kafka-1:9092"
    assert settings.kafka.fetch_max_wait_ms == 25
    assert settings.database.url == "postgresql://hub@db/hub"
    assert not settings.embedded_broker


def test_a_toml_file_is_read_and_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    config = tmp_path / "hub.toml"
    config.write_text('[gateway]\nport = 8100\n[kafka]\nbootstrap = "from-toml:9092"\n')
    monkeypatch.setenv("HUB_CONFIG", str(config))
    monkeypatch.setenv("HUB_KAFKA_BOOTSTRAP", "from-env:9092")
    settings = Settings()
    assert settings.gateway.port == 8100
    assert settings.kafka.bootstrap == "from-env:9092"
    assert settings.auth.issuer == "http://127.0.0.1:8100"


def test_the_embedded_broker_floor_of_ten_ms_is_enforced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_KAFKA_FETCH_MAX_WAIT_MS", "1")
    with pytest.raises(ValidationError, match="greater than or equal to 10"):
        Settings()


def test_production_refuses_a_plain_http_issuer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_ENV", "prod")
    monkeypatch.setenv("HUB_AUTH_ISSUER", "http://hub.city.example")
    with pytest.raises(ValidationError, match="must be https outside dev"):
        Settings()
    monkeypatch.setenv("HUB_AUTH_ISSUER", "https://hub.city.example")
    assert Settings().auth.issuer == "https://hub.city.example"


def test_unknown_settings_are_refused(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text("[kafka]\nbootstrp = 'typo:9092'\n")
    monkeypatch.setenv("HUB_CONFIG", str(config))
    with pytest.raises(ValidationError, match="bootstrp"):
        Settings()
