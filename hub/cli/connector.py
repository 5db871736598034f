"""`hub connector`: run, list, inspect and scaffold the departments' connectors."""

from __future__ import annotations

import signal
import threading
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hub.cli.common import configure_logging, load_settings, run_or_exit, start_telemetry

if TYPE_CHECKING:
    from hub.config import Settings
    from hub.connect.base import Connector, PushConnector
    from hub.connect.outbox import Outbox
    from hub.connect.runtime import ConnectorRuntime, RunReport
    from hub.connect.webhook import WebhookReceiver

NAME = "connector"
app = typer.Typer(
    help="Run, list, inspect and scaffold the departments' connectors.", no_args_is_help=True
)


@app.command("run")
def run(
    connector: Annotated[
        str, typer.Argument(help="a connector's name (see `hub connector list`) or a .py file")
    ],
    source: Annotated[
        str | None, typer.Option(help="what it reads: a folder, a file, a URL; see its docs")
    ] = None,
    follow: Annotated[
        bool, typer.Option("--follow", help="poll the source until Ctrl-C, not once")
    ] = False,
    outbox: Annotated[
        Path | None, typer.Option(help="its outbox file [default: var/connectors/NAME/outbox.db]")
    ] = None,
    drain_s: Annotated[
        float, typer.Option(help="how long to wait for the outbox to empty before exiting")
    ] = 30.0,
    option: Annotated[
        list[str] | None,
        typer.Option(help="a connector option as KEY=VALUE (e.g. encoding=gb18030); repeatable"),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Take the source's new records into the connector's outbox and send them.

    With HUB_CONNECT_TRANSPORT=kafka (the default) it sends to HUB_KAFKA_BOOTSTRAP with
    the hub's database for schemas; with HUB_CONNECT_TRANSPORT=gateway, to
    HUB_CONNECT_GATEWAY_URL with HUB_CONNECT_CLIENT_ID and HUB_CONNECT_CLIENT_SECRET.
    Exit status: 0 all sent; 3 some records were dead-lettered; 4 events are still
    waiting in the outbox (the hub did not take them in time; the next run sends them).
    """
    configure_logging(verbose)
    settings = load_settings()
    start_telemetry(settings)
    options = run_or_exit(lambda: _options(option or []))
    chosen = run_or_exit(lambda: _load(connector, source, options))
    path = outbox or _outbox_path(settings, chosen)
    report = run_or_exit(lambda: _run(settings, chosen, path, follow=follow, drain_s=drain_s))
    typer.echo(f"{chosen.name} -> {chosen.stream}: {report.summary()}")
    if report.waiting:
        raise typer.Exit(4)
    if report.dead_lettered:
        raise typer.Exit(3)


def _options(given: list[str]) -> dict[str, str]:
    from hub.errors import ConfigError

    options = {}
    for item in given:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--option {item!r}: write it as KEY=VALUE")
        options[key.strip().replace("-", "_")] = value
    return options


def _load(spec: str, source: str | None, options: dict[str, str]) -> Connector:
    from connectors.catalog import CONNECTORS
    from hub.connect.loading import load_connector

    return load_connector(spec, source, CONNECTORS, options)


def _outbox_path(settings: Settings, connector: Connector) -> Path:
    from hub.connect.assemble import outbox_path

    return outbox_path(settings.var_dir, connector)


def _run(
    settings: Settings, connector: Connector, path: Path, *, follow: bool, drain_s: float
) -> RunReport:
    from hub.connect.base import PushConnector
    from hub.connect.outbox import Outbox

    pushed = isinstance(connector, PushConnector)
    stop = threading.Event()
    if follow or pushed:  # a push connector listens until stopped
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
    with ExitStack() as resources:
        resources.callback(connector.close)
        box = Outbox(path, max_rows=settings.connect.outbox_max, fsync=settings.connect.fsync)
        resources.callback(box.close)
        runtime = _runtime(settings, connector, box, resources)
        resources.callback(runtime.close)
        if isinstance(connector, PushConnector):
            resources.enter_context(_receiver(settings, runtime, connector))
        return runtime.run(follow=follow or pushed, stop=stop, drain_s=drain_s)
    raise AssertionError("unreachable")  # pragma: no cover - ExitStack swallows nothing


def _receiver(
    settings: Settings, runtime: ConnectorRuntime, connector: PushConnector
) -> WebhookReceiver:
    from hub.connect.webhook import WebhookReceiver, listen_address
    from hub.errors import ConfigError

    secret = settings.connect.webhook_secret
    if secret is None:
        raise ConfigError("a webhook connector needs HUB_CONNECT_WEBHOOK_SECRET to check senders")
    source = str(getattr(connector, "source", ""))
    try:
        host, port = listen_address(source)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    receiver = WebhookReceiver(
        runtime, connector, host=host, port=port, secret=secret.get_secret_value().encode()
    )
    typer.echo(f"{connector.name}: receiving signed deliveries at {receiver.url} until Ctrl-C")
    return receiver


def _runtime(
    settings: Settings, connector: Connector, box: Outbox, resources: ExitStack
) -> ConnectorRuntime:
    from hub.client.api import HubClient
    from hub.connect.assemble import gateway_runtime
    from hub.errors import ConfigError
    from hub.stack import open_stack

    connect = settings.connect
    if connect.transport == "gateway":
        if not (connect.gateway_url and connect.client_id and connect.client_secret):
            raise ConfigError(
                "the gateway transport needs HUB_CONNECT_GATEWAY_URL, HUB_CONNECT_CLIENT_ID"
                " and HUB_CONNECT_CLIENT_SECRET"
            )
        client = HubClient(
            connect.gateway_url, connect.client_id, connect.client_secret.get_secret_value()
        )
        return gateway_runtime(connector, client=client, outbox=box, batch_max=connect.batch_max)
    if settings.kafka.bootstrap is None:
        raise ConfigError("set HUB_KAFKA_BOOTSTRAP to the cluster to publish to")
    running = resources.enter_context(open_stack(settings, embedded=False, provisioned=False))
    return running.connector_runtime(connector, box, batch_max=connect.batch_max)


@app.command("list")
def list_connectors() -> None:
    """The connectors this repository ships: name, agency, streams, what `hub dev` feeds them."""
    from connectors.catalog import CONNECTORS, DEMO_SOURCES

    for name, cls in sorted(CONNECTORS.items()):
        stream = cls.stream
        also = ", ".join(cls.also)
        agency = stream.split(".", 1)[0]
        demo = DEMO_SOURCES.get(name)
        typer.echo(
            f"{name:<24} {agency:<16} {stream}{f' (also {also})' if also else ''}"
            f"{f'  [demo: {demo}]' if demo else ''}"
        )


@app.command("status")
def status(
    connector: Annotated[
        str | None, typer.Argument(help="one connector's name; all with an outbox if left out")
    ] = None,
    outbox: Annotated[Path | None, typer.Option(help="an outbox file to read instead")] = None,
) -> None:
    """Each connector's outbox: events waiting and for how long, counts, last error,
    checkpoint. Reads the outbox files only, so it works beside a running connector."""
    from hub.connect.outbox import Outbox

    settings = load_settings()
    if outbox is not None:
        paths = [outbox]
    else:
        root = settings.var_dir / "connectors"
        names = [connector] if connector else sorted(p.name for p in root.glob("*") if p.is_dir())
        paths = [root / name / "outbox.db" for name in names]
    missing = [p for p in paths if not p.exists()]
    if connector and missing:
        typer.echo(f"error: {missing[0]} does not exist: {connector} has not run here", err=True)
        raise typer.Exit(2)
    if not paths:
        typer.echo("no connector has run here yet (no outbox under var/connectors/)")
        return
    for path in paths:
        if not path.exists():
            continue
        box = Outbox(path)
        try:
            state = box.state()
        finally:
            box.close()
        name = state.notes.get("connector", path.parent.name)
        lag = ""
        if state.oldest_ms is not None:
            lag = f", oldest waiting {time.time() - state.oldest_ms / 1000:,.1f} s"
        counts = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in state.counters.items())
        typer.echo(f"{name} -> {state.notes.get('stream', '?')} ({path})")
        typer.echo(f"  waiting: {state.depth:,}{lag}")
        typer.echo(f"  {counts}")
        typer.echo(f"  checkpoint: {state.position!r}")
        if "last_error" in state.notes:
            at = state.notes.get("last_error_at")
            when = (
                datetime.fromtimestamp(int(at) / 1000, UTC).isoformat(timespec="seconds")
                if at
                else "?"
            )
            typer.echo(f"  last error ({when}): {state.notes['last_error']}")


@app.command("new")
def new(
    name: Annotated[str, typer.Argument(help="the connector's name, e.g. water-levels")],
    stream: Annotated[str, typer.Option(help="the stream it publishes to, from streams.yaml")],
    into: Annotated[Path, typer.Option(help="the folder to write the package in")] = Path(
        "connectors"
    ),
    tests: Annotated[Path, typer.Option(help="the folder to write its test in")] = Path(
        "tests/unit/connectors"
    ),
) -> None:
    """Write a connector package (module, sample input) and a test that passes, to start from."""
    from hub.connect.scaffold import scaffold

    written = run_or_exit(lambda: scaffold(name, stream, package_root=into, tests=tests))
    for path in written:
        typer.echo(f"wrote {path}")
    connector_py = next(p for p in written if p.name == "connector.py")
    # `python -m pytest` puts this folder on the import path, where the package is.
    typer.echo(f"next: .venv/bin/python -m pytest {written[-1]}, then edit {connector_py}")
