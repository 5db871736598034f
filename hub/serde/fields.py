"""A record copied with some of its fields passed through functions: what converting an
event from JSON and naming its union branches for fastavro both do, field by field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Change = Callable[[Any], Any]


def with_fields(changes: list[tuple[str, Change]]) -> Change:
    """``change(record)``: a copy with each named field that is present changed; a value
    that is not a record is returned as it is (the validator or writer will refuse it)."""

    def change(value: Any) -> Any:
        # A dict is asked first: the Mapping check goes through the ABC machinery.
        if type(value) is not dict and not isinstance(value, Mapping):
            return value
        out = dict(value)
        for name, field in changes:
            if name in out:
                out[name] = field(out[name])
        return out

    return change
