"""Finding the connector a command names: one this repository ships (by its name in
``connectors/catalog.py``) or a department's own module (by its path)."""

from __future__ import annotations

import importlib.util
import inspect
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import cast

from hub.connect.base import Connector, PushConnector
from hub.errors import ConfigError

#: A connector class, or anything that makes one from what it reads.
Factory = Callable[[str], Connector]


def connector_classes(path: Path) -> list[type[Connector]]:
    """The concrete connector classes a module file defines (not those it imports)."""
    if not path.is_file() or path.suffix != ".py":
        raise ConfigError(f"{path} is not a Python file")
    name = f"_linkage_connector_{abs(hash(path.resolve()))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ConfigError(f"{path} cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise ConfigError(f"{path} failed to import: {type(exc).__name__}: {exc}") from exc
    return [
        found
        for found in vars(module).values()
        if inspect.isclass(found)
        and issubclass(found, Connector)
        and found.__module__ == name
        and found not in (Connector, PushConnector)
        and not inspect.isabstract(found)
    ]


def construct(cls: type[Connector] | Factory, source: str | Path) -> Connector:
    """A connector class takes what it reads as its one argument (the base class cannot
    say so: each names it for itself)."""
    return cast(Factory, cls)(str(source))


def load_connector(
    spec: str, source: str | None, known: Mapping[str, type[Connector]]
) -> Connector:
    """``spec`` is a name in ``known`` or a path to a module with one connector class;
    ``source`` is what the connector reads (a folder, a file, a URL)."""
    factory: type[Connector] | Factory
    if spec in known:
        factory = known[spec]
    else:
        path = Path(spec)
        if not path.exists():
            raise ConfigError(
                f"{spec!r} is neither a known connector ({', '.join(sorted(known))}) nor a file"
            )
        classes = connector_classes(path)
        if len(classes) != 1:
            names = ", ".join(c.__name__ for c in classes) or "none"
            raise ConfigError(f"{path} must define exactly one connector class; found {names}")
        factory = classes[0]
    if source is None:
        raise ConfigError("say what the connector reads with --source (a folder, file or URL)")
    try:
        return construct(factory, source)
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigError(f"the connector cannot use {source!r}: {exc}") from exc
