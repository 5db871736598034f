from __future__ import annotations

import pytest

from hub.errors import BadRequest
from hub.gateway.auth.secrets import hash_secret, new_secret, verify_secret
from hub.gateway.cursor import decode_cursor, encode_cursor


def test_a_cursor_round_trips_for_its_own_topic() -> None:
    cursor = encode_cursor("meteorology.warning.v1", {0: 12, 2: 5})
    assert decode_cursor(cursor, "meteorology.warning.v1") == {0: 12, 2: 5}
    assert decode_cursor(None, "x") == {}


@pytest.mark.parametrize(
    "cursor",
    ["%%%", "bm90IGpzb24", encode_cursor("other.topic.v1", {0: 1}), encode_cursor("t.v1", {0: -4})],
)
def test_a_foreign_or_broken_cursor_is_a_bad_request(cursor: str) -> None:
    with pytest.raises(BadRequest, match="cursor is not valid for this stream"):
        decode_cursor(cursor, "t.v1")


def test_secrets_are_stored_hashed_and_checked_in_constant_time() -> None:
    secret = new_secret()
    stored = hash_secret(secret)
    assert secret not in stored
    assert stored.startswith("scrypt$")
    assert verify_secret(secret, stored)
    assert not verify_secret(secret + "x", stored)
    assert not verify_secret(secret, "md5$whatever")
    assert hash_secret(secret) != stored, "each hash has its own salt"
