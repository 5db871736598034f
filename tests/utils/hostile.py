"""What every hostile request must get: a 4xx problem (never a 500), its audit row, no
traceback in the log, and an answer within a bound. One check, used per surface."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.utils.stack import Stack, gateway_stack

#: Generous for a busy 2-core machine; a hang is seconds past it.
ANSWER_BOUND_S = 5.0


@dataclass(frozen=True)
class Hostile:
    """One crafted request: who sends it, how, and the 4xx it must get."""

    name: str
    method: str
    path: str
    client: str | None = "health-dispatch"
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    expect: tuple[int, ...] = (400, 422)

    def __str__(self) -> str:
        return self.name


def assert_refused(
    stack: Stack,
    case: Hostile,
    bearers: dict[str, dict[str, str]],
    caplog: pytest.LogCaptureFixture,
    *,
    audit_headers: dict[str, str] | None = None,
) -> None:
    """``audit_headers``: an auditor's token taken beforehand, where taking one now could
    be refused (the token endpoint's own tests make its address wait)."""
    request_id = f"hostile-{uuid.uuid4().hex[:12]}"
    headers = {**(bearers[case.client] if case.client else {}), **case.headers}
    headers["X-Request-ID"] = request_id
    with caplog.at_level(logging.WARNING):
        started = time.monotonic()
        answer = stack.http.request(
            case.method,
            case.path,
            params=case.params,
            json=case.json,
            content=case.content,
            headers=headers,
        )
        took = time.monotonic() - started
    assert answer.status_code in case.expect, (case.name, answer.status_code, answer.text[:300])
    assert answer.headers["content-type"].startswith(
        ("application/problem+json", "application/vnd.schemaregistry", "application/json")
    )
    assert took < ANSWER_BOUND_S, f"{case.name} took {took:.1f} s"
    assert not [r for r in caplog.records if r.exc_info], f"{case.name} logged a traceback"
    if audit_headers is None:
        rows = [r for r in stack.audit_rows() if r["request_id"] == request_id]
    else:
        found = stack.http.get(
            "/v1/audit", params={"request_id": request_id}, headers=audit_headers
        )
        rows = list(found.json()["entries"])
    assert rows and rows[-1]["status"] == answer.status_code, f"{case.name} has no audit row"
    assert rows[-1]["records"] == 0, f"{case.name} served records"


def served_stack(label: str) -> Any:
    """A module's ``stack`` fixture: one gateway stack for all of its cases."""

    @pytest.fixture(scope="module")
    def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
        with gateway_stack(tmp_path_factory.mktemp(label)) as running:
            yield running

    return stack


def bearers_of(*clients: str) -> Any:
    """A module's ``bearers`` fixture: a token for each demo client its cases send as."""

    @pytest.fixture(scope="module")
    def bearers(stack: Stack) -> dict[str, dict[str, str]]:
        return {client: stack.bearer(client) for client in clients}

    return bearers


def refusals(cases: list[Hostile]) -> Any:
    """A module's test: each of ``cases`` refused, audited and quick."""

    @pytest.mark.parametrize("case", cases, ids=str)
    def test(
        stack: Stack,
        bearers: dict[str, dict[str, str]],
        caplog: pytest.LogCaptureFixture,
        case: Hostile,
    ) -> None:
        assert_refused(stack, case, bearers, caplog)

    return test
