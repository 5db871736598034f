"""The `hub` command: one module per command group; settings are built once per command."""

from __future__ import annotations

import typer

from hub.cli import (
    archive,
    audit,
    clients,
    connector,
    db,
    deploy,
    policy,
    schemas,
    serve,
    token,
    users,
)

app = typer.Typer(
    help="Linkage: the inter-departmental data-sharing hub for city emergency management.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(serve.dev)
app.command()(serve.gateway)
app.command()(serve.broker)
for group in (db, schemas, policy, clients, users, token, audit, archive, connector, deploy):
    app.add_typer(group.app, name=group.NAME)


def main() -> None:
    app(prog_name="hub")


__all__ = ["app", "main"]
