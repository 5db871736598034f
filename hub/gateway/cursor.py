"""Opaque paging cursors that a client can neither forge nor alter.

A cursor holds where the last page stopped, and is sealed with an HMAC over that and
everything the page was asked with (the route, the stream or incident, the filters,
the caller's agency and purpose). A cursor used for anything else, or edited, is
refused: a client cannot skip the filters it paged with, or page another agency's view.
The key is the gateway's own (``cursor.key`` in the auth key folder), shared by replicas.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Any

import orjson

from hub.errors import BadRequest

_VERSION = 2
_MAC_BYTES = 16
MAX_CURSOR = 4096


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, body: bytes, bound: dict[str, Any]) -> bytes:
        scope = orjson.dumps(bound, option=orjson.OPT_SORT_KEYS)
        return hmac.new(self._key, scope + b"\x00" + body, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, position: Any, bound: dict[str, Any]) -> str:
        body = orjson.dumps({"v": _VERSION, "p": position})
        return f"{_b64(body)}.{_b64(self._mac(body, bound))}"

    def decode(self, cursor: str | None, bound: dict[str, Any]) -> Any:
        """The position sealed in ``cursor``; None for no cursor (the first page)."""
        if not cursor:
            return None
        refused = BadRequest(
            "the cursor is not valid for this request: pass `next` from the previous page "
            "unchanged, with the same stream, filters and purpose"
        )
        body_text, _, mac_text = cursor.partition(".")
        try:
            body, mac = _unb64(body_text), _unb64(mac_text)
        except (binascii.Error, ValueError):
            raise refused from None
        if not hmac.compare_digest(mac, self._mac(body, bound)):
            raise refused
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise refused from None
        if not isinstance(payload, dict) or payload.get("v") != _VERSION:
            raise refused
        return payload.get("p")
