"""The `hub` command. Settings are built once here and passed down; errors print one line."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError

from hub.config import Settings
from hub.errors import HubError

app = typer.Typer(
    help="Linkage: the inter-departmental data-sharing hub for city emergency management.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The hub's database.", no_args_is_help=True)
schemas_app = typer.Typer(help="The shared Avro schemas in schemas/.", no_args_is_help=True)
policy_app = typer.Typer(help="The access policy in policies/.", no_args_is_help=True)
clients_app = typer.Typer(help="OAuth clients of the agencies.", no_args_is_help=True)
token_app = typer.Typer(help="Token signing keys.", no_args_is_help=True)
connector_app = typer.Typer(help="Run the departments' connectors.", no_args_is_help=True)
for sub, name in (
    (db_app, "db"),
    (schemas_app, "schemas"),
    (policy_app, "policy"),
    (clients_app, "clients"),
    (token_app, "token"),
    (connector_app, "connector"),
):
    app.add_typer(sub, name=name)

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"]) or "settings"
            typer.echo(f"error: {where}: {error['msg']}", err=True)
        raise typer.Exit(2) from None


def _run(action: Callable[[], T]) -> T:
    """Run ``action``, turning hub errors into one clear line and exit status 1."""
    try:
        return action()
    except HubError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None


def _logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # kafka-python is chatty at INFO about every connection.
    logging.getLogger("kafka").setLevel(logging.WARNING)
    logging.getLogger("authlib").setLevel(logging.INFO)


@app.command()
def dev() -> None:
    """Run everything on this machine: embedded broker, gateway, demo clients and connectors."""
    from hub.dev import run_dev

    _logging()
    _run(lambda: run_dev(_settings()))


@app.command()
def gateway() -> None:
    """Serve the gateway (starts the embedded broker unless HUB_KAFKA_BOOTSTRAP is set)."""
    import uvicorn

    from hub.bus.broker import EmbeddedBroker, stop_on_sigterm
    from hub.gateway.app import create_app
    from hub.provision import provision
    from hub.store.engine import make_engine

    _logging()
    settings = _settings()

    def serve() -> None:
        stop_on_sigterm()
        broker = None
        if settings.kafka.bootstrap is None:
            broker = EmbeddedBroker.from_settings(settings.broker).start()
        try:
            ready = settings.with_bootstrap(broker.bootstrap) if broker else settings
            engine = make_engine(ready.database)
            provision(ready, engine=engine, bootstrap=str(ready.kafka.bootstrap))
            engine.dispose()
            uvicorn.run(create_app(ready), host=ready.gateway.host, port=ready.gateway.port)
        finally:
            if broker:
                broker.stop()

    _run(serve)


@app.command()
def broker(
    port: Annotated[int | None, typer.Option(help="port to listen on; default a free one")] = None,
) -> None:
    """Start the embedded Kafka-protocol broker, print its address, stop it on Ctrl-C."""
    from hub.bus.broker import EmbeddedBroker

    settings = _settings()

    def run() -> None:
        with EmbeddedBroker.from_settings(settings.broker, port=port) as running:
            typer.echo(f"HUB_KAFKA_BOOTSTRAP={running.bootstrap}")
            typer.echo(f"broker pid {running.pid}; press Ctrl-C to stop it", err=True)
            _wait_for_stop_signal()
        typer.echo("broker stopped", err=True)

    _run(run)


def _wait_for_stop_signal() -> None:
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (SQLite or PostgreSQL, from HUB_DATABASE_URL)."""

    settings = _settings()
    with _store_sessions(settings):
        pass  # opening the store migrates it
    typer.echo("database is up to date")


@schemas_app.command("list")
def schemas_list() -> None:
    """List the event schemas and the shared types they use."""
    from hub.registry.catalog import SchemaCatalog

    settings = _settings()
    catalog = _run(lambda: SchemaCatalog.load(settings.schemas_dir))
    for schema in sorted(catalog.files.values(), key=lambda s: (not s.shared, s.fullname)):
        kind = "shared" if schema.shared else "event "
        typer.echo(f"{kind} {schema.fullname:<45} {schema.path.relative_to(settings.schemas_dir)}")


@schemas_app.command("check")
def schemas_check(
    against: Annotated[
        str,
        typer.Option(help="git ref to compare with; 'auto': before the last schema change; 'none'"),
    ] = "auto",
    registry: Annotated[
        bool, typer.Option(help="also compare with versions in the hub's database")
    ] = True,
) -> None:
    """Check every schema: parses, documented, tagged, named by convention, compatible.

    Prints one line per problem and exits 1 if there is any.
    """
    from hub.registry.schema_check import run_checks

    settings = _settings()
    outcome = _run(lambda: run_checks(settings, against=against, registry=registry))
    for problem in outcome.problems:
        typer.echo(str(problem))
    if outcome.problems:
        typer.echo(f"{len(outcome.problems)} problem(s)", err=True)
        raise typer.Exit(1)
    typer.echo(outcome.summary)


@schemas_app.command("register")
def schemas_register() -> None:
    """Register every stream's schema under its subject, with the stream's compatibility mode."""
    from hub.policy.loader import load_policy
    from hub.provision import register_catalogue
    from hub.store.engine import make_engine
    from hub.store.migrate import upgrade

    settings = _settings()

    def register() -> None:
        engine = make_engine(settings.database)
        try:
            upgrade(engine)
            done = register_catalogue(
                settings, engine=engine, policy=load_policy(settings.policies_dir)
            )
        finally:
            engine.dispose()
        for registered in done.values():
            typer.echo(
                f"{registered.subject}: version {registered.version}, id {registered.schema_id}"
            )

    _run(register)


@policy_app.command("lint")
def policy_lint() -> None:
    """Load and check the policy files; exit non-zero with the file and line of a problem."""
    from hub.policy.loader import load_policy

    settings = _settings()
    policy = _run(lambda: load_policy(settings.policies_dir))
    typer.echo(
        f"policy ok: {len(policy.agencies)} agencies, {len(policy.streams)} streams, "
        f"{len(policy.grants)} grants"
    )


@clients_app.command("create")
def clients_create(
    agency: Annotated[str, typer.Option(help="agency id from policies/agencies.yaml")],
    scope: Annotated[list[str], typer.Option(help="a scope to allow; repeat for more")],
    client_id: Annotated[
        str | None, typer.Option("--id", help="client id; default <agency>-<random>")
    ] = None,
    description: Annotated[str, typer.Option(help="what system uses this client")] = "",
) -> None:
    """Create an OAuth client; its secret is printed once and never stored in clear."""
    from hub.gateway.auth.clients import ClientStore
    from hub.policy.loader import load_policy

    def create() -> Any:
        settings = _settings()
        if load_policy(settings.policies_dir).agency(agency) is None:
            raise HubError(f"agency {agency!r} is not in {settings.policies_dir / 'agencies.yaml'}")
        with _store_sessions(settings) as sessions:
            return ClientStore(sessions).create(
                agency=agency, scopes=frozenset(scope), client_id=client_id, description=description
            )

    issued = _run(create)
    typer.echo(f"client_id={issued.client_id}")
    typer.echo(f"client_secret={issued.client_secret}")
    typer.echo("store the secret now: it cannot be shown again", err=True)


@clients_app.command("list")
def clients_list() -> None:
    """List clients with their agency, scopes and state (never secrets)."""
    from hub.gateway.auth.clients import ClientStore

    with _store_sessions(_settings()) as sessions:
        for client in ClientStore(sessions).list():
            state = "disabled" if client.disabled else "active"
            typer.echo(
                f"{client.client_id:<24} {client.agency:<16} {state:<8} {' '.join(sorted(client.scopes))}"
            )


@clients_app.command("disable")
def clients_disable(client_id: str) -> None:
    """Disable a client: it can get no new tokens."""
    from hub.gateway.auth.clients import ClientStore

    def disable() -> None:
        with _store_sessions(_settings()) as sessions:
            ClientStore(sessions).disable(client_id)

    _run(disable)
    typer.echo(f"{client_id} disabled")


@token_app.command("keygen")
def token_keygen(
    force: Annotated[
        bool, typer.Option(help="replace an existing key (old tokens stop working)")
    ] = False,
) -> None:
    """Create the gateway's RS256 signing key in the key directory."""
    from hub.gateway.auth.keys import KEY_FILE, generate_key

    settings = _settings()
    path = settings.auth.key_dir / KEY_FILE
    if path.exists() and not force:
        typer.echo(f"error: {path} exists; pass --force to replace it", err=True)
        raise typer.Exit(1)
    key = generate_key(settings.auth.key_dir)
    typer.echo(f"signing key {key.kid} written to {path}")


@connector_app.command("run")
def connector_run(
    name: Annotated[str, typer.Argument(help="meteorology-cap or emergency-reports")],
    source: Annotated[Path, typer.Option(help="the folder or file the connector reads")],
) -> None:
    """Run a connector once over its source and report what was published or rejected."""
    from connectors.catalog import CONNECTORS
    from hub.bus.kafka import KafkaPublisher
    from hub.connect import run_connector
    from hub.connect.wiring import open_sink
    from hub.policy.loader import load_policy
    from hub.registry.store import SchemaStore

    settings = _settings()
    if name not in CONNECTORS:
        typer.echo(f"error: unknown connector {name!r}; known: {', '.join(CONNECTORS)}", err=True)
        raise typer.Exit(2)
    if settings.kafka.bootstrap is None:
        typer.echo("error: set HUB_KAFKA_BOOTSTRAP to the cluster to publish to", err=True)
        raise typer.Exit(2)
    if not source.exists():
        typer.echo(f"error: {source} does not exist", err=True)
        raise typer.Exit(2)

    def run() -> Any:
        connector = CONNECTORS[name](source)
        publisher = KafkaPublisher(settings.kafka, str(settings.kafka.bootstrap))
        try:
            with _store_sessions(settings) as sessions:
                sink = open_sink(
                    policy=load_policy(settings.policies_dir),
                    stream_id=connector.stream,
                    schemas=SchemaStore(sessions),
                    publisher=publisher,
                )
                return run_connector(connector, sink)
        finally:
            publisher.close()

    report = _run(run)
    typer.echo(report.summary())
    if report.rejected:
        raise typer.Exit(3)


@contextmanager
def _store_sessions(settings: Settings) -> Iterator[Any]:
    """Open the database (migrating it first), yield a session factory, dispose after."""
    from hub.store.engine import make_engine, make_sessions
    from hub.store.migrate import upgrade

    engine = make_engine(settings.database)
    try:
        upgrade(engine)
        yield make_sessions(engine)
    finally:
        engine.dispose()


def main() -> None:
    app(prog_name="hub")


if __name__ == "__main__":
    main()
