"""The Secrets the manifests reference by name and never hold.

Two kinds: those Strimzi makes (each Kafka user's password, the cluster CA's
certificate) and those an operator makes once before the first apply, from the
hub's own key commands, so a key is generated where it is kept and never passes
through a rendered file or a repository.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hub.deploy.cluster import ca_secret
from hub.deploy.render import Bundle
from hub.deploy.site import Site


@dataclass(frozen=True, slots=True)
class SecretRef:
    name: str
    #: The keys the pods read; empty when a folder of files is mounted whole.
    keys: tuple[str, ...]
    holds: str
    made_by: str


DATABASE = SecretRef(
    "linkage-database",
    ("url",),
    "the PostgreSQL URL with its password (HUB_DATABASE_URL)",
    "kubectl create secret generic linkage-database "
    "--from-literal=url=postgresql://USER:PASSWORD@HOST:5432/linkage",
)
METRICS = SecretRef(
    "linkage-metrics",
    ("token",),
    "the bearer token Prometheus sends to /metrics (HUB_TELEMETRY_METRICS_TOKEN)",
    "kubectl create secret generic linkage-metrics --from-literal=token=$(openssl rand -hex 32)",
)
AUTH_KEYS = SecretRef(
    "linkage-auth-keys",
    ("signing-key.jwk.json", "cursor.key"),
    "the gateway's token-signing and paging-cursor keys, one pair for every replica",
    "HUB_AUTH_KEY_DIR=DIR hub token keygen; "
    "kubectl create secret generic linkage-auth-keys --from-file=DIR",
)
AUDIT_KEYS = SecretRef(
    "linkage-audit-keys",
    ("checkpoint-key.pem",),
    "the key that signs audit checkpoints, and the retired keys' public halves",
    "HUB_AUDIT_KEY_DIR=DIR HUB_AUDIT_ORIGIN=<host>/audit hub audit keygen; "
    "kubectl create secret generic linkage-audit-keys --from-file=DIR",
)
MASK_KEYS = SecretRef(
    "linkage-mask-keys",
    (),
    "the hash mask's key for each grant that uses it",
    "HUB_POLICY_MASK_KEY_DIR=DIR hub policy keygen; "
    "kubectl create secret generic linkage-mask-keys --from-file=DIR",
)
GATEWAY_TLS = SecretRef(
    "linkage-gateway-tls",
    ("tls.crt", "tls.key"),
    "the public host's TLS certificate, for the Ingress",
    "cert-manager, or kubectl create secret tls linkage-gateway-tls --cert=... --key=...",
)
MADE_BY_OPERATOR = (DATABASE, METRICS, AUTH_KEYS, AUDIT_KEYS, MASK_KEYS, GATEWAY_TLS)


def kafka_password(user: str) -> SecretRef:
    return SecretRef(
        user,
        ("password",),
        f"Kafka user {user}'s SCRAM-SHA-512 password",
        f"Strimzi's user operator, for KafkaUser {user}",
    )


def cluster_ca(site: Site) -> SecretRef:
    return SecretRef(
        ca_secret(site),
        ("ca.crt",),
        "the CA certificate the brokers' certificates are signed by",
        f"Strimzi's cluster operator, for Kafka {site.cluster}",
    )


def referenced(bundle: Bundle, site: Site) -> list[SecretRef]:
    """Each Secret the manifests name (in env, volumes or TLS), described; sorted, so
    those an operator must make can be listed before the first apply."""
    known = {ref.name: ref for ref in (*MADE_BY_OPERATOR, cluster_ca(site))}
    names: set[str] = set()
    for group in bundle.values():
        for manifest in group:
            names |= _secret_names(manifest)
    return [known.get(name) or kafka_password(name) for name in sorted(names)]


def _secret_names(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("secretName"), str):
            found.add(node["secretName"])
        ref = node.get("secretKeyRef")
        if isinstance(ref, dict) and isinstance(ref.get("name"), str):
            found.add(ref["name"])
        for value in node.values():
            found |= _secret_names(value)
    elif isinstance(node, list):
        for item in node:
            found |= _secret_names(item)
    return found
