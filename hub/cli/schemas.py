"""`hub schemas`: the shared Avro schemas in schemas/."""

from __future__ import annotations

from typing import Annotated

import typer

from hub.cli.common import load_settings, run_or_exit

NAME = "schemas"
app = typer.Typer(help="The shared Avro schemas in schemas/.", no_args_is_help=True)


@app.command("list")
def list_schemas() -> None:
    """List the event schemas and the shared types they use."""
    from hub.catalog.files import SchemaCatalog

    settings = load_settings()
    catalog = run_or_exit(lambda: SchemaCatalog.load(settings.schemas_dir))
    for schema in sorted(catalog.files.values(), key=lambda s: (not s.shared, s.fullname)):
        kind = "shared" if schema.shared else "event "
        typer.echo(f"{kind} {schema.fullname:<45} {schema.path.relative_to(settings.schemas_dir)}")


@app.command("check")
def check(
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
    from hub.catalog.check import run_checks

    settings = load_settings()
    outcome = run_or_exit(lambda: run_checks(settings, against=against, registry=registry))
    for problem in outcome.problems:
        typer.echo(str(problem))
    if outcome.problems:
        typer.echo(f"{len(outcome.problems)} problem(s)", err=True)
        raise typer.Exit(1)
    typer.echo(outcome.summary)


@app.command("register")
def register() -> None:
    """Register every stream's schema under its subject, with the stream's compatibility mode."""
    from hub.policy.loader import load_policy
    from hub.provision import register_catalogue
    from hub.registry.entities import SubjectSchema
    from hub.stack import open_store

    settings = load_settings()

    def run() -> dict[str, SubjectSchema]:
        policy = load_policy(settings.policies_dir)
        with open_store(settings) as sessions:
            return register_catalogue(settings, sessions=sessions, policy=policy)

    for registered in run_or_exit(run).values():
        typer.echo(f"{registered.subject}: version {registered.version}, id {registered.schema_id}")
