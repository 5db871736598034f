"""Hostile requests to the audit surface (the log, its export, proofs, checkpoints):
each gets a 4xx problem, an audit row, no traceback, and an answer within a bound; and
a filter crafted to smuggle parameters into ``next`` stays one parameter."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.utils.hostile import Hostile, bearers_of, refusals, served_stack
from tests.utils.stack import Stack

AUDITOR = "audit-office"
CASES = [
    Hostile("after-overflow", "GET", "/v1/audit", AUDITOR, {"after": "9223372036854775808"}),
    Hostile("after-negative", "GET", "/v1/audit", AUDITOR, {"after": "-5"}),
    Hostile("limit-zero", "GET", "/v1/audit", AUDITOR, {"limit": 0}),
    Hostile("limit-huge", "GET", "/v1/audit", AUDITOR, {"limit": 10**9}),
    Hostile("since-words", "GET", "/v1/audit", AUDITOR, {"since": "last week"}),
    Hostile("decision-unknown", "GET", "/v1/audit", AUDITOR, {"decision": "maybe"}),
    Hostile("request-id-long", "GET", "/v1/audit", AUDITOR, {"request_id": "r" * 500}),
    Hostile("client-id-long", "GET", "/v1/audit", AUDITOR, {"client_id": "c" * 500}),
    Hostile("no-audit-scope", "GET", "/v1/audit", "health-dispatch", expect=(403,)),
    Hostile(
        "export-format", "GET", "/v1/audit/export", AUDITOR, {"format": "xls"}, expect=(404, 422)
    ),
    Hostile("inclusion-beyond", "GET", "/v1/audit/proof/inclusion", AUDITOR, {"seq": 5, "size": 2}),
    Hostile("inclusion-text", "GET", "/v1/audit/proof/inclusion", AUDITOR, {"seq": "x", "size": 2}),
    Hostile(
        "inclusion-huge", "GET", "/v1/audit/proof/inclusion", AUDITOR, {"seq": 1, "size": 10**30}
    ),
    Hostile(
        "consistency-backwards",
        "GET",
        "/v1/audit/proof/consistency",
        AUDITOR,
        {"from": 10, "to": 2},
    ),
    Hostile(
        "consistency-future",
        "GET",
        "/v1/audit/proof/consistency",
        AUDITOR,
        {"from": 1, "to": 10**12},
    ),
]


stack = served_stack("hostile-audit")
bearers = bearers_of(AUDITOR, "health-dispatch")
test_a_hostile_request_is_refused_audited_and_quick = refusals(CASES)


def test_a_crafted_filter_cannot_add_parameters_to_next(
    stack: Stack, bearers: dict[str, dict[str, str]]
) -> None:
    """Rows claimed by a client id full of ``&`` and ``=`` (failed token requests), then
    listed one at a time: ``next`` carries the id as one parameter, and following it
    walks on instead of starting again from the first row."""
    crafted = "x&after=0&decision=allow"
    for _ in range(3):
        stack.http.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(crafted, "s")
        )
    seen: list[int] = []
    params: dict[str, str | int] | None = {"limit": 1, "client_id": crafted}
    link = "/v1/audit"
    for _ in range(5):
        page = stack.http.get(link, params=params, headers=bearers[AUDITOR]).json()
        seen += [e["seq"] for e in page["entries"]]
        assert all(e["client_id"] == crafted for e in page["entries"])
        if not page["next"]:
            break
        query = parse_qs(urlsplit(page["next"]).query)
        assert query["client_id"] == [crafted] and "decision" not in query
        link, params = page["next"], None  # the link as given, nothing added
    assert len(seen) == 3 and seen == sorted(set(seen)), "each row once, in order"
