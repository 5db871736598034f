"""The gateway against its own OpenAPI document: schemathesis (its command line, as an
integrator would run it) generates requests for every documented operation, valid and
invalid, sends them over real HTTP to a real gateway (broker, archive, database), and
runs all of its checks on each answer: no 5xx, only documented statuses, content
types, headers and bodies as documented, invalid input refused, valid input accepted,
authentication not ignored; then its stateful phase follows the links between them.

Each request carries a valid token of a client holding the operation's scope. What
JSON Schema cannot state is configured below with its reason; nothing else is relaxed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.gateway.auth.clients import ClientStore
from hub.identity import REGISTRY_ADMIN, REGISTRY_WRITE
from tests.utils.events import incident_report, publish
from tests.utils.server import serving
from tests.utils.stack import Stack, gateway_stack

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(900)]
ST = Path(sys.executable).with_name("st")
#: Statuses a schema-valid request may get (schemathesis's default list), plus 422 where
#: validity depends on more than the request's shape.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
SEMANTIC = {
    # A cursor is sealed (HMAC) to its stream, filters and caller: any other string of
    # its form is refused, by design, so a client cannot forge or edit one.
    "GET /v1/streams/{stream}/events": "sealed cursor",
    "GET /v1/incidents/{incident_id}/timeline": "sealed cursor",
    # RFC 9162: a consistency proof runs from a smaller tree to a larger one.
    "GET /v1/audit/proof/consistency": "from must not exceed to",
    # A proof is of a tree the log has: size at most its current size, seq below size.
    "GET /v1/audit/proof/inclusion": "the log's current size",
    # `until` must come after `since` (one bound on another); cursor sealed as above.
    "GET /v1/streams/{stream}/live": "until after since",
    # The body must be an event of the stream's Avro schema, which the path chooses.
    "POST /v1/streams/{stream}/events": "the stream's Avro schema",
    "POST /v1/streams/{stream}/events/batch": "the stream's Avro schema",
    # The `schema` text must parse as Avro and its references resolve (Confluent 42201).
    "POST /registry/subjects/{subject}": "Avro schema text",
    "POST /registry/subjects/{subject}/versions": "Avro schema text",
    "POST /registry/compatibility/subjects/{subject}/versions": "Avro schema text",
    "POST /registry/compatibility/subjects/{subject}/versions/{version}": "Avro schema text",
}
#: Operations that need a scope the default client (the Emergency Management Bureau's
#: console client) lacks, and the client that holds it.
CLIENTS = {
    "AUDIT": ("audit-office", r"^/v1/(audit|reviews)"),
    # A hub operator's client: the registry's global settings and any subject.
    "REGISTRY": ("registry-operator", r"^/registry/(subjects|config|mode)"),
}


def _config(folder: Path) -> Path:
    names = ", ".join(f'"{name}"' for name in SEMANTIC)
    accepted = ", ".join(f'"{status}"' for status in [*ACCEPTED, "422"])
    lines = [
        'headers = { Authorization = "Bearer ${FUZZ_DEFAULT_TOKEN}" }',
        "max-stream-events = 1",
        "request-timeout = 30",
        "",
        "[[operations]]",
        f"include-name = [{names}]",
        f"checks.positive_data_acceptance.expected-statuses = [{accepted}]",
    ]
    for variable, (_, regex) in CLIENTS.items():
        lines += [
            "",
            "[[operations]]",
            f"include-path-regex = '{regex}'",
            f'headers = {{ Authorization = "Bearer ${{FUZZ_{variable}_TOKEN}}" }}',
        ]
    path = folder / "schemathesis.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, str, Path]]:
    folder = tmp_path_factory.mktemp("fuzz")
    with gateway_stack(folder) as stack:
        stack.credentials["registry-operator"] = ClientStore(stack.hub.sessions).ensure(
            client_id="registry-operator",
            agency="emergency",
            scopes=frozenset({REGISTRY_ADMIN, REGISTRY_WRITE}),
        )
        publish(stack, [incident_report(i) for i in range(5)])
        with serving(stack.http.app) as url:
            yield stack, url, folder


def test_schemathesis_finds_nothing_against_the_live_gateway(
    served: tuple[Stack, str, Path],
) -> None:
    stack, url, folder = served
    env = {**os.environ, "FUZZ_DEFAULT_TOKEN": stack.token("emergency-console")}
    for variable, (client, _) in CLIENTS.items():
        env[f"FUZZ_{variable}_TOKEN"] = stack.token(client)
    run = subprocess.run(
        [
            str(ST),
            "--no-color",
            "--config-file",
            str(_config(folder)),
            "run",
            f"{url}/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            "10",
            "--seed",
            "20261201",
            "--generation-database",
            "none",
            "--report-dir",
            str(folder / "report"),
        ],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=800,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-20_000:]
    counted = re.search(r"(\d+) generated, (\d+) passed", output)
    assert counted and counted.group(1) == counted.group(2), output[-5_000:]
    assert int(counted.group(1)) > 1_000, "every operation was exercised"
