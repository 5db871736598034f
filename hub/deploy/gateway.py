"""The gateway: a Deployment of interchangeable replicas, its Service and Ingress, an
autoscaler and a disruption budget.

Replicas share everything through the database and the key Secrets (tokens, cursors,
resume tokens and rate limits hold on any replica), so the autoscaler may add and
remove them freely. It owns the replica count: the Deployment states none, as
Kubernetes advises for an autoscaled workload (an apply would otherwise reset it), and
the autoscaler's floor is ``site.gateway_replicas``. Each replica keeps up to
``database.pool_size + pool_overflow`` connections (30 by default), so the ceiling times
that must fit PostgreSQL's ``max_connections``.
"""

from __future__ import annotations

from typing import Any

from hub.deploy import configmap, pods, secrets
from hub.deploy.configmap import GATEWAY_PORT, KEYS_DIR
from hub.deploy.names import labels, selector
from hub.deploy.render import Manifest
from hub.deploy.site import Site
from hub.policy.model import Policy
from hub.policy_tools.acls import HUB_USER

NAME = "linkage-gateway"
COMPONENT = "gateway"
MAX_REPLICAS = 6


def key_secrets(policy: Policy) -> dict[str, secrets.SecretRef]:
    """The key folders the gateway reads; mask keys only when a grant hashes."""
    kinds = {"auth": secrets.AUTH_KEYS, "audit": secrets.AUDIT_KEYS}
    if any(mask.method == "hash" for grant in policy.grants for mask in grant.masks):
        kinds["masks"] = secrets.MASK_KEYS
    return kinds


def gateway(policy: Policy, site: Site) -> list[Manifest]:
    return [
        _deployment(policy, site),
        _service(site),
        _autoscaler(site),
        _disruption_budget(site),
        _ingress(site),
    ]


def _metadata(site: Site) -> dict[str, Any]:
    return {"name": NAME, "namespace": site.namespace, "labels": labels(NAME, COMPONENT)}


def _deployment(policy: Policy, site: Site) -> Manifest:
    kinds = key_secrets(policy)
    probe = {"port": "http"}
    container = pods.hub_container(
        site,
        name=COMPONENT,
        args=["gateway"],
        kafka_user=HUB_USER,
        env=[pods.secret_env("HUB_TELEMETRY_METRICS_TOKEN", secrets.METRICS, "token")],
        mounts=[{"name": "keys", "mountPath": KEYS_DIR, "readOnly": True}],
        resources={"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": "2Gi"}},
    )
    container |= {
        "ports": [{"name": "http", "containerPort": GATEWAY_PORT, "protocol": "TCP"}],
        # Starting migrates the database and checks the topics: allow it a minute.
        "startupProbe": {
            "httpGet": {"path": "/healthz", **probe},
            "periodSeconds": 2,
            "failureThreshold": 30,
        },
        # Liveness asks nothing of the dependencies, so an outage of Kafka or the
        # database takes replicas out of the Service (readiness) but never restarts them.
        "livenessProbe": {
            "httpGet": {"path": "/healthz", **probe},
            "periodSeconds": 10,
            "timeoutSeconds": 2,
            "failureThreshold": 3,
        },
        "readinessProbe": {
            "httpGet": {"path": "/readyz", **probe},
            "periodSeconds": 5,
            "timeoutSeconds": 3,
            "failureThreshold": 2,
        },
        # The Service stops sending requests before the process is told to stop.
        "lifecycle": {"preStop": {"sleep": {"seconds": 5}}},
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(site),
        "spec": {
            "selector": {"matchLabels": selector(NAME)},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
            },
            "template": {
                "metadata": {
                    "labels": labels(NAME, COMPONENT),
                    "annotations": {
                        "checksum/config": configmap.digest(site),
                        "prometheus.io/scrape": "true",
                        "prometheus.io/port": str(GATEWAY_PORT),
                        "prometheus.io/path": "/metrics",
                    },
                },
                "spec": pods.pod_spec(
                    init=[pods.install_keys(site, kinds)],
                    containers=[container],
                    volumes=[*pods.hub_volumes(site), *pods.key_volumes(kinds)],
                    grace_s=40,
                )
                | {
                    "topologySpreadConstraints": [
                        {
                            "maxSkew": 1,
                            "topologyKey": "kubernetes.io/hostname",
                            "whenUnsatisfiable": "ScheduleAnyway",
                            "labelSelector": {"matchLabels": selector(NAME)},
                        }
                    ]
                },
            },
        },
    }


def _service(site: Site) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(site),
        "spec": {
            "type": "ClusterIP",
            "selector": selector(NAME),
            "ports": [{"name": "http", "port": GATEWAY_PORT, "targetPort": "http"}],
        },
    }


def _autoscaler(site: Site) -> Manifest:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": _metadata(site),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": NAME},
            "minReplicas": site.gateway_replicas,
            "maxReplicas": max(MAX_REPLICAS, site.gateway_replicas),
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": 70},
                    },
                }
            ],
            # Removing a replica cuts its live feeds (clients resume by their id): do it
            # only after five quiet minutes.
            "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}},
        },
    }


def _disruption_budget(site: Site) -> Manifest:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _metadata(site),
        "spec": {"minAvailable": 1, "selector": {"matchLabels": selector(NAME)}},
    }


def _ingress(site: Site) -> Manifest:
    """The public address. Live feeds are Server-Sent Events: the proxy must pass each
    event on as it comes and keep a quiet feed open past its heartbeat."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": _metadata(site)
        | {
            "annotations": {
                "nginx.ingress.kubernetes.io/proxy-buffering": "off",
                "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600",
                "nginx.ingress.kubernetes.io/proxy-body-size": "16m",
            }
        },
        "spec": {
            "ingressClassName": "nginx",
            "tls": [{"hosts": [site.host], "secretName": secrets.GATEWAY_TLS.name}],
            "rules": [
                {
                    "host": site.host,
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {"service": {"name": NAME, "port": {"name": "http"}}},
                            }
                        ]
                    },
                }
            ],
        },
    }
