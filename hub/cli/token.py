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
        bool, typer.Option(help="replace an existing key (old tokens stop working at once)")
    ] = False,
    next_key: Annotated[
        bool,
        typer.Option(
            "--next",
            help="rotation step 1: write the next key; restarted replicas accept it, "
            "still signing with the current one",
        ),
    ] = False,
    promote: Annotated[
        bool,
        typer.Option(
            help="rotation step 2 (after every replica restarted): the next key signs, the "
            "old one is kept as retired-<kid>.jwk.json and still accepted",
        ),
    ] = False,
) -> None:
    """Create the gateway's RS256 signing key (and its paging-cursor key, if missing) in
    the key directory; every gateway replica needs the same files. With --next and then
    --promote, rotate it with a rolling restart after each (deploy/README.md)."""
    from hub.cli.common import run_or_exit
    from hub.gateway.auth import rotation
    from hub.gateway.auth.keys import KEY_FILE, generate_key
    from hub.gateway.services import CURSOR_KEY
    from hub.keyfiles import write_key

    settings = load_settings()
    key_dir = settings.auth.key_dir
    if sum((force, next_key, promote)) > 1:
        typer.echo("error: pass one of --force, --next and --promote", err=True)
        raise typer.Exit(2)
    if next_key:
        made = run_or_exit(lambda: rotation.make_next(key_dir))
        typer.echo(f"next signing key {made.kid} written to {key_dir / rotation.NEXT_FILE}")
        typer.echo("restart every gateway replica, then run `hub token keygen --promote`")
        return
    if promote:
        retired, signing = run_or_exit(lambda: rotation.promote(key_dir))
        typer.echo(f"signing key is now {signing.kid}; {retired.kid} is retired (still accepted)")
        typer.echo(
            "restart every gateway replica; delete the retired file once "
            f"{settings.auth.token_ttl_s} s have passed since the last restart"
        )
        return
    path = key_dir / KEY_FILE
    if path.exists() and not force:
        typer.echo(f"error: {path} exists; pass --force to replace it", err=True)
        raise typer.Exit(1)
    key = generate_key(key_dir, replace=force)
    typer.echo(f"signing key {key.kid} written to {path}")
    cursor_key = key_dir / CURSOR_KEY
    if not cursor_key.exists():
        write_key(cursor_key)
        typer.echo(f"cursor key written to {cursor_key}")
