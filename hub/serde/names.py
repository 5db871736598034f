"""Avro's naming rules: full names, namespaces, and which type names are built in."""

from __future__ import annotations

PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})
NAMED = frozenset({"record", "error", "enum", "fixed"})


def fullname(name: str, namespace: str | None) -> str:
    """A dotted name is already full; otherwise it lives in the enclosing namespace."""
    if "." in name or not namespace:
        return name
    return f"{namespace}.{name}"


def namespace_of(name: str) -> str | None:
    return name.rpartition(".")[0] or None
