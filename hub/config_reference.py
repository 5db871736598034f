"""The configuration reference (docs/configuration.md), generated from the settings model.

A hand-kept table drifts from the code: a setting is added and the table forgets it.
Here the model is the source: each field's variable, type and default come from
``hub.config``, and its meaning from the ``#:`` comment above it there (or its
``Field(description=...)``). A test fails when the committed file is not what this
prints, or when a setting has no meaning written. Regenerate with ``make docs``.
"""

from __future__ import annotations

import ast
import inspect
import sys
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from hub.config import PROJECT_ROOT, Settings

HEADER = """# Configuration reference

Generated from `hub/config.py` by `make docs` (`python -m hub.config_reference`); a
test checks it is current, so do not edit it by hand.

Every setting comes from the environment (`HUB_<SECTION>_<NAME>`, for example
`HUB_KAFKA_BOOTSTRAP`) or from `hub.toml` (`[kafka] bootstrap = "..."`; another file with
`HUB_CONFIG`). The environment wins, and a misspelt key is an error at start, not a
silent default. `<checkout>` is the folder the hub runs from (the image's `/app`).
"""


@dataclass(frozen=True, slots=True)
class Entry:
    variable: str
    kind: str
    default: str
    meaning: str


def field_comments(model: type[BaseModel]) -> dict[str, str]:
    """The ``#:`` comment lines right above each field of ``model``, joined. A field on
    the line right after another's, with no comment of its own, shares that one's (a
    pair such as ``pool_size`` and ``pool_overflow`` is described once)."""
    source = inspect.getsource(model)
    lines = source.splitlines()
    found: dict[str, str] = {}
    previous: tuple[int, str] | None = None  # the last field's end line and meaning
    for node in ast.parse(source).body[0].body:  # type: ignore[attr-defined]
        if not isinstance(node, ast.AnnAssign) or not isinstance(node.target, ast.Name):
            continue
        comment: list[str] = []
        row = node.lineno - 2
        while row >= 0 and lines[row].strip().startswith("#:"):
            comment.insert(0, lines[row].strip()[2:].strip())
            row -= 1
        meaning = " ".join(comment)
        if not meaning and previous is not None and previous[0] == node.lineno - 1:
            meaning = previous[1]
        if meaning:
            found[node.target.id] = meaning
        previous = (node.end_lineno or node.lineno, meaning)
    return found


def _kind(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return " \\| ".join(f"`{value}`" for value in typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        parts = [a for a in typing.get_args(annotation) if a is not type(None)]
        return " \\| ".join(_kind(part) for part in parts)
    if annotation is SecretStr:
        return "secret"
    if isinstance(annotation, type):
        return {"Path": "path", "str": "text", "int": "integer", "float": "number"}.get(
            annotation.__name__, annotation.__name__
        )
    return str(annotation)


def _default(field: FieldInfo) -> str:
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, Path):
        try:
            return f"`<checkout>/{value.relative_to(PROJECT_ROOT)}`"
        except ValueError:
            return f"`{value}`"
    # A default made from the checkout's place (the SQLite URL) names no machine's path.
    return f"`{str(value).replace(str(PROJECT_ROOT), '<checkout>')}`"


def entries() -> list[tuple[str, str, list[Entry]]]:
    """(section, its summary, its settings), top-level settings first."""
    top: list[Entry] = []
    sections: list[tuple[str, str, list[Entry]]] = []
    top_comments = field_comments(Settings)
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            comments = field_comments(annotation)
            rows = [
                Entry(
                    f"HUB_{name.upper()}_{inner.upper()}",
                    _kind(info.annotation),
                    _default(info),
                    info.description or comments.get(inner, ""),
                )
                for inner, info in annotation.model_fields.items()
            ]
            summary = inspect.cleandoc(annotation.__doc__ or "")
            sections.append((name, summary, rows))
        else:
            meaning = field.description or top_comments.get(name, "")
            top.append(Entry(f"HUB_{name.upper()}", _kind(annotation), _default(field), meaning))
    return [("general", "Where the hub runs and what it reads.", top), *sections]


def render() -> str:
    out = [HEADER]
    for section, summary, rows in entries():
        out.append(f"## {section}\n")
        if summary:
            out.append(" ".join(summary.replace("``", "`").split()) + "\n")
        out.append("| variable | type | default | meaning |\n|---|---|---|---|")
        for row in rows:
            # Docstring markup (``name``) read as Markdown code.
            meaning = row.meaning.replace("``", "`").replace("|", "\\|")
            out.append(f"| `{row.variable}` | {row.kind} | {row.default} | {meaning} |")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def main() -> None:
    sys.stdout.write(render())


__all__ = ["entries", "field_comments", "render"]

if __name__ == "__main__":
    main()
