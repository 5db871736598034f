"""What every hub pod shares: a non-root, read-only container of the hub's image, its
settings from the ConfigMap, its Kafka user's password and the database URL from
Secrets, and the cluster CA mounted where ``HUB_KAFKA_SSL_CAFILE`` points.

The hub refuses a key file that others may read (``hub.keyfiles``), and a Secret volume
can give a non-root process its files only through the group (``fsGroup``). So key
Secrets are not mounted where the hub reads them: an init container copies them into
memory as files only the hub's user may read (``install_keys``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hub.deploy import configmap, secrets
from hub.deploy.configmap import CA_DIR, KEYS_DIR, VAR_DIR
from hub.deploy.site import Site

#: The image's user and group (deploy/Dockerfile); fsGroup gives it the Secret volumes.
UID = 10001
SECRETS_DIR = "/etc/linkage/secrets"
#: Group-readable (0440): with fsGroup, the only way a non-root user reads a Secret volume.
SECRET_MODE = 0o440


def pod_security() -> dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "runAsUser": UID,
        "runAsGroup": UID,
        "fsGroup": UID,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container_security() -> dict[str, Any]:
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }


def secret_env(name: str, ref: secrets.SecretRef, key: str) -> dict[str, Any]:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": ref.name, "key": key}}}


def hub_container(
    site: Site,
    *,
    name: str,
    args: list[str],
    kafka_user: str,
    resources: dict[str, Any],
    env: Sequence[dict[str, Any]] = (),
    mounts: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """A container running ``hub <args>`` as ``kafka_user``; ``env`` and ``mounts`` add
    to what every hub container has."""
    return {
        "name": name,
        "image": site.image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["hub"],
        "args": args,
        "envFrom": [{"configMapRef": {"name": configmap.NAME}}],
        "env": [
            {"name": "HUB_KAFKA_SASL_USERNAME", "value": kafka_user},
            secret_env("HUB_KAFKA_SASL_PASSWORD", secrets.kafka_password(kafka_user), "password"),
            secret_env("HUB_DATABASE_URL", secrets.DATABASE, "url"),
            *env,
        ],
        "volumeMounts": [
            {"name": "tmp", "mountPath": "/tmp"},  # noqa: S108 - the pod's own emptyDir
            {"name": "var", "mountPath": VAR_DIR},
            {"name": "kafka-ca", "mountPath": CA_DIR, "readOnly": True},
            *mounts,
        ],
        "securityContext": container_security(),
        "resources": resources,
    }


def hub_volumes(site: Site) -> list[dict[str, Any]]:
    """The volumes ``hub_container``'s mounts name."""
    return [
        {"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}},
        {"name": "var", "emptyDir": {"sizeLimit": "1Gi"}},
        {
            "name": "kafka-ca",
            "secret": {
                "secretName": secrets.cluster_ca(site).name,
                "items": [{"key": "ca.crt", "path": "ca.crt"}],
            },
        },
    ]


def key_volumes(kinds: dict[str, secrets.SecretRef]) -> list[dict[str, Any]]:
    """A Secret volume per key folder (``auth``, ``audit`` ...), and the memory the init
    container copies them into."""
    volumes: list[dict[str, Any]] = [
        {"name": "keys", "emptyDir": {"medium": "Memory", "sizeLimit": "1Mi"}}
    ]
    volumes += [
        {"name": f"{kind}-keys", "secret": {"secretName": ref.name, "defaultMode": SECRET_MODE}}
        for kind, ref in kinds.items()
    ]
    return volumes


def install_keys(site: Site, kinds: dict[str, secrets.SecretRef]) -> dict[str, Any]:
    """The init container that copies each key folder's files to ``KEYS_DIR/<kind>``,
    readable by the hub's user alone (umask 077 on a 0440 source gives 0400)."""
    script = "\n".join(
        [
            "set -eu",
            "umask 077",
            f"for kind in {' '.join(kinds)}; do",
            f'  mkdir -p "{KEYS_DIR}/$kind"',
            f'  for file in "{SECRETS_DIR}/$kind"/*; do',
            f'    if [ -f "$file" ]; then cp -L "$file" "{KEYS_DIR}/$kind/"; fi',
            "  done",
            "done",
        ]
    )
    return {
        "name": "install-keys",
        "image": site.image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["sh", "-c", script],
        "volumeMounts": [
            {"name": "keys", "mountPath": KEYS_DIR},
            *(
                {"name": f"{kind}-keys", "mountPath": f"{SECRETS_DIR}/{kind}", "readOnly": True}
                for kind in kinds
            ),
        ],
        "securityContext": container_security(),
        "resources": {
            "requests": {"cpu": "10m", "memory": "16Mi"},
            "limits": {"memory": "64Mi"},
        },
    }


def pod_spec(
    *,
    containers: list[dict[str, Any]],
    volumes: list[dict[str, Any]],
    init: Sequence[dict[str, Any]] = (),
    grace_s: int = 30,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        # The hub never calls the Kubernetes API: no token in its pods.
        "automountServiceAccountToken": False,
        "securityContext": pod_security(),
        "terminationGracePeriodSeconds": grace_s,
    }
    if init:
        spec["initContainers"] = list(init)
    spec["containers"] = containers
    spec["volumes"] = volumes
    return spec
