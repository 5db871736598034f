"""`hub dev`, `hub gateway` and `hub broker`: the commands that run until stopped."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer

from hub.cli.common import configure_logging, load_settings, run_or_exit


def dev() -> None:
    """Run everything on this machine: embedded broker, gateway, demo clients and connectors."""
    from hub.dev import run_dev

    configure_logging()
    run_or_exit(lambda: run_dev(load_settings()))


def gateway(
    archive: Annotated[
        bool | None,
        typer.Option(
            help="run the archiver in this process too; default: only with the embedded broker"
        ),
    ] = None,
) -> None:
    """Serve the gateway (starts the embedded broker unless HUB_KAFKA_BOOTSTRAP is set).

    It migrates the database, registers the schemas and creates the topics first. With
    a cluster, run `hub archive` beside it (one per database) for history.
    """
    from hub.bus.broker import stop_on_sigterm
    from hub.stack import open_stack, serve_gateway

    configure_logging()
    settings = load_settings()

    def serve() -> None:
        stop_on_sigterm()
        with open_stack(settings) as running:
            if archive if archive is not None else running.broker is not None:
                running.replay()
                with running.archiving():
                    serve_gateway(running)
            else:
                serve_gateway(running)

    run_or_exit(serve)


def broker(
    port: Annotated[int | None, typer.Option(help="port to listen on; default a free one")] = None,
) -> None:
    """Start the embedded Kafka-protocol broker, print its address, stop it on Ctrl-C."""
    from hub.bus.broker import EmbeddedBroker

    settings = load_settings()

    def run() -> None:
        with EmbeddedBroker.from_settings(settings.broker, port=port) as running:
            typer.echo(f"HUB_KAFKA_BOOTSTRAP={running.bootstrap}")
            typer.echo(f"broker pid {running.pid}; press Ctrl-C to stop it", err=True)
            _wait_for_stop_signal()
        typer.echo("broker stopped", err=True)

    run_or_exit(run)


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
