"""NetworkPolicies: the gateway takes requests only from the ingress controller and
Prometheus; it and the archiver reach only Kafka, PostgreSQL and DNS.

A hub pod that is taken over can then neither be reached around the Ingress nor reach
anything but its own dependencies. PostgreSQL is matched by its port, not by pod, so
the same policy holds for a database in the cluster and for a managed one outside it.
Strimzi keeps its own NetworkPolicies for the brokers.
"""

from __future__ import annotations

from typing import Any

from hub.deploy import archiver, gateway
from hub.deploy.cluster import LISTENER_PORT, broker_pods
from hub.deploy.configmap import GATEWAY_PORT
from hub.deploy.names import labels, selector
from hub.deploy.render import Manifest
from hub.deploy.site import Site

POSTGRES_PORT = 5432


def _namespace(name: str) -> dict[str, Any]:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}}


def _egress(site: Site) -> list[dict[str, Any]]:
    return [
        {
            "to": [{"podSelector": {"matchLabels": broker_pods(site)}}],
            "ports": [{"protocol": "TCP", "port": LISTENER_PORT}],
        },
        {"ports": [{"protocol": "TCP", "port": POSTGRES_PORT}]},
        {
            "to": [
                _namespace("kube-system")
                | {"podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}
            ],
            "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
        },
    ]


def _policy(site: Site, app: str, component: str, ingress: list[Any]) -> Manifest:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": app, "namespace": site.namespace, "labels": labels(app, component)},
        "spec": {
            "podSelector": {"matchLabels": selector(app)},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": ingress,
            "egress": _egress(site),
        },
    }


def network_policies(site: Site) -> list[Manifest]:
    http = [{"protocol": "TCP", "port": GATEWAY_PORT}]
    prometheus = _namespace(site.prometheus_namespace) | {
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}}
    }
    return [
        _policy(
            site,
            gateway.NAME,
            gateway.COMPONENT,
            [
                {"from": [_namespace(site.ingress_namespace)], "ports": http},
                {"from": [prometheus], "ports": http},
            ],
        ),
        # Nothing calls the archiver.
        _policy(site, archiver.NAME, archiver.COMPONENT, []),
    ]
