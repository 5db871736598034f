"""The trace context a record names: kept only when it is a well-formed W3C
``traceparent`` (what the archive stores must fit its 55 characters)."""

from __future__ import annotations

import pytest

from hub.bus.records import Headers, traceparent

GOOD = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([("content-type", b"x"), ("traceparent", GOOD.encode())], GOOD),
        ([], None),
        ([("traceparent", b"")], None),
        ([("traceparent", GOOD.upper().encode())], None),
        ([("traceparent", f"{GOOD}-extra".encode())], None),
        ([("traceparent", f"{GOOD}\n".encode())], None),
        ([("traceparent", "00-é".encode())], None),
        ([("Traceparent", GOOD.encode())], None),
    ],
    ids=["kept", "absent", "empty", "upper-case", "too-long", "newline", "not-ascii", "name-case"],
)
def test_only_a_well_formed_traceparent_is_taken(headers: Headers, expected: str | None) -> None:
    assert traceparent(headers) == expected
