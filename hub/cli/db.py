"""`hub db`: the hub's database."""

from __future__ import annotations

import typer

from hub.cli.common import load_settings, run_or_exit

NAME = "db"
app = typer.Typer(help="The hub's database.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Apply the database migrations (SQLite or PostgreSQL, from HUB_DATABASE_URL)."""
    from hub.stack import open_store

    settings = load_settings()

    def migrate() -> None:
        with open_store(settings):
            pass  # opening the store migrates it

    run_or_exit(migrate)
    typer.echo("database is up to date")
