"""`hub dev`: the whole hub on one machine, with demo clients and a short demo scenario.

Starts the embedded broker (unless ``HUB_KAFKA_BOOTSTRAP`` names a cluster), prepares
the database, schemas and topics, gives each demo client a fresh secret, runs the
example connectors on sample data, prints how to try it, and serves the gateway until
Ctrl-C. The secrets are written to ``var/dev/credentials.env`` (0600) so that the
README's curl tour can ``source`` them, and printed once only when the output is a
terminal.
"""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from hub.bus.broker import stop_on_sigterm
from hub.config import Settings
from hub.demo import scenario
from hub.demo.clients import issue_demo_credentials, write_credentials
from hub.demo.people import issue_demo_people
from hub.demo.tour import tour
from hub.errors import ConfigError
from hub.stack import HubStack, open_stack, serve_gateway


def run_dev(settings: Settings, *, serve: bool = True, echo: bool = True) -> Path:
    """Bring the demo up; returns the credentials file. Blocks serving unless ``serve`` is false."""
    say: Callable[..., None] = print if echo else (lambda *_: None)
    dev_dir = settings.var_dir / "dev"
    dev_dir.mkdir(parents=True, exist_ok=True)
    if serve:
        _check_port_free(settings.gateway.host, settings.gateway.port)
        stop_on_sigterm()
    if "watch_s" not in settings.policy.model_fields_set:
        # Edit policies/ while hub dev runs: the gateway picks the change up within a second.
        policy = settings.policy.model_copy(update={"watch_s": 1.0})
        settings = settings.model_copy(update={"policy": policy})
    with open_stack(settings, broker_log=dev_dir / "broker.log") as running:
        if running.broker is not None:
            say(
                f"embedded Kafka-protocol broker (Tansu, pid {running.broker.pid}) "
                f"on {running.broker.bootstrap}"
            )
        else:
            say(f"using Kafka at {running.bus.bootstrap}")
        for stream_id, schema in running.registered.items():
            say(
                f"stream {stream_id}: subject {schema.subject} v{schema.version}, schema id {schema.schema_id}"
            )
        base = running.settings.auth.issuer.rstrip("/")
        credentials = issue_demo_credentials(running.sessions)
        people = issue_demo_people(running.sessions, running.settings.console)
        env_file = write_credentials(dev_dir / "credentials.env", base, credentials, people)
        # Secrets go to a terminal only: `make dev > file` or a CI log must not keep them.
        shown = echo and sys.stdout.isatty()
        where = "shown once; also" if shown else "not shown: output is not a terminal; they are"
        say(f"\ndemo clients (secrets {where} in {env_file}):")
        for demo, issued in credentials:
            secret = issued.client_secret if shown else "*" * 8
            say(f"  {issued.client_id:<20} {secret}  {demo.role}")
        say(f"\nconsole people ({base}/console; passwords {where} in {env_file}):")
        for person, password in people:
            shown_password = password if shown else "*" * 8
            say(f"  {person.username:<20} {shown_password}  {person.role}, {person.agency}")
        refilled = running.replay()
        if refilled.replayed:
            say(f"\nthe broker started empty; from the archive: {refilled.summary()}")
        with running.archiving() as archiving:
            _run_demo_connectors(running, say)
            behind = running.wait_archived(archiving.archiver)
            archived = archiving.archiver.counts.archived
            say(
                f"\narchiver: {archived} events archived" + (f", behind {behind}" if behind else "")
            )
            if serve:
                secrets = {d.agency: (i.client_id, i.client_secret) for d, i in credentials}
                threading.Thread(
                    target=_scenario_then_tour,
                    args=(base, secrets, env_file, say),
                    name="demo-scenario",
                    daemon=True,
                ).start()
                serve_gateway(running)
            else:
                say(tour(base, env_file))
        return env_file


def _scenario_then_tour(
    base: str, secrets: dict[str, tuple[str, str]], env_file: Path, say: Callable[..., None]
) -> None:
    """Once the gateway answers: the demo scenario, then how to try it yourself."""
    if not scenario.wait_until_up(base):
        say(f"the gateway did not answer at {base}; the demo scenario is skipped")
    else:
        try:
            lines = scenario.play(base, secrets)
        except Exception as exc:  # the demo must not take the hub down
            say(f"\nthe demo scenario stopped: {exc}")
        else:
            say("\ndemo scenario (the console's incident and coordination pages show it):")
            for line in lines:
                say(f"  {line}")
    say(tour(base, env_file))


def _run_demo_connectors(running: HubStack, say: Callable[..., None]) -> None:
    from connectors.catalog import CONNECTORS, DEMO_SOURCES, SAMPLES
    from connectors.police_incidents import seed_sqlite
    from hub.connect.loading import construct
    from hub.demo.samples_server import serving_samples

    police_db = seed_sqlite(running.settings.var_dir / "dev" / "police.db")
    with serving_samples(SAMPLES) as samples:
        sources = {
            name: source.format(samples=samples, police_db=police_db)
            for name, source in DEMO_SOURCES.items()
        }
        connectors = [construct(CONNECTORS[name], source) for name, source in sources.items()]
        try:
            reports = running.run_connectors(connectors)
        finally:
            for connector in connectors:
                connector.close()
    for name, connector, report in zip(sources, connectors, reports, strict=True):
        say(f"\nconnector {name} -> {connector.stream}: {report.summary()}")


def _check_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            raise ConfigError(
                f"gateway port {port} on {host} is in use; stop what holds it or set HUB_GATEWAY_PORT"
            ) from None
