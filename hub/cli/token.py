"""`hub token`: the gateway's token-signing key."""

from __future__ import annotations

from typing import Annotated

import typer

from hub.cli.common import load_settings

NAME = "token"
app = typer.Typer(help="Token signing keys.", no_args_is_help=True)


@app.command("keygen")
def keygen(
    force: Annotated[
        bool, typer.Option(help="replace an existing key (old tokens stop working)")
    ] = False,
) -> None:
    """Create the gateway's RS256 signing key (and its paging-cursor key, if missing) in
    the key directory; every gateway replica needs the same two files."""
    from hub.gateway.auth.keys import KEY_FILE, generate_key
    from hub.gateway.services import CURSOR_KEY
    from hub.keyfiles import write_key

    settings = load_settings()
    path = settings.auth.key_dir / KEY_FILE
    if path.exists() and not force:
        typer.echo(f"error: {path} exists; pass --force to replace it", err=True)
        raise typer.Exit(1)
    key = generate_key(settings.auth.key_dir)
    typer.echo(f"signing key {key.kid} written to {path}")
    cursor_key = settings.auth.key_dir / CURSOR_KEY
    if not cursor_key.exists():
        write_key(cursor_key)
        typer.echo(f"cursor key written to {cursor_key}")
