"""The token endpoint against guessing and probing: back-off with 429 and Retry-After
(no secret check while waiting), one answer for unknown and known ids, one
authentication method per request, and the agency of a known id on failed rows."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from hub.gateway.auth.clients import decoy_hash, unknown_client
from hub.gateway.auth.server import AGENCIES_MAX
from hub.gateway.auth.throttle import BY_CLIENT, Backoff, Throttle, TokenThrottle
from tests.utils.hostile import Hostile, assert_refused
from tests.utils.stack import Stack, gateway_stack

GRANT = {"grant_type": "client_credentials"}
#: Long waits, so that "is it throttled now" cannot depend on how fast the machine is.
PATIENT = Backoff(free=3, first_s=60.0, cap_s=120.0, forget_s=900.0)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with gateway_stack(tmp_path_factory.mktemp("token")) as running:
        yield running


@pytest.fixture
def throttle(stack: Stack) -> Iterator[TokenThrottle]:
    """A fresh throttle for each test (failures of one test must not throttle the next)."""
    issuer = stack.services.issuer
    kept = issuer.throttle
    issuer.throttle = TokenThrottle(by_address=PATIENT, by_client=PATIENT)
    yield issuer.throttle
    issuer.throttle = kept


@pytest.fixture(scope="module")
def auditor(stack: Stack) -> dict[str, str]:
    """The auditor's token, taken before any test makes this address wait."""
    return stack.bearer("audit-office")


def _rows(stack: Stack, auditor: dict[str, str], request_id: str) -> list[dict[str, Any]]:
    page = stack.http.get(
        "/v1/audit", params={"request_id": request_id, "limit": 10}, headers=auditor
    )
    assert page.status_code == 200, page.text
    return list(page.json()["entries"])


def _post(stack: Stack, request_id: str, data: dict[str, str], auth: tuple[str, str]) -> Any:
    return stack.http.post(
        "/oauth/token", headers={"X-Request-ID": request_id}, data=data, auth=auth
    )


def test_wrong_secrets_back_off_and_then_even_the_right_one_waits(
    stack: Stack, auditor: dict[str, str], throttle: TokenThrottle
) -> None:
    issued = stack.credentials["health-dispatch"]
    for n in range(PATIENT.free + 1):
        wrong = _post(stack, f"guess-{n}", data=GRANT, auth=(issued.client_id, "nope"))
        assert wrong.status_code == 401, wrong.text
    waited = _post(stack, "guess-right", data=GRANT, auth=(issued.client_id, issued.client_secret))
    assert waited.status_code == 429, waited.text
    assert 0 < int(waited.headers["retry-after"]) <= 60
    body = waited.json()
    assert body["error"] == "slow_down" and body["status"] == 429
    assert "access_token" not in body
    (row,) = _rows(stack, auditor, "guess-right")
    assert (row["decision"], row["status"], row["agency"]) == ("deny", 429, "health")
    assert str(row["reason"]).startswith("slow_down")
    # Another client from the same address is held back too (one source, many ids).
    other = stack.credentials["emergency-console"]
    held = _post(stack, "other-client", data=GRANT, auth=(other.client_id, other.client_secret))
    assert held.status_code == 429


def test_a_success_forgets_the_failures(stack: Stack, throttle: TokenThrottle) -> None:
    issued = stack.credentials["health-dispatch"]
    for n in range(PATIENT.free):
        _post(stack, f"slip-{n}", data=GRANT, auth=(issued.client_id, "typo"))
    ok = _post(stack, "slip-ok", data=GRANT, auth=(issued.client_id, issued.client_secret))
    assert ok.status_code == 200, ok.text
    for n in range(PATIENT.free):
        again = _post(stack, f"slip-again-{n}", data=GRANT, auth=(issued.client_id, "typo"))
        assert again.status_code == 401, "the count started again after the success"


def test_waits_double_up_to_a_cap_and_are_forgotten_after_a_quiet_spell() -> None:
    throttle = Throttle(Backoff(free=2, first_s=10.0, cap_s=40.0, forget_s=0.05))
    waits = []
    for _ in range(7):
        throttle.failed("k")
        waits.append(throttle.wait_s("k"))
    # Each wait is read just after its failure: within a second of the nominal value.
    nominal = [0, 0, 10, 20, 40, 40, 40]
    assert all(n - 1 < w <= n for w, n in zip(waits, nominal, strict=True)), waits
    assert BY_CLIENT.cap_s <= 10, "a guessed-at client is never held back for long"
    quiet = Throttle(Backoff(free=0, first_s=10.0, cap_s=10.0, forget_s=0.05))
    quiet.failed("k")
    assert quiet.wait_s("k") > 0
    import time

    time.sleep(0.2)  # past forget_s; a slow machine only makes it longer
    assert quiet.wait_s("k") == 0


def test_an_unknown_id_is_refused_like_a_wrong_secret(
    stack: Stack, auditor: dict[str, str], throttle: TokenThrottle
) -> None:
    issued = stack.credentials["health-dispatch"]
    known = _post(stack, "probe-known", data=GRANT, auth=(issued.client_id, "wrong"))
    unknown = _post(stack, "probe-unknown", data=GRANT, auth=("no-such-client", "wrong"))
    assert known.status_code == unknown.status_code == 401
    assert known.json()["error_description"] == unknown.json()["error_description"]
    assert known.headers["www-authenticate"] == unknown.headers["www-authenticate"]
    (known_row,) = _rows(stack, auditor, "probe-known")
    (unknown_row,) = _rows(stack, auditor, "probe-unknown")
    assert known_row["agency"] == "health", "an auditor filtering by agency finds it"
    assert unknown_row["agency"] is None
    assert known_row["reason"] == unknown_row["reason"]


def test_an_unknown_id_costs_a_secret_check_of_the_same_strength(stack: Stack) -> None:
    """The same answer must also take the same time: the stand-in for an unknown id is
    checked against a hash made with the same scrypt parameters as real clients'."""
    real = stack.services.issuer.query_client(stack.credentials["health-dispatch"].client_id)
    stand_in = unknown_client("no-such-client", decoy_hash())
    assert stand_in.secret_hash.split("$")[:4] == real.secret_hash.split("$")[:4]
    assert not stand_in.check_client_secret("anything")


@pytest.mark.parametrize(
    ("name", "auth", "form", "status"),
    [
        ("wrong-basic-right-form", "wrong", "secret", 400),
        ("basic-for-one-form-id-for-another", "ok", "other-id", 400),
        ("basic-and-the-same-id", "ok", "same-id", 200),
    ],
)
def test_one_authentication_method_per_request(
    stack: Stack,
    auditor: dict[str, str],
    throttle: TokenThrottle,
    name: str,
    auth: str,
    form: str,
    status: int,
) -> None:
    issued = stack.credentials["health-dispatch"]
    basic = (issued.client_id, issued.client_secret if auth == "ok" else "wrong")
    fields = dict(GRANT)
    if form == "secret":
        fields |= {"client_id": issued.client_id, "client_secret": issued.client_secret}
    elif form == "other-id":
        fields["client_id"] = stack.credentials["emergency-console"].client_id
    else:
        fields["client_id"] = issued.client_id
    answer = _post(stack, f"methods-{name}", data=fields, auth=basic)
    assert answer.status_code == status, answer.text
    if status == 400:
        assert answer.json()["error"] == "invalid_request"
        assert "access_token" not in answer.json()
        (row,) = _rows(stack, auditor, f"methods-{name}")
        assert row["decision"] == "deny"


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
HOSTILE = [
    Hostile("not-a-form", "POST", "/oauth/token", None, json={"grant_type": "client_credentials"}),
    Hostile(
        "form-not-utf8", "POST", "/oauth/token", None, content=b"grant_type=\xff\xfe", headers=FORM
    ),
    Hostile(
        "form-oversize",
        "POST",
        "/oauth/token",
        None,
        content=b"a=" + b"x" * 20_000,
        headers=FORM,
        expect=(413,),
    ),
    Hostile(
        "form-truncated",
        "POST",
        "/oauth/token",
        None,
        content=b"grant_type=client_cred%",
        headers=FORM,
        expect=(400, 401),
    ),
    Hostile(
        "no-grant-type",
        "POST",
        "/oauth/token",
        None,
        content=b"scope=streams%3Aread",
        headers=FORM,
        expect=(400, 401),
    ),
    Hostile(
        "basic-not-base64",
        "POST",
        "/oauth/token",
        None,
        content=b"grant_type=client_credentials",
        headers={**FORM, "Authorization": "Basic !!!not-base64!!!"},
        expect=(400, 401),
    ),
    Hostile(
        "basic-huge-id",
        "POST",
        "/oauth/token",
        None,
        content=b"grant_type=client_credentials",
        headers={
            **FORM,
            "Authorization": "Basic " + base64.b64encode(b"i" * 10_000 + b":s").decode(),
        },
        expect=(400, 401),
    ),
    Hostile(
        "grant-type-twice",
        "POST",
        "/oauth/token",
        None,
        content=b"grant_type=client_credentials&grant_type=password&client_id=x&client_secret=y",
        headers=FORM,
        expect=(400, 401),
    ),
]


@pytest.mark.parametrize("case", HOSTILE, ids=str)
def test_a_hostile_token_request_is_refused_audited_and_quick(
    stack: Stack,
    auditor: dict[str, str],
    throttle: TokenThrottle,
    caplog: pytest.LogCaptureFixture,
    case: Hostile,
) -> None:
    assert_refused(stack, case, {}, caplog, audit_headers=auditor)


def test_claimed_agencies_are_remembered_within_a_bound(stack: Stack) -> None:
    issuer = stack.services.issuer
    assert issuer.agency_of(stack.credentials["health-dispatch"].client_id) == "health"
    for n in range(AGENCIES_MAX + 50):
        assert issuer.agency_of(f"made-up-{n}") is None
    assert len(issuer._agencies) <= AGENCIES_MAX, "a flood of made-up ids cannot grow it"
