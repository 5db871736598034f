"""Shipped connectors run in the cluster, each as its owner's Kafka user.

A connector's outbox is a SQLite file that holds what it has read and not yet sent
(``hub.connect.outbox``), so it lives on its own volume and one pod at a time holds it:
a single replica, replaced (``Recreate``) rather than rolled. It sends as the agency that
owns its stream, whose Kafka user may write that topic and nothing else of anyone's.
"""

from __future__ import annotations

from hub.deploy import configmap, pods
from hub.deploy.configmap import VAR_DIR
from hub.deploy.names import labels, selector
from hub.deploy.render import Manifest
from hub.deploy.site import ConnectorRun, Site
from hub.errors import ConfigError
from hub.policy.model import Policy

COMPONENT = "connector"
OUTBOX_DIR = f"{VAR_DIR}/outbox"


def connectors(policy: Policy, site: Site) -> list[Manifest]:
    manifests: list[Manifest] = []
    for run in site.connectors:
        manifests += _connector(policy, site, run)
    return manifests


def _connector(policy: Policy, site: Site, run: ConnectorRun) -> list[Manifest]:
    stream = policy.stream(run.stream)
    if stream is None:
        raise ConfigError(f"connector {run.name} publishes {run.stream}, not in the catalogue")
    name = f"linkage-connector-{run.name}"
    metadata = {"name": name, "namespace": site.namespace, "labels": labels(name, COMPONENT)}
    container = pods.hub_container(
        site,
        name=COMPONENT,
        args=[
            "connector",
            "run",
            run.name,
            "--source",
            run.source,
            "--follow",
            "--outbox",
            f"{OUTBOX_DIR}/outbox.db",
        ],
        kafka_user=stream.owner,
        mounts=[{"name": "outbox", "mountPath": OUTBOX_DIR}],
        resources={"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}},
    )
    return [
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": metadata,
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "2Gi"}},
            },
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": metadata,
            "spec": {
                "replicas": 1,
                "strategy": {"type": "Recreate"},
                "selector": {"matchLabels": selector(name)},
                "template": {
                    "metadata": {
                        "labels": labels(name, COMPONENT),
                        "annotations": {"checksum/config": configmap.digest(site)},
                    },
                    "spec": pods.pod_spec(
                        containers=[container],
                        volumes=[
                            *pods.hub_volumes(site),
                            {"name": "outbox", "persistentVolumeClaim": {"claimName": name}},
                        ],
                    ),
                },
            },
        },
    ]
