from __future__ import annotations

import pytest

from hub.errors import BadRequest
from hub.gateway.auth.secrets import hash_secret, new_secret, verify_secret
from hub.gateway.cursor import CursorCodec

BOUND = {"route": "stream", "stream": "meteorology.warning", "agency": "health", "filter": {}}


def test_a_cursor_round_trips_for_what_it_was_made_for() -> None:
    codec = CursorCodec(b"k" * 32)
    cursor = codec.encode(12, BOUND)
    assert codec.decode(cursor, dict(BOUND)) == 12
    assert codec.decode(None, BOUND) is None
    assert codec.decode("", BOUND) is None


@pytest.mark.parametrize(
    ("cursor", "bound"),
    [
        ("%%%", BOUND),
        ("bm90IGpzb24", BOUND),
        (CursorCodec(b"k" * 32).encode(12, {**BOUND, "agency": "commerce"}), BOUND),
        (CursorCodec(b"k" * 32).encode(12, {**BOUND, "filter": {"d": ["440311"]}}), BOUND),
        (CursorCodec(b"other key" * 4).encode(12, BOUND), BOUND),
        (CursorCodec(b"k" * 32).encode(12, BOUND) + "A", BOUND),
    ],
)
def test_a_foreign_altered_or_forged_cursor_is_a_bad_request(
    cursor: str, bound: dict[str, object]
) -> None:
    with pytest.raises(BadRequest, match="cursor is not valid for this request"):
        CursorCodec(b"k" * 32).decode(cursor, bound)


def test_secrets_are_stored_hashed_and_checked_in_constant_time() -> None:
    secret = new_secret()
    stored = hash_secret(secret)
    assert secret not in stored
    assert stored.startswith("scrypt$")
    assert verify_secret(secret, stored)
    assert not verify_secret(secret + "x", stored)
    assert not verify_secret(secret, "md5$whatever")
    assert hash_secret(secret) != stored, "each hash has its own salt"
