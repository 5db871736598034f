"""HTTP Basic with an OAuth client's id and secret, for Schema Registry clients.

confluent-kafka's registry client authenticates with Basic (or a bearer token); checking
a scrypt hash costs tens of milliseconds, so a verified pair is remembered briefly, by
a digest of the secret, never the secret itself.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
import time

from hub.errors import AuthenticationFailed
from hub.gateway.auth.clients import ClientStore
from hub.identity import Caller

_TTL_S = 60.0


def parse_basic(credentials: str) -> tuple[str, str]:
    """``id:secret`` from the base64 part of a Basic header; ValueError if it is not that."""
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError("the Basic credentials are not base64 of id:secret") from None
    client_id, sep, secret = decoded.partition(":")
    if not sep or not client_id:
        raise ValueError("the Basic credentials are not id:secret")
    return client_id, secret


class BasicAuthenticator:
    def __init__(self, clients: ClientStore) -> None:
        self._clients = clients
        self._verified: dict[str, tuple[float, Caller]] = {}
        self._lock = threading.Lock()

    def authenticate(self, credentials: str) -> Caller:
        try:
            client_id, secret = parse_basic(credentials)
        except ValueError as exc:
            raise AuthenticationFailed(str(exc)) from None
        key = hashlib.sha256(f"{client_id}:{secret}".encode()).hexdigest()
        now = time.monotonic()
        with self._lock:
            cached = self._verified.get(key)
        if cached and cached[0] > now:
            return cached[1]
        client = self._clients.get(client_id)
        if client is None or not client.check_client_secret(secret):
            raise AuthenticationFailed("unknown client or wrong secret")
        caller = Caller(
            client_id=client.client_id,
            agency=client.agency,
            scopes=client.scopes,
            token_id="basic",  # noqa: S106 - a marker, not a secret
        )
        with self._lock:
            self._verified = {k: v for k, v in self._verified.items() if v[0] > now}
            self._verified[key] = (now + _TTL_S, caller)
        return caller
