"""One field of a message read as its event needs it, or a ``RecordRejected`` naming it.

Paths are the sender's own (``report.casualties.injured``), so the dead letter's
``field`` header tells the duty office's IT team what to fix in their system.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectors.common.values import offset_time, point
from hub.connect import RecordRejected

Message = Mapping[str, Any]


def at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def section(obj: Message, key: str, path: str = "") -> Message:
    value = obj.get(key)
    if not isinstance(value, Mapping):
        raise RecordRejected(at(path, key), "required object" if value is None else "not an object")
    return value


def optional_section(obj: Message, key: str, path: str = "") -> Message | None:
    return None if obj.get(key) is None else section(obj, key, path)


def optional_text(obj: Message, key: str, path: str = "", *, limit: int = 500) -> str | None:
    """Trimmed text, or ``None`` when left out or empty."""
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise RecordRejected(at(path, key), f"a {type(value).__name__}, not text")
    value = (value or "").strip()
    if len(value) > limit:
        raise RecordRejected(at(path, key), f"{len(value):,} characters, over {limit:,}")
    return value or None


def text(obj: Message, key: str, path: str = "", *, limit: int = 500) -> str:
    value = optional_text(obj, key, path, limit=limit)
    if value is None:
        raise RecordRejected(at(path, key), "required")
    return value


def optional_choice(obj: Message, key: str, path: str, spellings: Mapping[str, str]) -> str | None:
    """The schema's symbol for a value given as the symbol or one of its other names."""
    value = optional_text(obj, key, path, limit=64)
    if value is None:
        return None
    found = spellings.get(value) or spellings.get(value.upper())
    if found is None:
        symbols = ", ".join(dict.fromkeys(spellings.values()))
        raise RecordRejected(at(path, key), f"{value!r} is not one of {symbols}")
    return found


def choice(obj: Message, key: str, path: str, spellings: Mapping[str, str]) -> str:
    text(obj, key, path, limit=64)  # says "required" when it is missing
    found = optional_choice(obj, key, path, spellings)
    assert found is not None  # present, so a symbol or refused
    return found


def optional_moment(obj: Message, key: str, path: str = "") -> datetime | None:
    """A date and time with its offset: senders are not all in Shenzhen's zone."""
    value = optional_text(obj, key, path, limit=64)
    return None if value is None else offset_time(value, at(path, key))


def moment(obj: Message, key: str, path: str = "") -> datetime:
    text(obj, key, path, limit=64)
    found = optional_moment(obj, key, path)
    assert found is not None  # present, so a time or refused
    return found


def count(obj: Message, key: str, path: str) -> int:
    """A head count: a whole number, 0 when left out."""
    value = obj.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**31:
        raise RecordRejected(at(path, key), f"{value!r} is not a whole number of people")
    return value


def place(obj: Message, path: str) -> dict[str, float] | None:
    """``lat`` and ``lon`` as a WGS84 point, or ``None`` when both are left out."""
    try:
        return point(obj.get("lat"), obj.get("lon"))
    except RecordRejected as exc:
        raise RecordRejected(at(path, exc.path), exc.reason) from None


def flag(obj: Message, key: str, path: str = "") -> bool:
    value = obj.get(key, False)
    if not isinstance(value, bool):
        raise RecordRejected(at(path, key), f"{value!r} is not true or false")
    return value
