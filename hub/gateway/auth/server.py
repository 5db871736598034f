"""The OAuth2 token endpoint's logic: Authlib's client-credentials grant, RFC 9068 tokens.

Authlib ships the grant and the JWT access-token generator but no Starlette server, so
this module supplies the small framework glue: the request is read by the route and
handed in as an ``OAuth2Request`` with its form payload.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, ClassVar

from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import OAuth2Request
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6749.requests import OAuth2Payload
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from joserfc.jwk import KeySet

from hub.gateway.auth.clients import (
    AUTH_METHODS,
    ClientStore,
    RegisteredClient,
    decoy_hash,
    unknown_client,
)
from hub.gateway.auth.keys import ALGORITHM
from hub.gateway.auth.throttle import TokenThrottle
from hub.identity import SCOPES

#: How long, and for how many client ids, the agency of a claimed id is remembered.
AGENCY_TTL_S = 60.0
AGENCIES_MAX = 10_000

# Authlib logs issued tokens at DEBUG; tokens must never reach a log.
logging.getLogger("authlib").setLevel(logging.INFO)


@dataclass(frozen=True, slots=True)
class TokenResponse:
    status: int
    body: dict[str, Any]
    headers: list[tuple[str, str]]


class FormPayload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._data = dict(items)
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in items:
            self._datalist[key].append(value)

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class FormRequest(OAuth2Request):  # type: ignore[misc]
    """A token request whose form the route has already read."""

    def __init__(self, *, uri: str, headers: dict[str, str], form: list[tuple[str, str]]) -> None:
        super().__init__("POST", uri, headers=headers)
        self.payload = FormPayload(form)

    @property
    def form(self) -> dict[str, str]:
        data: dict[str, str] = self.payload.data
        return data

    @property
    def args(self) -> dict[str, str]:
        return {}


class _ClientCredentials(ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = list(AUTH_METHODS)


class _AccessTokens(JWTBearerTokenGenerator):  # type: ignore[misc]
    def __init__(self, *, issuer: str, audience: str, keys: KeySet, ttl_s: int) -> None:
        super().__init__(issuer=issuer, alg=ALGORITHM, expires_generator=lambda *_: ttl_s)
        self._audience = audience
        self._keys = keys

    def get_jwks(self) -> KeySet:
        return self._keys

    def get_audiences(self, client: RegisteredClient, user: object, scope: str) -> str:
        return self._audience

    def get_extra_claims(
        self, client: RegisteredClient, grant_type: str, user: object, scope: str
    ) -> dict[str, str]:
        return {"agency": client.agency}


class TokenIssuer(AuthorizationServer):  # type: ignore[misc]
    def __init__(
        self,
        *,
        clients: ClientStore,
        issuer: str,
        audience: str,
        keys: KeySet,
        ttl_s: int,
        throttle: TokenThrottle | None = None,
    ) -> None:
        super().__init__(scopes_supported=list(SCOPES))
        self._clients = clients
        self._decoy = decoy_hash()
        self.throttle = throttle if throttle is not None else TokenThrottle()
        self._agencies: dict[str, tuple[str | None, float]] = {}
        self._agencies_lock = threading.Lock()
        self.register_grant(_ClientCredentials)
        self.register_token_generator(
            "default", _AccessTokens(issuer=issuer, audience=audience, keys=keys, ttl_s=ttl_s)
        )

    def query_client(self, client_id: str) -> RegisteredClient:
        """The client, or one that can never authenticate (see ``unknown_client``)."""
        return self._clients.get(client_id) or unknown_client(client_id, self._decoy)

    def agency_of(self, client_id: str) -> str | None:
        """The agency of a registered client id, for the audit row of a failed request.
        Remembered for a minute (unknown ids too, up to a bound), so a flood of tries that
        the throttle refuses costs no query each."""
        now = time.monotonic()
        with self._agencies_lock:
            known = self._agencies.get(client_id)
            if known is not None and known[1] > now:
                return known[0]
        client = self._clients.get(client_id)
        agency = client.agency if client else None
        with self._agencies_lock:
            self._agencies.pop(client_id, None)
            self._agencies[client_id] = (agency, now + AGENCY_TTL_S)
            while len(self._agencies) > AGENCIES_MAX:
                del self._agencies[next(iter(self._agencies))]
        return agency

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        """Tokens are self-contained JWTs; the audit row records each issue instead."""

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No signal subscribers."""

    def create_oauth2_request(self, request: OAuth2Request) -> OAuth2Request:
        return request

    def handle_response(
        self, status: int, body: Any, headers: list[tuple[str, str]]
    ) -> TokenResponse:
        return TokenResponse(status, dict(body), list(headers))

    def issue(self, request: OAuth2Request) -> TokenResponse:
        response: TokenResponse = self.create_token_response(request)
        return response
