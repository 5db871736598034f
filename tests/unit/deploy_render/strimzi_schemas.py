"""Strimzi's schemas for its custom resources (vendored in tests/data/strimzi), made as
strict as the API server is with ``kubectl apply``'s field validation.

A CRD's schema lists each object's fields but does not say that others are refused;
the API server refuses them anyway (a structural schema prunes unknown fields, and
strict field validation makes that an error). ``additionalProperties: false`` on every
object that lists its fields, except where the CRD keeps unknown fields (free-form
``config`` maps), makes ``jsonschema`` do the same.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

FOLDER = Path(__file__).resolve().parents[2] / "data" / "strimzi"


def _strict(node: Any) -> Any:
    if isinstance(node, dict):
        node = {key: _strict(value) for key, value in node.items()}
        if (
            "properties" in node
            and "additionalProperties" not in node
            and not node.get("x-kubernetes-preserve-unknown-fields")
        ):
            node["additionalProperties"] = False
        return node
    if isinstance(node, list):
        return [_strict(item) for item in node]
    return node


@cache
def validators() -> dict[tuple[str, str], jsonschema.Draft7Validator]:
    """(apiVersion, kind) -> a validator of that resource."""
    found = {}
    for path in sorted(FOLDER.glob("*.json")):
        vendored = json.loads(path.read_text(encoding="utf-8"))
        schema = _strict(copy.deepcopy(vendored["openAPIV3Schema"]))
        found[vendored["apiVersion"], vendored["kind"]] = jsonschema.Draft7Validator(schema)
    return found


def problems(manifest: dict[str, Any]) -> list[str]:
    """What Strimzi's schema finds wrong with ``manifest``; a KeyError for a kind not vendored."""
    validator = validators()[manifest["apiVersion"], manifest["kind"]]
    return [
        f"{'.'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in validator.iter_errors(manifest)
    ]
