"""Every hub setting deploy/compose.yaml and deploy/Dockerfile give is one hub/config.py
has, and each hub service's whole environment builds valid settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from hub.config import PROJECT_ROOT
from tests.unit.deploy import compose_file, dockerfile
from tests.unit.deploy.settings_env import settings_from, unknown_names

GATEWAYS = sorted(
    name
    for name, service in compose_file.hub_services().items()
    if service.get("command", [])[:2] == ["hub", "gateway"]
)


def image_env() -> dict[str, str]:
    return dockerfile.stages()[-1].env()


def service_env(name: str, secret_values: dict[str, str]) -> dict[str, str]:
    """What the hub in ``name`` sees: the image's ENV, the service's environment, and
    each HUB_* secret as with-secrets.sh exports it (the generated file's content)."""
    service = compose_file.services()[name]
    env = {**image_env(), **compose_file.environment(service)}
    for target, source in compose_file.secret_mounts(service).items():
        if target.startswith("HUB_"):
            env[target] = secret_values[compose_file.secret_file(source).name]
    return env


def test_a_misspelt_setting_is_found(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The checks below can fail: a name matching no section is caught by name (the
    settings model alone ignores it), one inside a section by the model."""
    assert unknown_names({"HUB_GATEWAYS_PORT": "8000", "HUB_KAFKA_BOOTSTRAP": "k:9092"}) == [
        "HUB_GATEWAYS_PORT"
    ]
    with pytest.raises(ValidationError, match="kafka.replicas"):
        settings_from({"HUB_KAFKA_REPLICAS": "3"}, monkeypatch, tmp_path)


def test_every_hub_variable_in_the_compose_file_is_a_setting() -> None:
    """Breaks on a HUB_* name (in an environment or as a secret's target) that
    hub/config.py does not define, e.g. HUB_GATEWAY_LIMIT for HUB_GATEWAY_LIMITS."""
    for name, service in compose_file.services().items():
        names = {**compose_file.environment(service), **compose_file.secret_mounts(service)}
        assert unknown_names(names) == [], name


def test_every_hub_variable_in_the_image_is_a_setting() -> None:
    """Breaks if the Dockerfile sets a path the hub does not read (HUB_KEYS_DIR)."""
    assert unknown_names(image_env()) == []
    assert {n for n in image_env() if n.startswith("HUB_")} >= {
        "HUB_SCHEMAS_DIR",
        "HUB_POLICIES_DIR",
        "HUB_VAR_DIR",
    }


@pytest.mark.parametrize("name", sorted(compose_file.hub_services()))
def test_each_hub_service_builds_production_settings(
    name: str,
    secret_values: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Breaks if a service's settings do not validate (an http issuer in prod, a min
    ISR above the replication factor, a value of the wrong type) or if it would fall
    back to a default meant for a checkout: SQLite, the embedded broker, no telemetry,
    paths inside the installed package."""
    settings = settings_from(service_env(name, secret_values), monkeypatch, tmp_path)
    assert settings.env == "prod"
    assert settings.auth.issuer.startswith("https://")
    assert settings.database.url.startswith("postgresql://")
    assert not settings.embedded_broker
    assert settings.telemetry.exporter == "otlp"
    assert settings.telemetry.otlp_endpoint
    for path in (
        settings.schemas_dir,
        settings.policies_dir,
        settings.var_dir,
        settings.auth.key_dir,
        settings.audit.key_dir,
        settings.policy.mask_key_dir,
    ):
        assert not path.is_relative_to(PROJECT_ROOT), path


@pytest.mark.parametrize("name", GATEWAYS)
def test_gateways_share_limits_and_guard_their_metrics(
    name: str,
    secret_values: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Breaks if a replica keeps rate limits in its own process (a client would get
    twice the allowance with two replicas) or has no /metrics token (prod refuses
    Prometheus then)."""
    settings = settings_from(service_env(name, secret_values), monkeypatch, tmp_path)
    assert settings.gateway.limits == "database"
    assert settings.telemetry.metrics_token is not None
    assert settings.telemetry.metrics_token.get_secret_value() == secret_values["metrics_token"]


def test_there_are_two_gateway_replicas() -> None:
    """Breaks if a replica is removed: the audit log's several writers and the shared
    limits would then go untried by this deployment."""
    assert len(GATEWAYS) == 2
