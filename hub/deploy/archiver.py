"""The archiver: exactly one per database, so a single-replica Deployment that is
replaced, never rolled.

Archive ids are the archive's order only while one archiver commits them
(docs/DESIGN.md, "The archive"); a rolling update would run the old and the new pod
side by side, so the strategy is ``Recreate``, and there is no autoscaler and no
disruption budget (a drained node restarts it elsewhere; it resumes from the positions
it committed with its last batch).
"""

from __future__ import annotations

from hub.deploy import configmap, pods
from hub.deploy.names import labels, selector
from hub.deploy.render import Manifest
from hub.deploy.site import Site
from hub.policy_tools.acls import HUB_USER

NAME = "linkage-archiver"
COMPONENT = "archiver"


def archiver(site: Site) -> list[Manifest]:
    container = pods.hub_container(
        site,
        name=COMPONENT,
        args=["archive"],
        kafka_user=HUB_USER,
        resources={"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"memory": "1Gi"}},
    )
    return [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": NAME,
                "namespace": site.namespace,
                "labels": labels(NAME, COMPONENT),
            },
            "spec": {
                "replicas": 1,
                "strategy": {"type": "Recreate"},
                "selector": {"matchLabels": selector(NAME)},
                "template": {
                    "metadata": {
                        "labels": labels(NAME, COMPONENT),
                        "annotations": {"checksum/config": configmap.digest(site)},
                    },
                    "spec": pods.pod_spec(containers=[container], volumes=pods.hub_volumes(site)),
                },
            },
        }
    ]
