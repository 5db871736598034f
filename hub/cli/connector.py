"""`hub connector`: run the departments' connectors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hub.cli.common import load_settings, run_or_exit

NAME = "connector"
app = typer.Typer(help="Run the departments' connectors.", no_args_is_help=True)


@app.command("run")
def run(
    name: Annotated[str, typer.Argument(help="meteorology-cap or emergency-reports")],
    source: Annotated[Path, typer.Option(help="the folder or file the connector reads")],
) -> None:
    """Run a connector once over its source and report what was published or rejected.

    Needs HUB_KAFKA_BOOTSTRAP: a connector publishes to a running cluster.
    """
    from connectors.catalog import CONNECTORS
    from hub.connect import RunReport
    from hub.stack import open_stack

    settings = load_settings()
    if name not in CONNECTORS:
        typer.echo(f"error: unknown connector {name!r}; known: {', '.join(CONNECTORS)}", err=True)
        raise typer.Exit(2)
    if settings.kafka.bootstrap is None:
        typer.echo("error: set HUB_KAFKA_BOOTSTRAP to the cluster to publish to", err=True)
        raise typer.Exit(2)
    if not source.exists():
        typer.echo(f"error: {source} does not exist", err=True)
        raise typer.Exit(2)

    def publish() -> RunReport:
        with open_stack(settings, embedded=False, provisioned=False) as running:
            (report,) = running.run_connectors([CONNECTORS[name](source)])
            return report

    report = run_or_exit(publish)
    typer.echo(report.summary())
    if report.rejected:
        raise typer.Exit(3)
