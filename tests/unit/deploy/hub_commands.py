"""Checking a `hub ...` command line against the real CLI without running it: each word
must name a command, and the options and arguments must parse."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import typer
import typer.main

from hub.cli import app


class BadCommandLine(Exception):
    """A command line the hub's CLI would refuse."""


def check_command(words: Sequence[str]) -> None:
    """Raise ``BadCommandLine`` for an unknown (sub)command, or options or arguments
    the command does not take; ``words`` starts with ``hub``.

    Typer ships its own copy of click, so groups are told by their ``get_command`` and
    its parse errors are taken as they come rather than by click's classes.
    """
    if not words or words[0] != "hub":
        raise BadCommandLine(f"not a hub command: {list(words)}")
    command: Any = typer.main.get_command(app)
    rest = list(words[1:])
    path = ["hub"]
    while hasattr(command, "get_command") and rest and not rest[0].startswith("-"):
        found = command.get_command(typer.Context(command, info_name=path[-1]), rest[0])
        if found is None:
            raise BadCommandLine(f"{' '.join(path)} has no command {rest[0]!r}")
        path.append(rest.pop(0))
        command = found
    try:
        command.make_context(" ".join(path), rest)
    except Exception as exc:  # the vendored click's UsageError and its kin
        raise BadCommandLine(f"{' '.join(words)}: {exc}") from exc


def hub_words(command: Any) -> list[str] | None:
    """The `hub ...` part of a compose command or healthcheck test, if it has one."""
    if not isinstance(command, list):
        return None
    words = [str(word) for word in command]
    return words[words.index("hub") :] if "hub" in words else None
