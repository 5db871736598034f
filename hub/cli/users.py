"""`hub users`: the people who sign in to the console (auditors, duty officers)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from hub.cli.common import load_settings, run_or_exit
from hub.errors import HubError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from hub.config import Settings
    from hub.gateway.auth.users import UserStore

NAME = "users"
app = typer.Typer(help="People who sign in to the console.", no_args_is_help=True)


def _store(settings: Settings, sessions: sessionmaker[Session]) -> UserStore:
    from hub.gateway.auth.users import UserStore

    console = settings.console
    return UserStore(
        sessions,
        lockout_failures=console.lockout_failures,
        lockout_minutes=console.lockout_minutes,
    )


@app.command("create")
def create(
    username: Annotated[str, typer.Option(help="what the person signs in with")],
    role: Annotated[str, typer.Option(help="auditor or duty-officer")],
    agency: Annotated[str, typer.Option(help="the person's agency, from policies/agencies.yaml")],
    name: Annotated[str, typer.Option(help="the name the console shows")] = "",
    password_stdin: Annotated[
        bool, typer.Option(help="read the password from standard input (else one is made)")
    ] = False,
) -> None:
    """Create a person; a generated password is printed once (passwords are stored only as
    memory-hard scrypt hashes)."""
    from hub.policy.loader import load_policy
    from hub.stack import open_store

    settings = load_settings()
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None

    def run() -> str:
        if load_policy(settings.policies_dir).agency(agency) is None:
            raise HubError(f"agency {agency!r} is not in {settings.policies_dir / 'agencies.yaml'}")
        with open_store(settings) as sessions:
            _, given = _store(settings, sessions).create(
                username=username, role=role, agency=agency, display_name=name, password=password
            )
            return given

    given = run_or_exit(run)
    typer.echo(f"user {username} ({role}, {agency}) created")
    if not password_stdin:
        typer.echo(f"password={given}")
        typer.echo("hand the password over now: it cannot be shown again", err=True)


@app.command("list")
def list_users() -> None:
    """List people with their role, agency and state (never passwords)."""
    from hub.stack import open_store

    settings = load_settings()

    def run() -> list[tuple[str, str, str, str]]:
        with open_store(settings) as sessions:
            rows = []
            for user in _store(settings, sessions).list():
                state = "disabled" if user.disabled else "active"
                if user.locked_until is not None:
                    state = f"locked until {user.locked_until:%Y-%m-%d %H:%M} UTC"
                rows.append((user.username, user.role, user.agency, state))
            return rows

    for username, role, agency, state in run_or_exit(run):
        typer.echo(f"{username:<24} {role:<14} {agency:<16} {state}")


def _change(username: str, done: str, **change: bool) -> None:
    from hub.stack import open_store

    settings = load_settings()

    def run() -> None:
        with open_store(settings) as sessions:
            _store(settings, sessions).set_state(username, **change)

    run_or_exit(run)
    typer.echo(f"{username} {done}")


@app.command("unlock")
def unlock(username: str) -> None:
    """Lift a lockout after wrong passwords."""
    _change(username, "unlocked", unlock=True)


@app.command("disable")
def disable(username: str) -> None:
    """Disable a person: no sign-in, and open sessions end."""
    _change(username, "disabled", disabled=True)


@app.command("enable")
def enable(username: str) -> None:
    _change(username, "enabled", disabled=False)
