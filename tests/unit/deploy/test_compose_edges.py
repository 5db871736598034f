"""Where deploy/compose.yaml meets its other configuration files: the proxy's Caddyfile,
Prometheus' scrape targets and the OpenTelemetry collector's pipelines."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from hub.config import GatewaySettings
from tests.unit.deploy import compose_file

GATEWAY_PORT = GatewaySettings().port


def gateways() -> set[str]:
    return {
        name
        for name, service in compose_file.hub_services().items()
        if service.get("command", [])[:2] == ["hub", "gateway"]
    }


def caddyfile() -> str:
    proxy = compose_file.services()["proxy"]
    return compose_file.mounted_config(proxy, "/etc/caddy/Caddyfile").read_text(encoding="utf-8")


def proxy_blocks(text: str) -> list[tuple[list[str], str]]:
    """Each ``reverse_proxy`` with its upstreams and the text of its block (empty when it
    has none); comments dropped."""
    text = re.sub(r"#.*", "", text)
    blocks = []
    for match in re.finditer(r"reverse_proxy\s+([^{\n]*)(\{[^}]*\})?", text):
        blocks.append((match.group(1).split(), match.group(2) or ""))
    return blocks


def gateway_block() -> tuple[list[str], str]:
    found = [b for b in proxy_blocks(caddyfile()) if "health_uri" in b[1]]
    assert len(found) == 1, "one reverse_proxy with health checks: the gateways'"
    return found[0]


def directive(block: str, name: str) -> list[str]:
    found = re.findall(rf"^\s*{name}\s+(.*)$", block, re.MULTILINE)
    assert found, f"no {name}"
    return found[-1].split()


def test_the_proxy_names_both_gateway_replicas() -> None:
    """Breaks if the proxy forwards to a replica that does not exist, leaves one out, or
    uses another port than the gateways listen on."""
    upstreams, _ = gateway_block()
    assert set(upstreams) == {f"{name}:{GATEWAY_PORT}" for name in gateways()}


def test_the_proxy_checks_readiness_and_streams_events() -> None:
    """Breaks if the proxy health-checks anything but /readyz (a replica whose database
    is gone would keep getting requests), buffers responses (live feeds would arrive in
    lumps, or never), or stops terminating TLS."""
    _, block = gateway_block()
    assert directive(block, "health_uri") == ["/readyz"]
    assert directive(block, "flush_interval") == ["-1"]
    assert re.search(r"^\s*tls\s+internal\s*$", caddyfile(), re.MULTILINE)


def test_the_proxy_does_not_trust_forwarded_headers_from_clients() -> None:
    """Breaks if Caddy is told to trust proxies in front of it, or to pass a client's
    own X-Forwarded-For through: the gateways trust that header (FORWARDED_ALLOW_IPS),
    so a client could then choose the address its token attempts are counted under."""
    text = re.sub(r"#.*", "", caddyfile())
    assert "trusted_proxies" not in text
    assert not re.search(r"header_up\s+\+?X-Forwarded-For\s+\{http", text, re.IGNORECASE)
    for name in gateways():
        env = compose_file.environment(compose_file.services()[name])
        assert env.get("FORWARDED_ALLOW_IPS") == "*", name


def test_every_upstream_is_a_service_on_a_port_it_serves() -> None:
    """Breaks if any proxied address names a service that does not exist, such as the
    webhook connector under an old name, or a port its --source does not listen on."""
    services = compose_file.services()
    for upstreams, _ in proxy_blocks(caddyfile()):
        for upstream in upstreams:
            host, _, port = upstream.rpartition(":")
            assert host in services, upstream
            command = services[host].get("command", [])
            if "--source" in command:
                assert command[command.index("--source") + 1].endswith(f":{port}"), upstream


def test_the_issuer_is_the_address_the_proxy_serves() -> None:
    """Breaks if the tokens' issuer names another host or port than the proxy publishes:
    clients that check the issuer (and OAuth metadata) would be sent elsewhere."""
    proxy = compose_file.services()["proxy"]
    published = {str(p).rpartition(":")[0].rpartition(":")[2] for p in proxy["ports"]}
    host_default = re.search(r"\{\$LINKAGE_HOST:([^}]*)\}", caddyfile())
    assert host_default
    assert compose_file.environment(proxy)["LINKAGE_HOST"] == host_default.group(1)
    for name, service in compose_file.hub_services().items():
        issuer = urlsplit(compose_file.environment(service)["HUB_AUTH_ISSUER"])
        assert issuer.scheme == "https", name
        assert issuer.hostname == host_default.group(1), name
        assert str(issuer.port) in published, name


def prometheus() -> dict[str, Any]:
    service = compose_file.services()["prometheus"]
    return compose_file.load_yaml(
        compose_file.mounted_config(service, "/etc/prometheus/prometheus.yml")
    )


def scrape_jobs() -> dict[str, dict[str, Any]]:
    return {job["job_name"]: job for job in prometheus()["scrape_configs"]}


def targets(job: dict[str, Any]) -> set[str]:
    return {t for config in job.get("static_configs", []) for t in config["targets"]}


def test_prometheus_scrapes_each_gateway_with_the_metrics_token() -> None:
    """Breaks if a replica is not scraped, /metrics is scraped without the token (prod
    refuses it), or the token file is not the secret the gateways check against."""
    job = scrape_jobs()["linkage-gateway"]
    assert targets(job) == {f"{name}:{GATEWAY_PORT}" for name in gateways()}
    assert job.get("metrics_path", "/metrics") == "/metrics"
    folder, _, file = job["authorization"]["credentials_file"].rpartition("/")
    assert folder == "/run/secrets"
    prometheus_secret = compose_file.secret_mounts(compose_file.services()["prometheus"])[file]
    for name in gateways():
        mounts = compose_file.secret_mounts(compose_file.services()[name])
        assert mounts["HUB_TELEMETRY_METRICS_TOKEN"] == prometheus_secret, name


def test_every_scrape_target_is_a_service() -> None:
    """Breaks if Prometheus scrapes a host that no service is (a renamed service), or
    the collector on another port than its Prometheus exporter listens on."""
    services = compose_file.services()
    for name, job in scrape_jobs().items():
        for target in targets(job):
            host = target.rpartition(":")[0]
            assert host in services or host == "localhost", f"{name}: {target}"
    exporter = collector()["exporters"]["prometheus"]["endpoint"].rpartition(":")[2]
    assert targets(scrape_jobs()["otel-collector"]) == {f"otel-collector:{exporter}"}


def collector() -> dict[str, Any]:
    service = compose_file.services()["otel-collector"]
    return compose_file.load_yaml(
        compose_file.mounted_config(service, "/etc/otelcol-contrib/config.yaml")
    )


def undefined_components(config: dict[str, Any]) -> list[str]:
    """What the service section uses that the configuration does not define."""
    service = config.get("service", {})
    missing = [
        f"extension {e}"
        for e in service.get("extensions", [])
        if e not in config.get("extensions", {})
    ]
    for pipeline, parts in service.get("pipelines", {}).items():
        for kind in ("receivers", "processors", "exporters"):
            missing += [
                f"{pipeline}: {kind[:-1]} {name}"
                for name in parts.get(kind, [])
                if name not in (config.get(kind) or {})
            ]
    return missing


def test_an_undefined_collector_component_is_found() -> None:
    """The check below can fail."""
    traces = {"receivers": ["otlp"], "exporters": ["jaeger"]}
    config = {"receivers": {"otlp": {}}, "service": {"pipelines": {"traces": traces}}}
    assert undefined_components(config) == ["traces: exporter jaeger"]


def test_the_collector_pipelines_use_only_what_it_defines() -> None:
    """Breaks if a pipeline names a receiver, processor or exporter the file does not
    configure (the collector would refuse to start), or there is no traces pipeline."""
    config = collector()
    assert undefined_components(config) == []
    assert {"traces", "metrics"} <= config["service"]["pipelines"].keys()


@pytest.mark.parametrize("name", sorted(compose_file.hub_services()))
def test_the_hub_sends_telemetry_where_the_collector_listens(name: str) -> None:
    """Breaks if a process exports to another host or port than the collector's OTLP
    HTTP receiver, or to a path other than /v1/traces (the hub derives /v1/metrics from
    it by replacing that path)."""
    endpoint = compose_file.environment(compose_file.services()[name])[
        "HUB_TELEMETRY_OTLP_ENDPOINT"
    ]
    url = urlsplit(endpoint)
    receiver = collector()["receivers"]["otlp"]["protocols"]["http"]["endpoint"]
    assert url.hostname == "otel-collector"
    assert str(url.port) == receiver.rpartition(":")[2]
    assert url.path == "/v1/traces"
