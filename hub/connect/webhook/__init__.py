"""An HTTP receiver for push connectors: a department's system POSTs its records, signed
with a shared secret, and gets 202 only once they are in the connector's outbox, so a
sender that got 202 may forget them (the sender thread delivers them on).

A delivery carries two headers, as most webhook senders already know how to make::

    X-Linkage-Timestamp: 1450583400
    X-Linkage-Signature: sha256=<hex of HMAC-SHA256(secret, b"1450583400." + body)>

The timestamp is signed with the body, so a captured request cannot be replayed once
it is more than ``tolerance_s`` away from the receiver's clock. Inside that window a
replay is taken again rather than refused: it commits the same records, hence the same
event ids, which the archive and consumers deduplicate, and a sender retrying after an
answer it never got does exactly that.

Every answer is JSON: ``202 {"accepted": n, "dead_lettered": m}`` (records, not
events), or an RFC 9457 problem (401 unsigned or stale, 404, 405, 411 no
Content-Length, 413 over the size limit, 503 with Retry-After while the outbox is
full). A body the connector's ``split`` cannot take apart is not refused: it is
committed whole as one dead letter, and the answer is 202 with ``dead_lettered: 1``;
sending it again would not make it readable, and the owner finds it on the stream's
dead-letter topic with its bytes. Neither the secret nor a body is ever logged.
"""

from hub.connect.webhook.receiver import MAX_BODY_BYTES, WebhookReceiver, listen_address
from hub.connect.webhook.signing import (
    SECRET_ENV,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    secret_from_env,
    sign,
    verify,
)

__all__ = [
    "MAX_BODY_BYTES",
    "SECRET_ENV",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "WebhookReceiver",
    "listen_address",
    "secret_from_env",
    "sign",
    "verify",
]
