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


def construct(
    cls: type[Connector] | Factory, source: str | Path, options: Mapping[str, str] | None = None
) -> Connector:
    """A connector class takes what it reads as its first argument (the base class
    cannot say so: each names it for itself), and ``options`` as keyword arguments, as
    text; an option it does not take is refused by name."""
    given = dict(options or {})
    values: dict[str, object] = {}
    if given:
        accepted = _keywords(cls)
        unknown = sorted(set(given) - set(accepted))
        if unknown:
            raise ConfigError(
                f"the connector takes no option {', '.join(unknown)}; it takes"
                f" {', '.join(sorted(accepted)) or 'none'}"
            )
        values = {name: _typed(name, text, accepted[name]) for name, text in given.items()}
    return cast(Callable[..., Connector], cls)(str(source), **values)


def _keywords(cls: type[Connector] | Factory) -> dict[str, object]:
    """The options a connector takes, with their defaults."""
    parameters = list(inspect.signature(cls).parameters.values())[1:]
    return {
        p.name: p.default
        for p in parameters
        if p.kind in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    }


def _typed(name: str, text: str, default: object) -> object:
    """Text as the option's default is (a number, a yes/no), or as text."""
    try:
        if isinstance(default, bool):
            if text.lower() not in ("true", "false", "yes", "no", "1", "0"):
                raise ValueError(text)
            return text.lower() in ("true", "yes", "1")
        if isinstance(default, int):
            return int(text)
        if isinstance(default, float):
            return float(text)
    except ValueError:
        kind = {bool: "true or false", int: "a whole number"}.get(type(default), "a number")
        raise ConfigError(f"option {name}={text!r}: expected {kind}") from None
    return text


def load_connector(
    spec: str,
    source: str | None,
    known: Mapping[str, type[Connector]],
    options: Mapping[str, str] | None = None,
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
        return construct(factory, source, options)
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigError(f"the connector cannot use {source!r}: {exc}") from exc
