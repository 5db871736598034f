"""Reading pods out of manifests: their specs, containers, env and volumes."""

from __future__ import annotations

from typing import Any

from hub.deploy.render import Manifest

WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "Job")


def of_kind(manifests: list[Manifest], kind: str) -> list[Manifest]:
    return [m for m in manifests if m["kind"] == kind]


def named(manifests: list[Manifest], kind: str, name: str) -> Manifest:
    (found,) = [m for m in of_kind(manifests, kind) if m["metadata"]["name"] == name]
    return found


def pod_specs(manifests: list[Manifest]) -> list[dict[str, Any]]:
    return [m["spec"]["template"]["spec"] for m in manifests if m["kind"] in WORKLOADS]


def containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return [*pod.get("initContainers", []), *pod["containers"]]


def config_maps(manifests: list[Manifest]) -> dict[str, dict[str, str]]:
    return {m["metadata"]["name"]: m.get("data", {}) for m in of_kind(manifests, "ConfigMap")}


def environment(
    container: dict[str, Any], maps: dict[str, dict[str, str]], secret: str = "placeholder"
) -> dict[str, str]:
    """The variables the container starts with, as Kubernetes builds them (``env`` over
    ``envFrom``); a secret's value is ``secret``."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(maps[source["configMapRef"]["name"]])
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = item["value"]
        elif "secretKeyRef" in item.get("valueFrom", {}):
            env[item["name"]] = secret
        else:
            raise AssertionError(f"{item['name']}: neither a value nor a Secret's key")
    return env


def volume(pod: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [v for v in pod["volumes"] if v["name"] == name]
    return found
