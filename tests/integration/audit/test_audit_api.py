"""The audit chain over HTTP: keys, checkpoints and proofs a client checks on its own."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator

import pytest

from tests.unit.tlog import rfc9162
from tests.unit.tlog.note_check import checked_checkpoint
from tests.utils.stack import Stack, gateway_stack

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with gateway_stack(tmp_path_factory.mktemp("hub"), checkpoint_rows=5) as running:
        for _ in range(12):
            running.http.get("/v1/streams", headers=running.bearer("health-dispatch"))
        yield running


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def signed(stack: Stack) -> dict[int, bytes]:
    """Every checkpoint, checked with the published key by the tests' own reader."""
    (jwk,) = stack.http.get("/.well-known/audit-keys.json").json()["keys"]
    assert jwk["vkey"].startswith("linkage.local/audit+") and jwk["status"] == "current"
    page = stack.http.get("/v1/audit/checkpoints", headers=stack.bearer("health-dispatch"))
    assert page.status_code == 200, page.text
    roots = {}
    for checkpoint in page.json()["checkpoints"]:
        origin, size, root = checked_checkpoint(checkpoint["note"], jwk)
        assert (origin, size, root) == (
            "linkage.local/audit",
            checkpoint["size"],
            b64(checkpoint["root"]),
        )
        roots[size] = root
    return roots


def test_any_client_may_witness_and_the_proofs_check_without_the_hub(stack: Stack) -> None:
    roots = signed(stack)
    sizes = sorted(roots)
    assert len(sizes) >= 3, sizes
    old, new = sizes[1], sizes[-1]
    proof = stack.http.get(
        "/v1/audit/proof/consistency",
        params={"from": old, "to": new},
        headers=stack.bearer("health-dispatch"),
    ).json()
    assert (proof["tree_size_1"], proof["tree_size_2"]) == (old, new)
    path = [b64(h) for h in proof["consistency_path"]]
    assert rfc9162.verify_consistency(old, new, roots[old], roots[new], path)
    assert not rfc9162.verify_consistency(old, new, roots[sizes[0]], roots[new], path)


def test_an_auditor_proves_a_row_is_in_a_signed_tree(stack: Stack) -> None:
    roots = signed(stack)
    size = max(roots)
    auditor = stack.bearer("audit-office")
    row = stack.http.get("/v1/audit", params={"limit": 3}, headers=auditor).json()["entries"][2]
    proof = stack.http.get(
        "/v1/audit/proof/inclusion", params={"seq": row["seq"], "size": size}, headers=auditor
    ).json()
    assert proof["leaf_index"] == row["seq"] and proof["tree_size"] == size
    assert b64(proof["leaf_hash"]).hex() == row["leaf_hash"]
    path = [b64(h) for h in proof["audit_path"]]
    assert rfc9162.verify_inclusion(row["seq"], size, b64(proof["leaf_hash"]), path, roots[size])
    # A row is evidence about someone: its proof is for auditors only.
    refused = stack.http.get(
        "/v1/audit/proof/inclusion",
        params={"seq": row["seq"], "size": size},
        headers=stack.bearer("health-dispatch"),
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("path", "params", "detail"),
    [
        ("/v1/audit/proof/inclusion", {"seq": 0, "size": 10**9}, "the tree has"),
        ("/v1/audit/proof/inclusion", {"seq": 7, "size": 5}, "seq 7 is not in a tree of 5"),
        ("/v1/audit/proof/consistency", {"from": 9, "to": 3}, "to a larger or equal one"),
        ("/v1/audit/proof/consistency", {"from": 1, "to": 10**9}, "the tree has"),
    ],
)
def test_impossible_proofs_are_422_problems(
    stack: Stack, path: str, params: dict[str, int], detail: str
) -> None:
    response = stack.http.get(path, params=params, headers=stack.bearer("audit-office"))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert detail in response.json()["detail"]


def test_the_status_names_the_checked_rows_and_the_witnesses(stack: Stack) -> None:
    stack.http.get(
        "/v1/audit/proof/consistency",
        params={"from": 1, "to": 5},
        headers=stack.bearer("health-dispatch"),
    )
    status = stack.http.get("/v1/audit/verify", headers=stack.bearer("audit-office")).json()
    assert status["ok"] and status["problem"] is None
    assert status["verified"] <= status["rows"] and status["verified"] > 10
    assert status["last_checkpoint"] >= 5
    seen = {w["client_id"]: w for w in status["witnesses"]}
    assert seen["health-dispatch"]["size"] == 5 and seen["health-dispatch"]["agency"] == "health"
    started = stack.http.post("/v1/audit/verify", headers=stack.bearer("audit-office"))
    assert started.status_code == 202
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = stack.http.get("/v1/audit/verify", headers=stack.bearer("audit-office")).json()
        if status["full_check"] not in ("running", "not-run"):
            break
        time.sleep(0.2)
    assert status["full_check"] == "ok", status
    assert status["full_check_detail"].endswith("checkpoints")
    assert (
        stack.http.get("/v1/audit/verify", headers=stack.bearer("health-dispatch")).status_code
        == 403
    )


def test_the_keys_are_public_and_unaudited(stack: Stack) -> None:
    response = stack.http.get("/.well-known/audit-keys.json", headers={"X-Request-ID": "keys-1"})
    assert response.status_code == 200
    assert not [r for r in stack.audit_rows() if r["request_id"] == "keys-1"]
