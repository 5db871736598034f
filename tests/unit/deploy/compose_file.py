"""deploy/compose.yaml as the tests read it: loaded, interpolated as Compose would, and
asked the questions several tests share (which services run the hub, what environment a
service gets, where its secrets go)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[3]
DEPLOY = REPO / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
COMPOSE_DIR = DEPLOY / "compose"
HUB_DOCKERFILE = "deploy/Dockerfile"
MAKE_SECRETS = COMPOSE_DIR / "make-secrets.sh"

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, $NAME and $$ (a dollar).
_VARIABLE = re.compile(
    r"\$\$|\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)


def raw() -> dict[str, Any]:
    """The file as YAML gives it (anchors and merge keys resolved), before interpolation."""
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def variables(text: str) -> list[tuple[str, str | None]]:
    """Each ``${NAME...}`` in ``text``: its name and its default (None when it has none)."""
    found = []
    for match in _VARIABLE.finditer(text):
        name = match.group("braced") or match.group("bare")
        if name is None:
            continue
        has_default = (match.group("op") or "").endswith("-")
        found.append((name, match.group("arg") if has_default else None))
    return found


def interpolate(value: Any, environment: Mapping[str, str]) -> Any:
    """``value`` with every variable replaced as ``docker compose`` does, from
    ``environment`` (a default when a variable is unset, empty when there is none)."""
    if isinstance(value, dict):
        return {key: interpolate(item, environment) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, environment) for item in value]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("braced") or match.group("bare")
        op, arg = match.group("op") or "", match.group("arg") or ""
        given = environment.get(name)
        if op == ":-" and not given:
            return arg
        if op == "-" and given is None:
            return arg
        return given or ""

    return _VARIABLE.sub(replace, value)


@cache
def _loaded() -> dict[str, Any]:
    return interpolate(raw(), {})


def compose() -> dict[str, Any]:
    """The file interpolated with no variables set: what a plain ``up`` runs."""
    return _loaded()


def services() -> dict[str, dict[str, Any]]:
    return compose()["services"]


def is_hub(service: Mapping[str, Any]) -> bool:
    """A service that runs the hub's image (deploy/Dockerfile)."""
    build = service.get("build")
    return isinstance(build, dict) and build.get("dockerfile") == HUB_DOCKERFILE


def hub_services() -> dict[str, dict[str, Any]]:
    return {name: service for name, service in services().items() if is_hub(service)}


def environment(service: Mapping[str, Any]) -> dict[str, str]:
    """A service's environment as strings, however the file writes it (map or list)."""
    given = service.get("environment") or {}
    if isinstance(given, list):
        given = dict(item.split("=", 1) if "=" in item else (item, "") for item in given)
    return {key: _as_env(value) for key, value in given.items()}


def _as_env(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def secret_mounts(service: Mapping[str, Any]) -> dict[str, str]:
    """Where each of a service's secrets appears: its target name under /run/secrets/
    (the source's name unless a target is given), mapped to the secret's source."""
    mounts = {}
    for entry in service.get("secrets") or []:
        if isinstance(entry, str):
            mounts[entry] = entry
        else:
            mounts[entry.get("target", entry["source"])] = entry["source"]
    return mounts


def secret_file(source: str) -> Path:
    """The host file behind a top-level secret."""
    return (DEPLOY / compose()["secrets"][source]["file"]).resolve()


def config_mounts(service: Mapping[str, Any]) -> dict[str, str]:
    """A service's configs: target path in the container, mapped to the config's name."""
    mounts = {}
    for entry in service.get("configs") or []:
        if isinstance(entry, str):
            mounts[f"/{entry}"] = entry
        else:
            mounts[entry.get("target", f"/{entry['source']}")] = entry["source"]
    return mounts


def config_file(name: str) -> Path:
    """The host file behind a top-level config."""
    return (DEPLOY / compose()["configs"][name]["file"]).resolve()


def mounted_config(service: Mapping[str, Any], target: str) -> Path:
    """The repository file a service sees at ``target``."""
    return config_file(config_mounts(service)[target])


def depends_on(service: Mapping[str, Any]) -> dict[str, str]:
    """Each service this one waits for, with the condition (service_started when a list)."""
    given = service.get("depends_on") or {}
    if isinstance(given, list):
        return dict.fromkeys(given, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in given.items()}


def one_shot(service: Mapping[str, Any]) -> bool:
    """A job that runs to completion, not a service kept running."""
    return service.get("restart", "no") == "no"


def healthcheck_enabled(service: Mapping[str, Any]) -> bool:
    check = service.get("healthcheck") or {}
    return not check.get("disable", False) and bool(check.get("test"))


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def make_secrets(folder: Path) -> str:
    """Run make-secrets.sh into ``folder``, as an operator would; its output."""
    done = subprocess.run(
        ["sh", str(MAKE_SECRETS), str(folder)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return done.stdout
