"""How the services of deploy/compose.yaml hang together: start order, health, restart,
the files and volumes they name, and the hub commands they run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from connectors.catalog import CONNECTORS
from hub.connect.loading import construct
from tests.unit.deploy import compose_file, dockerfile
from tests.unit.deploy.hub_commands import BadCommandLine, check_command, hub_words

# Long-running services that cannot have a Docker healthcheck, and why.
NO_HEALTHCHECK = {
    "otel-collector": "the image is FROM scratch: nothing in it can run a check",
}
_MOUNTED_PATH = re.compile(r"/etc/linkage/[A-Za-z0-9_.-]+")
_SECRET_PATH = re.compile(r"/run/secrets/([A-Za-z0-9_.-]+)")


def long_running() -> dict[str, dict]:
    return {n: s for n, s in compose_file.services().items() if not compose_file.one_shot(s)}


def test_every_service_states_its_restart_policy() -> None:
    """Breaks if a service leaves restart out: a crashed gateway would stay down, and
    the tests below could not tell a job from a service."""
    for name, service in compose_file.services().items():
        assert service.get("restart") in ("no", "unless-stopped", "always", "on-failure"), name


def test_every_dependency_exists_and_can_be_waited_for() -> None:
    """Breaks on depends_on naming a service that does not exist, waiting for health of
    a service without a healthcheck (it would never start), or for the completion of a
    service that never completes."""
    services = compose_file.services()
    for name, service in services.items():
        for target, condition in compose_file.depends_on(service).items():
            assert target in services, f"{name} depends on unknown {target}"
            if condition == "service_healthy":
                assert compose_file.healthcheck_enabled(services[target]), f"{name} -> {target}"
            if condition == "service_completed_successfully":
                assert compose_file.one_shot(services[target]), f"{name} -> {target}"


def test_the_start_order_has_no_cycle() -> None:
    """Breaks if two services wait for each other: `up` would refuse to start."""
    services = compose_file.services()
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, " -> ".join((*path, name))
        if name not in done:
            for target in compose_file.depends_on(services[name]):
                visit(target, (*path, name))
            done.add(name)

    for name in services:
        visit(name, ())


def test_hub_processes_wait_for_init_and_the_grants() -> None:
    """Breaks if a gateway, the archiver or a connector can start before the keys,
    tables, topics and the application role exist."""
    for name, service in compose_file.hub_services().items():
        if compose_file.one_shot(service):
            continue
        waits = compose_file.depends_on(service)
        assert waits.get("init") == "service_completed_successfully", name
        assert waits.get("db-grants") == "service_completed_successfully", name


def test_every_long_running_service_has_a_healthcheck() -> None:
    """Breaks if a service that stays up has no healthcheck (compose cannot tell it is
    stuck, and nothing can wait for it), or if an exemption above is out of date."""
    for name, service in long_running().items():
        if name in NO_HEALTHCHECK:
            assert service["healthcheck"].get("disable") is True, name
        else:
            assert compose_file.healthcheck_enabled(service), name
    assert NO_HEALTHCHECK.keys() <= long_running().keys()


def test_named_volumes_and_networks_are_declared() -> None:
    """Breaks if a service mounts a volume or joins a network the file does not declare."""
    document = compose_file.compose()
    for name, service in compose_file.services().items():
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in document["volumes"], f"{name}: {source}"
        assert set(service.get("networks", [])) <= document["networks"].keys(), name


def test_configuration_files_exist_and_each_service_has_what_it_names() -> None:
    """Breaks if a config points at a missing file, or a service runs a script or reads
    a path under /etc/linkage or /run/secrets that is not mounted into it."""
    document = compose_file.compose()
    for config in document["configs"]:
        assert compose_file.config_file(config).is_file(), config
    for name, service in compose_file.services().items():
        mounted = compose_file.config_mounts(service)
        assert set(mounted.values()) <= document["configs"].keys(), name
        texts = [str({k: service.get(k) for k in ("command", "entrypoint", "healthcheck")})]
        texts += [
            compose_file.config_file(config).read_text(encoding="utf-8")
            for target, config in mounted.items()
            if target.endswith(".sh")
        ]
        for text in texts:
            for path in _MOUNTED_PATH.findall(text):
                assert path in mounted, f"{name}: {path}"
            for secret in _SECRET_PATH.findall(text):
                assert secret in compose_file.secret_mounts(service), f"{name}: {secret}"


def test_a_wrong_hub_command_is_caught() -> None:
    """The command checks below can fail."""
    with pytest.raises(BadCommandLine, match="no command 'migrate'"):
        check_command(["hub", "db", "migrate"])
    with pytest.raises(BadCommandLine, match="--replicas"):
        check_command(["hub", "gateway", "--replicas", "2"])
    with pytest.raises(BadCommandLine):
        check_command(["hub", "connector", "run"])  # the connector's name is required


def hub_command_lines() -> list[tuple[str, list[str]]]:
    lines = []
    for name, service in compose_file.services().items():
        for command in (service.get("command"), (service.get("healthcheck") or {}).get("test")):
            words = hub_words(command)
            if words:
                lines.append((name, words))
    for line in compose_file.config_file("init").read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("hub "):
            lines.append(("init.sh", line.split()))
    return lines


@pytest.mark.parametrize(("where", "words"), hub_command_lines())
def test_every_hub_command_exists(where: str, words: list[str]) -> None:
    """Breaks if a service, healthcheck or init.sh runs a hub command or option the CLI
    does not have (a renamed command, a dropped --no-archive)."""
    check_command(words)


def test_gateways_do_not_archive_and_one_archiver_runs() -> None:
    """Breaks if a gateway also archives (two archivers on one database) or the
    archiver is missing or doubled."""
    commands = [hub_words(s.get("command")) for s in long_running().values()]
    gateways = [c for c in commands if c and c[:2] == ["hub", "gateway"]]
    assert gateways
    assert all("--no-archive" in c for c in gateways)
    assert sum(1 for c in commands if c and c[:2] == ["hub", "archive"]) == 1


def image_path(path: str) -> Path:
    """The repository file the image holds at ``path`` (from its COPY instructions)."""
    for source, destination in dockerfile.copied(dockerfile.stages()[-1]):
        if path == destination or path.startswith(destination.rstrip("/") + "/"):
            return compose_file.REPO / source / path[len(destination) :].lstrip("/")
    raise AssertionError(f"{path} is not copied into the image")


def connector_runs() -> list[tuple[str, list[str]]]:
    runs = []
    for name, service in compose_file.hub_services().items():
        words = hub_words(service.get("command"))
        if words and words[:3] == ["hub", "connector", "run"]:
            runs.append((name, words))
    return runs


def test_the_example_connectors_run() -> None:
    """Breaks if the connectors are dropped from the file."""
    assert len(connector_runs()) >= 4


@pytest.mark.parametrize(("service_name", "words"), connector_runs())
def test_each_connector_reads_what_the_image_holds(service_name: str, words: list[str]) -> None:
    """Breaks if a connector is unknown, its --source is a path the image does not hold
    (a sample renamed or not copied), or the connector refuses that source."""
    connector_name = words[3]
    assert connector_name in CONNECTORS
    source = words[words.index("--source") + 1]
    if source.startswith("/"):
        local = image_path(source)
        assert local.exists(), local
        source = str(local)
    construct(CONNECTORS[connector_name], source).close()


@pytest.mark.parametrize(("service_name", "words"), connector_runs())
def test_each_connector_keeps_its_outbox_in_its_own_volume(
    service_name: str, words: list[str]
) -> None:
    """Breaks if a connector's outbox is in the container's throwaway layer (events
    taken but not yet sent would be lost with it) or shared with another connector, or
    its healthcheck asks about another connector."""
    service = compose_file.services()[service_name]
    var_dir = dockerfile.stages()[-1].env()["HUB_VAR_DIR"]
    volumes = [m.split(":")[0] for m in service["volumes"] if m.split(":")[1] == var_dir]
    assert len(volumes) == 1
    others = [
        m.split(":")[0]
        for name, s in compose_file.services().items()
        if name != service_name
        for m in s.get("volumes", [])
    ]
    assert volumes[0] not in others
    check = hub_words(service["healthcheck"]["test"])
    if check and check[:3] == ["hub", "connector", "status"]:
        assert check[3] == words[3]
