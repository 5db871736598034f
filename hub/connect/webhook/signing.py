"""Signing a delivery and checking its signature: HMAC-SHA256 over the timestamp and
the body, with a secret both sides hold. The timestamp is signed with the body, so a
captured request cannot be replayed once it is more than ``tolerance_s`` old."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import time
from collections.abc import Mapping

from hub.errors import AuthenticationFailed, ConfigError

TIMESTAMP_HEADER = "X-Linkage-Timestamp"
SIGNATURE_HEADER = "X-Linkage-Signature"
#: Where ``hub connector run`` takes a push connector's secret from.
SECRET_ENV = "HUB_CONNECT_WEBHOOK_SECRET"  # noqa: S105 - its name, not its value
#: Shorter keys are guessable; an empty one would let anyone sign.
MIN_SECRET_BYTES = 16
TOLERANCE_S = 300
_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")


def sign(secret: bytes, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The headers a sender adds to a delivery of ``body`` (now, unless ``timestamp``)."""
    sent = str(int(time.time()) if timestamp is None else timestamp)
    return {TIMESTAMP_HEADER: sent, SIGNATURE_HEADER: f"sha256={_digest(secret, sent, body)}"}


def verify(
    secret: bytes,
    body: bytes,
    *,
    timestamp: str | None,
    signature: str | None,
    tolerance_s: int = TOLERANCE_S,
    now: float | None = None,
) -> None:
    """Raise ``AuthenticationFailed`` unless the headers sign ``body`` with ``secret``
    at a time within ``tolerance_s`` of ``now``."""
    sent, given = check_headers(timestamp, signature, tolerance_s=tolerance_s, now=now)
    if not hmac.compare_digest(_digest(secret, sent, body).encode(), given.encode()):
        raise AuthenticationFailed(f"{SIGNATURE_HEADER} does not sign this body with the secret")


def secret_from_env(environ: Mapping[str, str] | None = None) -> bytes:
    """The shared secret in ``HUB_CONNECT_WEBHOOK_SECRET``, refused if missing or short."""
    secret = (os.environ if environ is None else environ).get(SECRET_ENV, "").encode()
    check_secret(secret)
    return secret


def check_headers(
    timestamp: str | None, signature: str | None, *, tolerance_s: int, now: float | None = None
) -> tuple[str, str]:
    """Everything about the signature headers that can be checked without the body;
    returns the timestamp and the hex digest sent (in lower case)."""
    if not timestamp or not signature:
        raise AuthenticationFailed(
            f"a delivery is signed with {TIMESTAMP_HEADER} and {SIGNATURE_HEADER}",
            token_sent=bool(timestamp or signature),
        )
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise AuthenticationFailed(f"{TIMESTAMP_HEADER} is not a time in whole Unix seconds")
    skew = abs((time.time() if now is None else now) - int(timestamp))
    if skew > tolerance_s:
        raise AuthenticationFailed(
            f"{TIMESTAMP_HEADER} is {skew:,.0f} s from the receiver's clock, over the"
            f" {tolerance_s} s allowed: a replayed request, or a clock to set right"
        )
    scheme, _, digest = signature.partition("=")
    if scheme != "sha256" or not _HEX_DIGEST.fullmatch(digest):
        raise AuthenticationFailed(f"{SIGNATURE_HEADER} is not sha256=<64 hex digits>")
    return timestamp, digest.lower()


def _digest(secret: bytes, timestamp: str, body: bytes) -> str:
    return hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def check_secret(secret: bytes) -> None:
    if len(secret) < MIN_SECRET_BYTES:
        raise ConfigError(
            f"the webhook secret must be at least {MIN_SECRET_BYTES} bytes; set {SECRET_ENV},"
            " for example to the output of: python -c 'import secrets; print(secrets.token_hex(32))'"
        )
