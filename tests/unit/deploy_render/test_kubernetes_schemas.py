"""Every core Kubernetes object the renderer makes passes the API's own schema, strictly
(an unknown or misspelt field is an error, as ``kubectl apply`` makes it).

The schemas are those kubernetes-validate ships, for a fixed recent release, so the
check runs offline and the same every time.
"""

from __future__ import annotations

import copy

import kubernetes_validate
import pytest

from hub.deploy.render import Manifest
from tests.unit.deploy_render.pods import named

KUBERNETES = "1.36"
STRIMZI_GROUP = "kafka.strimzi.io/"


def core(manifests: list[Manifest]) -> list[Manifest]:
    return [m for m in manifests if not m["apiVersion"].startswith(STRIMZI_GROUP)]


def test_every_core_object_passes_the_kubernetes_schema_strictly(
    every_manifest: list[Manifest],
) -> None:
    checked = core(every_manifest)
    kinds = {m["kind"] for m in checked}
    assert {
        "Namespace",
        "ConfigMap",
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "Ingress",
        "NetworkPolicy",
        "PersistentVolumeClaim",
    } <= kinds
    for manifest in checked:
        where = f"{manifest['kind']}/{manifest['metadata']['name']}"
        try:
            kubernetes_validate.validate(manifest, KUBERNETES, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = ".".join(str(p) for p in exc.path)
            pytest.fail(f"{where}: {path}: {exc.message}")


def test_the_check_refuses_a_misspelt_field(manifests: list[Manifest]) -> None:
    wrong = copy.deepcopy(named(manifests, "Deployment", "linkage-archiver"))
    wrong["spec"]["template"]["spec"]["containers"][0]["readinessprobe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(wrong, KUBERNETES, strict=True)
