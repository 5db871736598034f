"""Secrets are referenced, never written; every variable a hub pod gets is a setting the
hub reads, and the hub builds its settings from them (production rules included).

pydantic-settings ignores a variable that matches no field, so a misspelt name in a
manifest would be a setting quietly not set: the names are checked against the model.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr

from hub.config import Settings
from hub.deploy.render import Manifest
from hub.keyfiles import read_key
from tests.unit.deploy_render.pods import config_maps, containers, environment, pod_specs

PLACEHOLDER = "placeholder-from-a-secret"


def setting_names() -> dict[str, Any]:
    """``HUB_<FIELD>`` / ``HUB_<SECTION>_<FIELD>`` -> the field's annotation."""
    names: dict[str, Any] = {}
    for name, info in Settings.model_fields.items():
        section = info.annotation
        if isinstance(section, type) and issubclass(section, BaseModel):
            for field, inner in section.model_fields.items():
                names[f"HUB_{name}_{field}".upper()] = inner.annotation
        else:
            names[f"HUB_{name}".upper()] = section
    return names


def secret_settings() -> set[str]:
    """The settings that hold secrets: every ``SecretStr``, and the database URL (its
    password is in it)."""
    secret = {name for name, kind in setting_names().items() if SecretStr in _parts(kind)}
    return secret | {"HUB_DATABASE_URL"}


def _parts(annotation: Any) -> set[Any]:
    args = getattr(annotation, "__args__", None)
    return set(args) if args else {annotation}


def hub_containers(manifests: list[Manifest]) -> Iterator[dict[str, Any]]:
    for pod in pod_specs(manifests):
        yield from (c for c in pod["containers"] if c.get("command") == ["hub"])


def test_no_manifest_is_a_secret(every_manifest: list[Manifest]) -> None:
    assert not [m for m in every_manifest if m["kind"] == "Secret"]


def test_secret_settings_come_only_from_secret_keys(every_manifest: list[Manifest]) -> None:
    secret = secret_settings()
    assert {"HUB_KAFKA_SASL_PASSWORD", "HUB_TELEMETRY_METRICS_TOKEN"} <= secret
    for data in config_maps(every_manifest).values():
        assert not secret & set(data)
    seen = set()
    for pod in pod_specs(every_manifest):
        for container in containers(pod):
            for item in container.get("env", []):
                if item["name"] in secret:
                    seen.add(item["name"])
                    assert set(item) == {"name", "valueFrom"}, item
                    assert set(item["valueFrom"]) == {"secretKeyRef"}, item
    assert {"HUB_KAFKA_SASL_PASSWORD", "HUB_DATABASE_URL", "HUB_TELEMETRY_METRICS_TOKEN"} <= seen


def test_every_variable_is_a_setting_the_hub_reads(every_manifest: list[Manifest]) -> None:
    known = set(setting_names())
    maps = config_maps(every_manifest)
    for data in maps.values():
        assert not sorted(set(data) - known)
    for container in hub_containers(every_manifest):
        assert not sorted(set(environment(container, maps)) - known), container["name"]


@pytest.fixture
def settings_of(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    def build(env: dict[str, str]) -> Settings:
        for name in list(os.environ):
            if name.startswith("HUB_"):
                monkeypatch.delenv(name)
        monkeypatch.setenv("HUB_CONFIG", str(tmp_path / "absent.toml"))
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return Settings()

    return build


def test_each_hub_container_builds_production_settings(
    every_manifest: list[Manifest], settings_of: Any
) -> None:
    maps = config_maps(every_manifest)
    built = {}
    for container in hub_containers(every_manifest):
        settings = settings_of(environment(container, maps, PLACEHOLDER))
        built[container["name"]] = settings
        kafka = settings.kafka
        assert settings.env == "prod"
        assert settings.auth.issuer.startswith("https://")
        assert (kafka.security_protocol, kafka.sasl_mechanism) == ("SASL_SSL", "SCRAM-SHA-512")
        assert kafka.sasl_password is not None
        assert kafka.sasl_password.get_secret_value() == PLACEHOLDER
        assert (kafka.replication_factor, kafka.min_insync_replicas) == (3, 2)
        assert kafka.idempotent is True
        assert settings.gateway.limits == "database"
    assert set(built) == {"gateway", "archiver", "connector"}
    assert built["gateway"].telemetry.metrics_token is not None
    assert built["gateway"].kafka.sasl_username == "linkage-hub"
    assert built["connector"].kafka.sasl_username == "meteorology"


def test_the_brokers_ca_is_mounted_where_the_settings_point(
    every_manifest: list[Manifest],
) -> None:
    maps = config_maps(every_manifest)
    for pod in pod_specs(every_manifest):
        (container,) = pod["containers"]
        cafile = PurePosixPath(environment(container, maps)["HUB_KAFKA_SSL_CAFILE"])
        (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == str(cafile.parent)]
        (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
        assert volume["secret"]["secretName"] == "linkage-cluster-ca-cert"
        assert volume["secret"]["items"] == [{"key": "ca.crt", "path": cafile.name}]


KEY_FILES = {
    "linkage-auth-keys": {"cursor.key": bytes(range(32)), "signing-key.jwk.json": b"{}"},
    "linkage-audit-keys": {"checkpoint-key.pem": b"-----BEGIN PRIVATE KEY-----"},
    "linkage-mask-keys": {"health-reads-casualty-transfers.key": bytes(32)},
}


def _secret_volume(folder: Path, files: dict[str, bytes]) -> None:
    """A Secret volume as the kubelet lays it out: the files in a dated folder that
    ``..data`` points at, each name a link through it; group-readable (fsGroup)."""
    dated = folder / "..2026_12_01_00_00_00.000000001"
    dated.mkdir(parents=True)
    for name, data in files.items():
        (dated / name).write_bytes(data)
        (dated / name).chmod(0o440)
    (folder / "..data").symlink_to(dated.name)
    for name in files:
        (folder / name).symlink_to(f"..data/{name}")


def _longest_mount(container: dict[str, Any], folder: PurePosixPath) -> dict[str, Any]:
    mounts = [m for m in container["volumeMounts"] if folder.is_relative_to(m["mountPath"])]
    return max(mounts, key=lambda m: len(m["mountPath"]))


def test_the_gateways_keys_are_copied_from_secrets_for_its_user_alone(
    manifests: list[Manifest], tmp_path: Path
) -> None:
    """The init container's script is run here on Secret volumes laid out as the kubelet
    does, and the hub's own key reader must accept what it leaves."""
    maps = config_maps(manifests)
    (pod,) = [p for p in pod_specs(manifests) if p["containers"][0]["name"] == "gateway"]
    (init,) = pod["initContainers"]
    (gateway,) = pod["containers"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    for mount in init["volumeMounts"]:
        secret = volumes[mount["name"]].get("secret")
        if secret is not None:
            assert secret["defaultMode"] == 0o440
            _secret_volume(tmp_path / mount["mountPath"][1:], KEY_FILES[secret["secretName"]])
    command = init["command"]
    assert command[:2] == ["sh", "-c"]
    # Every absolute path in the script is quoted: move them all under tmp_path.
    script = re.sub(r'"(/[a-z])', lambda m: f'"{tmp_path}{m.group(1)}', command[2])
    subprocess.run(["sh", "-c", script], check=True, timeout=10)

    env = environment(gateway, maps)
    folders = {
        "linkage-auth-keys": env["HUB_AUTH_KEY_DIR"],
        "linkage-audit-keys": env["HUB_AUDIT_KEY_DIR"],
        "linkage-mask-keys": env["HUB_POLICY_MASK_KEY_DIR"],
    }
    for secret, folder in folders.items():
        # Where the gateway reads is the memory volume the init container wrote ...
        there = _longest_mount(gateway, PurePosixPath(folder))
        assert there == _longest_mount(init, PurePosixPath(folder)) | {"readOnly": True}
        assert volumes[there["name"]]["emptyDir"]["medium"] == "Memory"
        # ... and holds each file of the Secret, readable by its owner alone.
        copied = tmp_path / folder[1:]
        for name, data in KEY_FILES[secret].items():
            assert (copied / name).read_bytes() == data
            assert stat.S_IMODE((copied / name).stat().st_mode) == 0o400
    assert read_key(tmp_path / folders["linkage-auth-keys"][1:] / "cursor.key") == bytes(range(32))
