"""Which message an event is: the duty-office system's own message id, not where or
when the receiver got it.

A sender that retries a delivery (its answer lost, a timeout) sends the same message
ids again; deriving ``envelope.event_id`` from them gives the same events, which the
archive and consumers keep once. A new report or task comes with a new message id.
"""

from __future__ import annotations

import uuid

from connectors.emergency_webhook.fields import Message
from hub.connect import RecordRejected

#: Namespace of this connector's event ids: a UUID 5 of it, the message's type and id.
MESSAGE_IDS = uuid.UUID("5c431393-93d3-449d-80d0-f77be434b66f")
MAX_ID_CHARS = 128


def message_id(message: Message) -> str:
    value = message.get("id")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise RecordRejected("id", "required: the sending system's id of the message")
    if len(value) > MAX_ID_CHARS or not value.isprintable() or any(c.isspace() for c in value):
        raise RecordRejected("id", f"up to {MAX_ID_CHARS} printable characters, no spaces")
    return value


def event_id(kind: str, message: str) -> str:
    return str(uuid.uuid5(MESSAGE_IDS, f"{kind}\n{message}"))
