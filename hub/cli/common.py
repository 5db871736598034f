"""What every command shares: settings built once, hub errors as one line, logging."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import typer
from pydantic import ValidationError

from hub.config import Settings
from hub.errors import HubError

T = TypeVar("T")


def load_settings() -> Settings:
    """The settings from the environment and hub.toml; a bad value exits with status 2."""
    try:
        return Settings()
    except ValidationError as exc:
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"]) or "settings"
            typer.echo(f"error: {where}: {error['msg']}", err=True)
        raise typer.Exit(2) from None


def run_or_exit(action: Callable[[], T]) -> T:
    """Run ``action``, turning hub errors into one clear line and exit status 1."""
    try:
        return action()
    except HubError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None


def configure_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # kafka-python is chatty at INFO about every connection.
    logging.getLogger("kafka").setLevel(logging.WARNING)
    logging.getLogger("authlib").setLevel(logging.INFO)
    # Alembic says at INFO that it found its plugins and that nothing was to migrate.
    logging.getLogger("alembic").setLevel(logging.WARNING)


def start_telemetry(settings: Settings) -> None:
    """Spans and metrics for a long-running command that is not a gateway (the gateway
    sets them up itself): a connector's publish spans, whose ``traceparent`` the gateway's
    reads link to, and the archiver's lag, exported where ``HUB_TELEMETRY_EXPORTER`` says."""
    from hub.telemetry import configure

    configure(settings.telemetry)
