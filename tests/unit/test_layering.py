"""Arrows run one way: each package imports only what the design card lets it.

The table below is the design's layer diagram, written as data. Every ``import`` in
``hub/`` and ``connectors/`` (at module level or inside a function) is checked against
it, and a few packages are imported in a fresh interpreter to prove that what they pull
in transitively stays out of Kafka and the web framework too.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: For each hub package, the other hub packages it may import. Packages not listed
#: here (the composition root and the commands: hub.cli, hub.stack, hub.dev, hub.demo,
#: hub.provision) may import anything.
ALLOWED: dict[str, frozenset[str]] = {
    "hub.errors": frozenset(),
    "hub.config": frozenset(),
    "hub.identity": frozenset(),
    "hub.telemetry": frozenset({"hub.config"}),
    "hub.serde": frozenset({"hub.errors"}),
    "hub.tlog": frozenset(),
    "hub.keyfiles": frozenset({"hub.errors"}),
    # The integrators' client stands alone: it speaks HTTP to a hub, nothing else.
    "hub.client": frozenset(),
    "hub.store": frozenset({"hub.config", "hub.errors", "hub.tlog"}),
    "hub.bus": frozenset({"hub.config", "hub.errors"}),
    "hub.registry": frozenset({"hub.serde", "hub.store", "hub.errors"}),
    "hub.policy": frozenset({"hub.serde", "hub.identity", "hub.keyfiles", "hub.errors"}),
    "hub.archive": frozenset({"hub.store", "hub.bus", "hub.serde", "hub.config", "hub.errors"}),
    "hub.coordination": frozenset({"hub.store", "hub.policy", "hub.errors"}),
    "hub.live": frozenset({"hub.archive", "hub.bus", "hub.serde", "hub.errors"}),
    "hub.publishing": frozenset({"hub.connect", "hub.bus", "hub.store", "hub.serde", "hub.errors"}),
    "hub.audit": frozenset({"hub.store", "hub.tlog", "hub.config", "hub.keyfiles", "hub.errors"}),
    "hub.catalog": frozenset(
        {"hub.serde", "hub.registry", "hub.policy", "hub.store", "hub.config", "hub.errors"}
    ),
    # The SDK: a remote connector speaks to the gateway through the client; its offline
    # tools (mapped_events, run_in_memory, the scaffold) read the catalogue and schema
    # files. What reads the hub's database (the registry) is put together in hub.stack.
    "hub.connect": frozenset(
        {
            "hub.serde",
            "hub.bus",
            "hub.errors",
            "hub.telemetry",
            "hub.client",
            "hub.catalog",
            "hub.policy",
            "hub.config",
        }
    ),
    "hub.emergencies": frozenset({"hub.store", "hub.policy", "hub.identity", "hub.errors"}),
    # The ACL export names the audit checkpoints' topic, which every agency may read.
    "hub.policy_tools": frozenset(
        {"hub.policy", "hub.catalog", "hub.serde", "hub.audit", "hub.errors"}
    ),
    # Manifests are rendered from the catalogue and the policy, by the rules the hub
    # applies (policy_tools' ACLs, the audit log's topic); it runs nothing of the hub.
    "hub.deploy": frozenset(
        {"hub.policy", "hub.policy_tools", "hub.catalog", "hub.serde", "hub.audit", "hub.errors"}
    ),
    "hub.gateway": frozenset(
        {
            "hub",
            "hub.archive",
            "hub.audit",
            "hub.coordination",
            "hub.bus",
            "hub.config",
            "hub.emergencies",
            "hub.errors",
            "hub.identity",
            "hub.keyfiles",
            "hub.live",
            "hub.policy",
            "hub.publishing",
            "hub.registry",
            "hub.serde",
            "hub.store",
            "hub.telemetry",
        }
    ),
}

#: Third-party packages that only one part of the hub may import.
OWNED_BY: dict[str, frozenset[str]] = {
    "kafka": frozenset({"hub.bus"}),
    "fastapi": frozenset({"hub.gateway"}),
    "starlette": frozenset({"hub.gateway"}),
    "uvicorn": frozenset({"hub.gateway", "hub.stack"}),
}

#: Packages that do no I/O (no database, network, processes or files), and what that rules out.
IO_FREE = frozenset({"hub.serde", "hub.tlog"})
IO_MODULES = frozenset(
    {
        "sqlalchemy",
        "kafka",
        "fastapi",
        "starlette",
        "uvicorn",
        "httpx",
        "socket",
        "subprocess",
        "os",
        "pathlib",
        "shutil",
        "urllib",
    }
)

#: Connectors see the SDK and nothing else of the hub.
CONNECTOR_MAY_IMPORT = frozenset({"hub.connect"})


@dataclass(frozen=True, slots=True)
class Violation:
    module: str
    line: int
    imported: str
    rule: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.imported} ({self.rule})"


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(root: Path, path: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports, relative imports resolved, with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = module_name(root, path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # ``from hub import gateway`` imports hub.gateway.
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return found


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(f"{package}.")


def _hub_package(name: str) -> str:
    """``hub.gateway.routes.x`` -> ``hub.gateway``; ``hub`` stays ``hub``."""
    return ".".join(name.split(".")[:2])


def violations(root: Path) -> list[Violation]:
    found: list[Violation] = []
    for path in sorted((root / "hub").rglob("*.py")) + sorted((root / "connectors").rglob("*.py")):
        module = module_name(root, path)
        own = _hub_package(module)
        for line, imported in imports_of(root, path):
            top = imported.split(".")[0]
            if top in OWNED_BY and not any(_within(module, p) for p in OWNED_BY[top]):
                owners = ", ".join(sorted(OWNED_BY[top]))
                found.append(Violation(module, line, imported, f"only {owners} may import {top}"))
            if own in IO_FREE and top in IO_MODULES:
                found.append(Violation(module, line, imported, f"{own} does no I/O"))
            if top != "hub" or imported in ("hub", "hub.__version__"):
                continue
            target = _hub_package(imported)
            if module.startswith("connectors"):
                if not any(_within(imported, p) for p in CONNECTOR_MAY_IMPORT):
                    found.append(
                        Violation(module, line, imported, "connectors use hub.connect only")
                    )
                continue
            if target == own or own not in ALLOWED:
                continue
            if target not in ALLOWED[own]:
                found.append(Violation(module, line, imported, f"{own} may not import {target}"))
    # ``from hub.x import name`` also yields hub.x.name: keep the first report of a rule.
    unique: dict[tuple[str, int, str], Violation] = {}
    for v in found:
        unique.setdefault((v.module, v.line, v.rule), v)
    return list(unique.values())


def test_every_import_follows_the_layers() -> None:
    problems = violations(ROOT)
    assert not problems, "imports against the layers:\n" + "\n".join(map(str, problems))


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (tmp_path / "connectors").mkdir(exist_ok=True)
    return tmp_path


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"hub/registry/x.py": "from hub.gateway.deps import CallerDep\n"},
            "hub.registry.x:1 imports hub.gateway.deps (hub.registry may not import hub.gateway)",
        ),
        (
            {"hub/policy/x.py": "def f():\n    import fastapi\n"},
            "hub.policy.x:2 imports fastapi (only hub.gateway may import fastapi)",
        ),
        (
            {"hub/gateway/x.py": "from kafka import KafkaConsumer\n"},
            "hub.gateway.x:1 imports kafka (only hub.bus may import kafka)",
        ),
        (
            {"hub/connect/x.py": "from ..registry import service\n"},
            "hub.connect.x:1 imports hub.registry (hub.connect may not import hub.registry)",
        ),
        (
            {"connectors/x.py": "from hub.serde.wire import frame\n"},
            "connectors.x:1 imports hub.serde.wire (connectors use hub.connect only)",
        ),
        (
            {"hub/serde/x.py": "from sqlalchemy import select\n"},
            "hub.serde.x:1 imports sqlalchemy (hub.serde does no I/O)",
        ),
        (
            {"hub/store/x.py": "import starlette.requests\n"},
            "hub.store.x:1 imports starlette.requests (only hub.gateway may import starlette)",
        ),
        (
            {"hub/deploy/x.py": "from hub.gateway.services import CURSOR_KEY\n"},
            "hub.deploy.x:1 imports hub.gateway.services (hub.deploy may not import hub.gateway)",
        ),
        (
            {"hub/deploy/x.py": "def f():\n    from kafka import KafkaAdminClient\n"},
            "hub.deploy.x:2 imports kafka (only hub.bus may import kafka)",
        ),
    ],
    ids=[
        "registry-gateway",
        "policy-fastapi",
        "gateway-kafka",
        "connect-policy",
        "connector",
        "serde-io",
        "store-starlette",
        "deploy-gateway",
        "deploy-kafka",
    ],
)
def test_the_check_catches_an_import_against_the_layers(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    found = [str(v) for v in violations(_tree(tmp_path, files))]
    assert found == [expected]


def test_the_check_lets_allowed_imports_pass(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "hub/gateway/x.py": "from hub.policy.decision import decide\nimport fastapi\n",
            "hub/stack.py": "import uvicorn\nfrom hub.gateway.app import create_app\n",
            "connectors/y.py": "from hub.connect import Connector\nimport defusedxml\n",
            "hub/serde/z.py": "from . import wire\nfrom hub.errors import InvalidFrame\n",
        },
    )
    assert violations(root) == []


# Static imports miss what a package drags in through others: import each in a fresh
# interpreter and look at what got loaded.
FORBIDDEN_AT_RUNTIME = ("kafka", "fastapi", "starlette", "uvicorn")


@pytest.mark.parametrize(
    "module",
    [
        "hub.serde.avro",
        "hub.registry.service",
        "hub.policy.decision",
        "hub.audit.log",
        "hub.store.models",
        "hub.catalog.check",
        "hub.connect",
        "hub.connect.testing",
        "connectors.catalog",
        "hub.deploy.strimzi",
        "hub.deploy.render",
    ],
)
def test_importing_a_domain_package_loads_no_kafka_and_no_web_framework(module: str) -> None:
    probe = (
        f"import importlib, json, sys; importlib.import_module({module!r}); "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    loaded = set(json.loads(done.stdout))
    assert not loaded & set(FORBIDDEN_AT_RUNTIME), (
        f"{module} loads {loaded & set(FORBIDDEN_AT_RUNTIME)}"
    )
