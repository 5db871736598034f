"""A request body as the duty-office system sends it: one message, or a batch of them
as ``{"messages": [...]}``; each message is one record.

Only a body that cannot be told apart into messages (not JSON, neither shape) is
refused whole, with ``ValueError``: the receiver then dead-letters it as it came. A
batch element that is wrong in itself, even without an id, is still its own record, so
its neighbours go through and it alone is dead-lettered when mapped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from connectors.emergency_webhook.identity import message_id
from hub.connect import RecordRejected, SourceRecord


def split_body(body: bytes, content_type: str) -> list[SourceRecord]:
    media = content_type.partition(";")[0].strip().lower()
    if media and media != "application/json" and not media.endswith("+json"):
        raise ValueError(f"the body is {media}, not application/json")
    try:
        # From bytes, so UTF-8, UTF-16 and UTF-32 are all read.
        document = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"the body is not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise ValueError(
            f'the body is a JSON {type(document).__name__}: send a message or {{"messages": [...]}}'
        )
    if "messages" not in document:
        # One message: its bytes exactly as sent, for a dead letter to keep.
        return [SourceRecord(_ref(document, None), body)]
    batch = document["messages"]
    if not isinstance(batch, list):
        raise ValueError('"messages" is not a list of messages')
    return [SourceRecord(_ref(item, index), _compact(item)) for index, item in enumerate(batch)]


def parse(raw: bytes) -> Mapping[str, Any]:
    """A record's message back from its bytes."""
    message = json.loads(raw)
    if not isinstance(message, dict):
        raise RecordRejected("", f"a message is a JSON object, not a {type(message).__name__}")
    return message


def _ref(message: Any, index: int | None) -> str:
    """``webhook:<message id>``; a batch element without a usable id by its place."""
    try:
        return f"webhook:{message_id(message)}"
    except (RecordRejected, AttributeError):
        return "webhook:body" if index is None else f"webhook:messages[{index}]"


def _compact(message: Any) -> bytes:
    # A batch element's own bytes are not kept by the parser: it is written back as
    # compact UTF-8 JSON, keys in the order sent.
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()
