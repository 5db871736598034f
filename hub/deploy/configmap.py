"""The hub's settings for the cluster, as one ConfigMap every hub pod takes its env from.

Only names ``hub.config.Settings`` reads (``HUB_<SECTION>_<NAME>``) and only values that
are no secret; a test builds ``Settings`` from this map to prove both. What differs per
pod (the Kafka user it is) and what is secret come beside it, in each container's env.
"""

from __future__ import annotations

import hashlib
import json

from hub.deploy.cluster import MIN_INSYNC_REPLICAS, REPLICAS, bootstrap
from hub.deploy.names import labels
from hub.deploy.render import Manifest
from hub.deploy.site import Site

NAME = "linkage-hub-config"
GATEWAY_PORT = 8000
#: Inside every hub pod: the writable folder the hub keeps its files in (the image's
#: home for them, deploy/Dockerfile), where the keys are copied to (memory, 0400) and
#: where Kafka's CA is mounted.
VAR_DIR = "/var/lib/linkage"
KEYS_DIR = f"{VAR_DIR}/keys"
CA_DIR = "/etc/linkage/kafka-ca"


def settings(site: Site) -> dict[str, str]:
    return {
        "HUB_ENV": "prod",
        "HUB_VAR_DIR": VAR_DIR,
        "HUB_AUTH_ISSUER": site.issuer,
        "HUB_AUTH_KEY_DIR": f"{KEYS_DIR}/auth",
        # The checkpoints name the log after the public host, as its key must be made.
        "HUB_AUDIT_ORIGIN": f"{site.host}/audit",
        "HUB_AUDIT_KEY_DIR": f"{KEYS_DIR}/audit",
        "HUB_POLICY_MASK_KEY_DIR": f"{KEYS_DIR}/masks",
        "HUB_GATEWAY_HOST": "0.0.0.0",  # noqa: S104 - in a pod, behind its NetworkPolicy
        "HUB_GATEWAY_PORT": str(GATEWAY_PORT),
        # Rate limits hold across replicas only when they are kept in the database.
        "HUB_GATEWAY_LIMITS": "database",
        "HUB_KAFKA_BOOTSTRAP": bootstrap(site),
        "HUB_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "HUB_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "HUB_KAFKA_SSL_CAFILE": f"{CA_DIR}/ca.crt",
        "HUB_KAFKA_REPLICATION_FACTOR": str(REPLICAS),
        "HUB_KAFKA_MIN_INSYNC_REPLICAS": str(MIN_INSYNC_REPLICAS),
        "HUB_KAFKA_IDEMPOTENT": "true",
        "HUB_TELEMETRY_PROMETHEUS": "true",
    }


def config_map(site: Site) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": NAME,
            "namespace": site.namespace,
            "labels": labels("linkage-hub", "config"),
        },
        "data": settings(site),
    }


def digest(site: Site) -> str:
    """A digest of the map, put on each pod template: a changed setting rolls the pods
    (a ConfigMap's env is read only when a container starts)."""
    text = json.dumps(settings(site), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
