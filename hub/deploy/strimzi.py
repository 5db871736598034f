"""The ``strimzi`` target: a whole installation on Kubernetes with Strimzi's Kafka.

Groups come in the order they can be applied: the namespace, the cluster and what its
operators reconcile (topics, users), then the hub's settings and workloads.
"""

from __future__ import annotations

from hub.catalog.files import SchemaCatalog
from hub.deploy import configmap
from hub.deploy.archiver import archiver
from hub.deploy.cluster import kafka_cluster
from hub.deploy.connectors import connectors
from hub.deploy.gateway import gateway
from hub.deploy.names import PART_OF
from hub.deploy.network import network_policies
from hub.deploy.render import Bundle, Manifest
from hub.deploy.site import Site
from hub.deploy.topics import kafka_topics
from hub.deploy.users import kafka_users
from hub.policy.model import Policy


def namespace(site: Site) -> Manifest:
    # Enforce "baseline" (what Strimzi's brokers meet by default) and report anything
    # short of "restricted" (what the hub's own pods meet).
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": site.namespace,
            "labels": {
                "app.kubernetes.io/part-of": PART_OF,
                "pod-security.kubernetes.io/enforce": "baseline",
                "pod-security.kubernetes.io/warn": "restricted",
                "pod-security.kubernetes.io/audit": "restricted",
            },
        },
    }


def render_strimzi(policy: Policy, catalog: SchemaCatalog, site: Site) -> Bundle:
    """Every manifest of the installation, grouped as ``render`` writes them to files."""
    bundle: Bundle = {
        "namespace": [namespace(site)],
        "kafka-cluster": kafka_cluster(site),
        "kafka-topics": kafka_topics(policy, site),
        "kafka-users": kafka_users(policy, catalog, site),
        "hub-config": [configmap.config_map(site)],
        "gateway": gateway(policy, site),
        "archiver": archiver(site),
        "network-policies": network_policies(site),
    }
    if site.connectors:
        bundle["connectors"] = connectors(policy, site)
    return bundle
