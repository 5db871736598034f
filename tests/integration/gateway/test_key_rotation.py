"""Rotating the token-signing key with two rolling restarts: at no step does a replica,
restarted or not, refuse a token another replica issued. The steps run through the real
`hub token keygen` command (in this process); a "replica" is the keys a gateway loads at its start."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from typer.testing import CliRunner

from hub.cli import app
from hub.errors import AuthenticationFailed
from hub.gateway.auth.rotation import TokenKeys, load_token_keys
from hub.gateway.auth.tokens import TokenVerifier
from tests.utils.processes import hub_env
from tests.utils.tokens import claims

ISSUER = "http://127.0.0.1:8000"


@dataclass(frozen=True, slots=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def _keygen(tmp_path: Path, *options: str) -> Ran:
    """The real `hub token keygen`, run in this process (a subprocess each costs a
    second of start-up; the commands' own subprocess tests are in tests/integration/cli)."""
    env = {k: v for k, v in hub_env(tmp_path).items() if k.startswith("HUB_")}
    cleared = {k: None for k in os.environ if k.startswith("HUB_") and k not in env}
    result = CliRunner().invoke(app, ["token", "keygen", *options], env={**cleared, **env})
    return Ran(result.exit_code, result.stdout, result.stderr)


def _issue(replica: TokenKeys) -> str:
    """A token as the gateway issues it: signed by the replica's signing key, with its kid."""
    header = {"alg": "RS256", "typ": "at+jwt"}
    now = int(time.time())
    return jwt.encode(header, claims(iss=ISSUER, iat=now, exp=now + 600), KeySet([replica.signing]))


def _accepts(replica: TokenKeys, token: str) -> bool:
    verifier = TokenVerifier(issuer=ISSUER, audience="linkage", keys=replica.verifying())
    try:
        verifier.verify(token)
    except AuthenticationFailed:
        return False
    return True


def test_no_token_is_refused_at_any_step_of_a_rotation(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    assert _keygen(tmp_path).returncode == 0
    old = load_token_keys(keys, create=False)

    step1 = _keygen(tmp_path, "--next")
    assert step1.returncode == 0, step1.stderr
    assert "--promote" in step1.stdout
    restarted = load_token_keys(keys, create=False)
    assert restarted.signing.kid == old.signing.kid, "step 1 changes no signing"
    assert {k["kid"] for k in restarted.jwks()["keys"]} == {
        old.signing.kid,
        restarted.accepted[0].kid,
    }, "the next key is published before anyone signs with it"

    step2 = _keygen(tmp_path, "--promote")
    assert step2.returncode == 0, step2.stderr
    promoted = load_token_keys(keys, create=False)
    assert promoted.signing.kid == restarted.accepted[0].kid
    assert promoted.signing.kid != old.signing.kid
    # Mid-roll, replicas of all three generations run at once: each accepts each's tokens.
    replicas = [old, restarted, promoted]
    for issuer in replicas[1:]:
        for checker in replicas[1:]:
            assert _accepts(checker, _issue(issuer)), "restarted replicas accept each other"
    assert _accepts(promoted, _issue(old)), "tokens of the retired key are still accepted"
    assert _accepts(restarted, _issue(promoted)), "step 1 taught every replica the new key"
    assert not _accepts(old, _issue(promoted)), (
        "a replica never restarted after step 1 would refuse them, which is why the "
        "guide restarts every replica between the steps"
    )
    # Once the retired key is removed, its tokens stop being accepted: the end of it.
    for retired in keys.glob("retired-*.jwk.json"):
        retired.unlink()
    assert not _accepts(load_token_keys(keys, create=False), _issue(old))


def test_steps_out_of_order_are_refused_with_the_next_step(tmp_path: Path) -> None:
    assert _keygen(tmp_path).returncode == 0
    early = _keygen(tmp_path, "--promote")
    assert early.returncode == 1 and "hub token keygen --next" in early.stderr
    assert _keygen(tmp_path, "--next").returncode == 0
    twice = _keygen(tmp_path, "--next")
    assert twice.returncode == 1 and "--promote" in twice.stderr
    both = _keygen(tmp_path, "--next", "--promote")
    assert both.returncode == 2
    assert "Traceback" not in early.stderr + twice.stderr + both.stderr


@pytest.mark.parametrize("option", ["--next", "--promote"])
def test_a_rotation_needs_a_key_to_rotate(tmp_path: Path, option: str) -> None:
    refused = _keygen(tmp_path, option)
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: ")
