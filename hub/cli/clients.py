"""`hub clients`: the agencies' OAuth clients."""

from __future__ import annotations

from typing import Annotated

import typer

from hub.cli.common import load_settings, run_or_exit
from hub.errors import HubError

NAME = "clients"
app = typer.Typer(help="OAuth clients of the agencies.", no_args_is_help=True)


@app.command("create")
def create(
    agency: Annotated[str, typer.Option(help="agency id from policies/agencies.yaml")],
    scope: Annotated[list[str], typer.Option(help="a scope to allow; repeat for more")],
    client_id: Annotated[
        str | None, typer.Option("--id", help="client id; default <agency>-<random>")
    ] = None,
    description: Annotated[str, typer.Option(help="what system uses this client")] = "",
) -> None:
    """Create an OAuth client; its secret is printed once and never stored in clear."""
    from hub.gateway.auth.clients import ClientStore, IssuedCredentials
    from hub.policy.loader import load_policy
    from hub.stack import open_store

    settings = load_settings()

    def run() -> IssuedCredentials:
        if load_policy(settings.policies_dir).agency(agency) is None:
            raise HubError(f"agency {agency!r} is not in {settings.policies_dir / 'agencies.yaml'}")
        with open_store(settings) as sessions:
            return ClientStore(sessions).create(
                agency=agency, scopes=frozenset(scope), client_id=client_id, description=description
            )

    issued = run_or_exit(run)
    typer.echo(f"client_id={issued.client_id}")
    typer.echo(f"client_secret={issued.client_secret}")
    typer.echo("store the secret now: it cannot be shown again", err=True)


@app.command("list")
def list_clients() -> None:
    """List clients with their agency, scopes and state (never secrets)."""
    from hub.gateway.auth.clients import ClientStore, RegisteredClient
    from hub.stack import open_store

    settings = load_settings()

    def run() -> list[RegisteredClient]:
        with open_store(settings) as sessions:
            return ClientStore(sessions).list()

    for client in run_or_exit(run):
        state = "disabled" if client.disabled else "active"
        typer.echo(
            f"{client.client_id:<24} {client.agency:<16} {state:<8} {' '.join(sorted(client.scopes))}"
        )


@app.command("disable")
def disable(client_id: str) -> None:
    """Disable a client: it can get no new tokens."""
    from hub.gateway.auth.clients import ClientStore
    from hub.stack import open_store

    settings = load_settings()

    def run() -> None:
        with open_store(settings) as sessions:
            ClientStore(sessions).disable(client_id)

    run_or_exit(run)
    typer.echo(f"{client_id} disabled")
