"""The hub's workloads: a gateway that stays up through a drain and a rollout, one
archiver per database, pods that run as nobody in particular, and networks closed to
all but what each pod needs."""

from __future__ import annotations

from typing import Any

from hub.deploy.render import Manifest
from tests.unit.deploy_render.conftest import WITH_CONNECTOR
from tests.unit.deploy_render.pods import containers, named, of_kind, pod_specs

GATEWAY = "linkage-gateway"
ARCHIVER = "linkage-archiver"


def test_the_gateway_runs_two_replicas_or_more_and_survives_a_drain(
    manifests: list[Manifest],
) -> None:
    deployment = named(manifests, "Deployment", GATEWAY)
    autoscaler = named(manifests, "HorizontalPodAutoscaler", GATEWAY)
    budget = named(manifests, "PodDisruptionBudget", GATEWAY)
    # The autoscaler owns the count (an apply must not reset it); its floor is two.
    assert "replicas" not in deployment["spec"]
    assert autoscaler["apiVersion"] == "autoscaling/v2"
    assert autoscaler["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": GATEWAY,
    }
    assert autoscaler["spec"]["minReplicas"] >= 2
    assert autoscaler["spec"]["maxReplicas"] >= autoscaler["spec"]["minReplicas"]
    assert budget["apiVersion"] == "policy/v1"
    assert budget["spec"]["minAvailable"] == 1 < autoscaler["spec"]["minReplicas"]
    pods = deployment["spec"]["selector"]["matchLabels"]
    assert budget["spec"]["selector"]["matchLabels"] == pods
    assert deployment["spec"]["template"]["metadata"]["labels"].items() >= pods.items()
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_the_gateway_is_probed_on_readyz_and_healthz_and_served_by_its_service(
    manifests: list[Manifest],
) -> None:
    deployment = named(manifests, "Deployment", GATEWAY)
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["gateway"]
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    (port,) = container["ports"]
    service = named(manifests, "Service", GATEWAY)
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    assert [(p["port"], p["targetPort"]) for p in service["spec"]["ports"]] == [
        (port["containerPort"], port["name"])
    ]
    ingress = named(manifests, "Ingress", GATEWAY)
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == "linkage.example.org"
    assert rule["http"]["paths"][0]["backend"]["service"]["name"] == GATEWAY


def test_there_is_one_archiver_replaced_never_rolled(manifests: list[Manifest]) -> None:
    deployment = named(manifests, "Deployment", ARCHIVER)
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    assert deployment["spec"]["template"]["spec"]["containers"][0]["args"] == ["archive"]
    scaled = {
        m["spec"]["scaleTargetRef"]["name"] for m in of_kind(manifests, "HorizontalPodAutoscaler")
    }
    assert ARCHIVER not in scaled


def test_every_pod_runs_non_root_read_only_and_without_a_service_account_token(
    every_manifest: list[Manifest],
) -> None:
    for pod in pod_specs(every_manifest):
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] != 0
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod["automountServiceAccountToken"] is False
        for container in containers(pod):
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False
            assert security["readOnlyRootFilesystem"] is True
            assert security["capabilities"] == {"drop": ["ALL"]}
            assert container["image"] == "linkage-hub:0.1.0"


def _peers(rule: dict[str, Any]) -> list[dict[str, Any]]:
    return rule.get("from", rule.get("to", []))


def test_the_gateway_is_reached_only_from_the_ingress_controller_and_prometheus(
    manifests: list[Manifest],
) -> None:
    policy = named(manifests, "NetworkPolicy", GATEWAY)
    assert (
        policy["spec"]["podSelector"]["matchLabels"]
        == named(manifests, "Deployment", GATEWAY)["spec"]["selector"]["matchLabels"]
    )
    namespaces = [
        peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
        for rule in policy["spec"]["ingress"]
        for peer in _peers(rule)
    ]
    assert namespaces == ["ingress-nginx", "monitoring"]
    for rule in policy["spec"]["ingress"]:
        assert rule["ports"] == [{"protocol": "TCP", "port": 8000}]


def test_hub_pods_reach_only_kafka_postgresql_and_dns(manifests: list[Manifest]) -> None:
    for name in (GATEWAY, ARCHIVER):
        policy = named(manifests, "NetworkPolicy", name)
        assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        ports = {
            (port["protocol"], port["port"])
            for rule in policy["spec"]["egress"]
            for port in rule["ports"]
        }
        assert ports == {("TCP", 9093), ("TCP", 5432), ("UDP", 53), ("TCP", 53)}
        kafka, postgres, dns = policy["spec"]["egress"]
        assert _peers(kafka) == [
            {
                "podSelector": {
                    "matchLabels": {
                        "strimzi.io/cluster": "linkage",
                        "strimzi.io/broker-role": "true",
                    }
                }
            }
        ]
        assert dns["to"][0]["namespaceSelector"]["matchLabels"] == {
            "kubernetes.io/metadata.name": "kube-system"
        }
        assert "to" not in postgres  # by port: in the cluster or a managed database
    assert named(manifests, "NetworkPolicy", ARCHIVER)["spec"]["ingress"] == []


def test_a_connector_runs_alone_on_its_outbox_as_its_streams_owner(
    every_manifest: list[Manifest],
) -> None:
    (run,) = WITH_CONNECTOR.connectors
    name = f"linkage-connector-{run.name}"
    deployment = named(every_manifest, "Deployment", name)
    claim = named(every_manifest, "PersistentVolumeClaim", name)
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["args"][:3] == ["connector", "run", run.name]
    assert container["args"][3:6] == ["--source", run.source, "--follow"]
    env = {e["name"]: e for e in container["env"]}
    assert env["HUB_KAFKA_SASL_USERNAME"]["value"] == "meteorology"
    assert env["HUB_KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "meteorology"
    outbox = container["args"][container["args"].index("--outbox") + 1]
    mounts = [m for m in container["volumeMounts"] if outbox.startswith(m["mountPath"] + "/")]
    mount = max(mounts, key=lambda m: len(m["mountPath"]))
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    assert volume["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
