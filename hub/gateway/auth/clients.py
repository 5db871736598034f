"""OAuth clients: one per agency system, created by operators with `hub clients create`."""

from __future__ import annotations

import re
import secrets as pysecrets
from dataclasses import dataclass

from authlib.oauth2.rfc6749 import ClientMixin
from authlib.oauth2.rfc6749.errors import InvalidScopeError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.errors import BadRequest, NotFound
from hub.gateway.auth.secrets import hash_secret, new_secret, verify_secret
from hub.identity import parse_scopes, unknown_scopes
from hub.store.models import OAuthClient

CLIENT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,63}$")
AUTH_METHODS = ("client_secret_basic", "client_secret_post")


@dataclass(frozen=True)
class RegisteredClient(ClientMixin):  # type: ignore[misc]
    """A client as Authlib's grant flow sees it; built from a row, never holding a secret."""

    client_id: str
    agency: str
    scopes: frozenset[str]
    secret_hash: str
    disabled: bool

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return " ".join(sorted(self.scopes))
        requested = parse_scopes(scope)
        refused = sorted(requested - self.scopes)
        if refused:
            raise InvalidScopeError(
                description=f"scope not allowed for this client: {' '.join(refused)}"
            )
        return " ".join(sorted(requested))

    def check_client_secret(self, client_secret: str) -> bool:
        # The secret is checked first, always: a disabled client must cost as much to
        # refuse as a wrong secret, or the time would tell which it is.
        matched = verify_secret(client_secret, self.secret_hash)
        return matched and not self.disabled

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials" and not self.disabled


def unknown_client(client_id: str, decoy_hash: str) -> RegisteredClient:
    """What a client id that is not registered is checked as: a disabled client whose
    secret (a random one, never known) is checked at full cost, so an unknown id is
    refused with the same answer, in the same time, as a wrong secret."""
    return RegisteredClient(client_id, "", frozenset(), decoy_hash, disabled=True)


def decoy_hash() -> str:
    return hash_secret(new_secret())


@dataclass(frozen=True)
class IssuedCredentials:
    client_id: str
    client_secret: str
    agency: str
    scopes: frozenset[str]


class ClientStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def get(self, client_id: str) -> RegisteredClient | None:
        with self._sessions() as session:
            row = session.get(OAuthClient, client_id)
            return _registered(row) if row else None

    def create(
        self,
        *,
        agency: str,
        scopes: frozenset[str],
        client_id: str | None = None,
        description: str = "",
    ) -> IssuedCredentials:
        """Create a client; the secret is returned this once and never stored in clear."""
        client_id = client_id or f"{agency}-{pysecrets.token_hex(4)}"
        _check(client_id, scopes)
        secret = new_secret()
        with self._sessions.begin() as session:
            if session.get(OAuthClient, client_id) is not None:
                raise BadRequest(f"client {client_id} already exists; rotate its secret instead")
            session.add(
                OAuthClient(
                    client_id=client_id,
                    agency=agency,
                    secret_hash=hash_secret(secret),
                    scopes=" ".join(sorted(scopes)),
                    description=description,
                )
            )
        return IssuedCredentials(client_id, secret, agency, scopes)

    def ensure(self, *, client_id: str, agency: str, scopes: frozenset[str]) -> IssuedCredentials:
        """Create ``client_id`` or give it a fresh secret and these scopes (used by `hub dev`)."""
        _check(client_id, scopes)
        secret = new_secret()
        with self._sessions.begin() as session:
            row = session.get(OAuthClient, client_id)
            if row is None:
                row = OAuthClient(client_id=client_id, description="demo client")
                session.add(row)
            row.agency = agency
            row.scopes = " ".join(sorted(scopes))
            row.secret_hash = hash_secret(secret)
            row.disabled = False
        return IssuedCredentials(client_id, secret, agency, scopes)

    def disable(self, client_id: str) -> None:
        with self._sessions.begin() as session:
            row = session.get(OAuthClient, client_id)
            if row is None:
                raise NotFound(f"client {client_id} not found")
            row.disabled = True

    def list(self) -> list[RegisteredClient]:
        with self._sessions() as session:
            rows = session.scalars(select(OAuthClient).order_by(OAuthClient.client_id))
            return [_registered(row) for row in rows]


def _check(client_id: str, scopes: frozenset[str]) -> None:
    if not CLIENT_ID.match(client_id):
        raise BadRequest(f"client id {client_id!r} must be 3-64 of a-z, 0-9 and '-'")
    unknown = unknown_scopes(scopes)
    if unknown:
        raise BadRequest(f"unknown scopes: {', '.join(unknown)}")


def _registered(row: OAuthClient) -> RegisteredClient:
    return RegisteredClient(
        row.client_id, row.agency, parse_scopes(row.scopes), row.secret_hash, row.disabled
    )
