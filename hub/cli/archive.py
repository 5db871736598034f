"""`hub archive`: the archiver, its status, and refilling a broker from it."""

from __future__ import annotations

import threading
from typing import Annotated

import typer

from hub.cli.common import configure_logging, load_settings, run_or_exit, start_telemetry
from hub.config import Settings

NAME = "archive"
app = typer.Typer(
    help="Archive every stream into the database for history; refill a broker from it.",
    invoke_without_command=True,
)


@app.callback()
def archive(
    ctx: typer.Context,
    replay: Annotated[
        bool, typer.Option(help="first refill topics that lost records (a restarted broker)")
    ] = True,
) -> None:
    """Run the archiver until Ctrl-C or SIGTERM (needs HUB_KAFKA_BOOTSTRAP).

    It tails every stream's topic and commits each batch of events together with its
    Kafka positions, so a crash neither loses nor doubles an event. Run one archiver
    per database.
    """
    if ctx.invoked_subcommand is not None:
        return
    import signal

    from hub.stack import open_stack

    configure_logging()
    settings = _cluster_settings()
    start_telemetry(settings)

    def run() -> None:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        # A refill writes into topics that a new broker may not have yet: it provisions
        # them first (idempotent); without it the archiver only reads what exists.
        with open_stack(settings, embedded=False, provisioned=replay) as running:
            if replay:
                refilled = running.replay()
                if refilled.replayed:
                    typer.echo(refilled.summary(), err=True)
            archiver = running.archiver()
            typer.echo(f"archiving {len(running.policy.streams)} streams; Ctrl-C stops", err=True)
            try:
                archiver.run(stop)
            except KeyboardInterrupt:
                pass
            finally:
                archiver.close()
            typer.echo(f"archiver stopped: {archiver.counts.archived} events archived", err=True)

    run_or_exit(run)


@app.command("replay")
def replay_command() -> None:
    """Write archived events back into the topics that lost them (a new or restarted
    broker). Topics that lost nothing are left alone; stop the archiver first."""
    from hub.stack import open_stack

    settings = _cluster_settings()

    def run() -> str:
        with open_stack(settings, embedded=False) as running:
            return running.replay().summary()

    typer.echo(run_or_exit(run))


@app.command("status")
def status() -> None:
    """Events archived per stream, and records on each topic not archived yet."""
    from hub.archive.store import ArchiveStore
    from hub.stack import open_stack

    settings = _cluster_settings()

    def run() -> list[str]:
        with open_stack(settings, embedded=False, provisioned=False) as running:
            store = ArchiveStore(running.engine)
            reader = running.bus.reader(pool_size=1)
            try:
                behind = running.archiver().backlog(reader)
            finally:
                reader.close()
            lines = [f"{'stream':<36} {'archived':>10} {'behind':>8}"]
            for stream in running.policy.streams:
                archived = store.count(stream.id)
                lines.append(f"{stream.id:<36} {archived:>10} {behind.get(stream.topic, 0):>8}")
            return lines

    for line in run_or_exit(run):
        typer.echo(line)


def _cluster_settings() -> Settings:
    settings = load_settings()
    if settings.kafka.bootstrap is None:
        typer.echo("error: set HUB_KAFKA_BOOTSTRAP to the cluster to archive", err=True)
        raise typer.Exit(2)
    return settings
