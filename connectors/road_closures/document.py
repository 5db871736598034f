"""The traffic operations centre's closure document, and how one closure is told apart
from its earlier states.

The feed answers with the whole current list every time::

    {"generated_at": "2026-06-15T14:30:00+08:00",
     "closures": [{"id": "TOC-20260615-0007", "road": "...", "status": "closed", ...}]}

so what is new is found by comparing each closure's digest with the one last taken. The
digest is over the closure's canonical JSON (keys sorted, no spaces), which is also the
record's raw: a dead letter holds the closure as the mapping saw it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from hub.connect import RecordRejected


@dataclass(frozen=True, slots=True)
class ClosureDocument:
    """``closures`` as the document holds them: any JSON value, judged one by one."""

    closures: list[Any]
    generated_at: str | None


def parse_document(body: bytes) -> ClosureDocument:
    """Raise ``ValueError`` for a body that is not JSON, ``RecordRejected`` for one that is
    not a closure document."""
    try:
        value = json.loads(body, parse_constant=_no_constant)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise ValueError(f"the feed's body is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise RecordRejected("", f"expected an object with a closures list, not {_kind(value)}")
    closures = value.get("closures")
    if not isinstance(closures, list):
        raise RecordRejected("closures", f"expected a list of closures, not {_kind(closures)}")
    generated = value.get("generated_at")
    return ClosureDocument(closures, generated if isinstance(generated, str) else None)


def canonical(closure: Any) -> bytes:
    return json.dumps(
        closure, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def digest(raw: bytes) -> str:
    """128 bits of SHA-256: enough to tell states apart, half the size in the position."""
    return hashlib.sha256(raw).hexdigest()[:32]


def closure_key(closure: Any) -> str | None:
    """The closure's id as text, or None if it has none the feed could be tracked by."""
    if not isinstance(closure, dict):
        return None
    value = closure.get("id")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    key = str(value).strip()
    return key or None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _kind(value: Any) -> str:
    return "nothing" if value is None else f"a JSON {type(value).__name__}"
