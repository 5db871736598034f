"""`hub deploy render` as an operator runs it: the real command, in its own process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from tests.utils.processes import hub_env

ROOT = Path(__file__).resolve().parents[3]
COMMITTED = ROOT / "deploy" / "kubernetes"


def hub(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hub", "deploy", "render", *args],
        env=hub_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_render_prints_every_manifest_as_one_yaml_stream(tmp_path: Path) -> None:
    done = hub(tmp_path, "--target", "strimzi", "--namespace", "city-hub", "--cluster", "events")
    assert done.returncode == 0, done.stderr
    manifests = list(yaml.safe_load_all(done.stdout))
    kinds = {m["kind"] for m in manifests}
    assert {"Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser", "Deployment"} <= kinds
    assert {"NetworkPolicy", "HorizontalPodAutoscaler", "PodDisruptionBudget"} <= kinds
    namespaced = [m for m in manifests if m["kind"] != "Namespace"]
    assert {m["metadata"]["namespace"] for m in namespaced} == {"city-hub"}
    (kafka,) = [m for m in manifests if m["kind"] == "Kafka"]
    assert kafka["metadata"]["name"] == "events"
    # Standard output is the manifests alone; what to create first goes to standard error.
    assert "linkage-database (url)" in done.stderr
    assert "events-cluster-ca-cert (ca.crt)" in done.stderr


def test_render_out_writes_the_folder_that_is_committed(tmp_path: Path) -> None:
    out = tmp_path / "kubernetes"
    done = hub(tmp_path, "--target", "strimzi", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert f"wrote 9 files to {out}" in done.stderr
    assert done.stdout == ""
    written = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()}
    committed = {p.name: p.read_text(encoding="utf-8") for p in COMMITTED.iterdir()}
    assert written == committed
    kustomization = yaml.safe_load(written["kustomization.yaml"])
    assert sorted(kustomization["resources"]) == sorted(set(written) - {"kustomization.yaml"})


def test_a_connector_adds_its_deployment(tmp_path: Path) -> None:
    source = "https://alerts.example.org/cap/index.atom"
    done = hub(tmp_path, "--target", "strimzi", "--connector", f"meteorology-cap-feed={source}")
    assert done.returncode == 0, done.stderr
    names = {(m["kind"], m["metadata"]["name"]) for m in yaml.safe_load_all(done.stdout)}
    assert ("Deployment", "linkage-connector-meteorology-cap-feed") in names
    unknown = hub(tmp_path, "--target", "strimzi", "--connector", "no-such=x")
    assert unknown.returncode == 2
    assert "no connector 'no-such'; the shipped ones are:" in unknown.stderr


def test_an_unknown_target_or_a_bad_option_is_one_clear_line_and_status_2(
    tmp_path: Path,
) -> None:
    afile = tmp_path / "a-file"
    afile.write_text("", encoding="utf-8")
    cases = {
        ("--target", "helm"): "error: unknown target 'helm'; the targets are: strimzi",
        ("--target", "strimzi", "--out", str(afile)): f"error: --out {afile} is a file",
        ("--target", "strimzi", "--out", str(afile / "sub")): f"error: cannot write to {afile}",
        ("--target", "strimzi", "--public-url", "http://hub"): "must be https://<host>",
        ("--target", "strimzi", "--gateway-replicas", "1"): "at least 2 replicas",
    }
    for args, expected in cases.items():
        done = hub(tmp_path, *args)
        assert done.returncode == 2, (args, done.stderr)
        assert expected in done.stderr
        assert "Traceback" not in done.stderr
        assert done.stdout == ""
