"""Check bearer tokens and turn them into a :class:`Caller`.

Authlib's RFC 9068 validator does the signature and claim checks; on top of it this
insists on ``typ: at+jwt`` (so an ID token cannot pass as an access token) and on the
``agency`` claim that policy decisions need. Each failure has a short reason that goes
to the audit row and the ``WWW-Authenticate`` header, never the token itself.
"""

from __future__ import annotations

from typing import Any

from authlib.oauth2.rfc6750.errors import InvalidTokenError
from authlib.oauth2.rfc9068 import JWTBearerTokenValidator
from joserfc import errors as jose
from joserfc.jwk import KeySet

from hub.errors import AuthenticationFailed
from hub.identity import Caller, parse_scopes

_REASONS: list[tuple[type[Exception], str]] = [
    (jose.ExpiredTokenError, "token has expired"),
    (jose.BadSignatureError, "token signature does not verify with the gateway's keys"),
    (jose.UnsupportedAlgorithmError, "token algorithm is not accepted"),
    (jose.DecodeError, "token is not a well-formed JWT"),
    (jose.InvalidKeyIdError, "token was signed by an unknown key"),
]


class TokenVerifier(JWTBearerTokenValidator):  # type: ignore[misc]
    def __init__(self, *, issuer: str, audience: str, keys: KeySet) -> None:
        super().__init__(issuer=issuer, resource_server=audience, realm="linkage")
        self._keys = keys

    def get_jwks(self) -> KeySet:
        return self._keys

    def verify(self, token: str) -> Caller:
        try:
            claims = self.authenticate_token(token)
            self.validate_token(claims, scopes=None, request=None)
        except InvalidTokenError as exc:
            raise AuthenticationFailed(_reason(exc.__cause__)) from None
        except (jose.JoseError, ValueError) as exc:
            raise AuthenticationFailed(_reason(exc)) from None
        if str(claims.header.get("typ", "")).lower() not in ("at+jwt", "application/at+jwt"):
            raise AuthenticationFailed("token is not an access token (typ must be at+jwt)")
        agency = claims.get("agency")
        if not isinstance(agency, str) or not agency:
            raise AuthenticationFailed("token names no agency")
        return Caller(
            client_id=str(claims["client_id"]),
            agency=agency,
            scopes=parse_scopes(_scope_text(claims.get("scope"))),
            token_id=str(claims["jti"]),
            expires_at=float(claims["exp"]) if isinstance(claims.get("exp"), int) else None,
        )


def _scope_text(scope: Any) -> str:
    if isinstance(scope, list):
        return " ".join(str(s) for s in scope)
    return str(scope or "")


_CLAIM_REASONS = {
    "typ": "token is not an access token (typ must be at+jwt)",
    "iss": "token was issued by another issuer",
    "aud": "token is meant for another audience",
    "nbf": "token is not valid yet",
    "iat": "token is not valid yet",
}


def _reason(exc: BaseException | None) -> str:
    if isinstance(exc, jose.MissingClaimError):
        return f"token lacks the {exc.claim} claim"
    if isinstance(exc, jose.InvalidClaimError) and not isinstance(exc, jose.ExpiredTokenError):
        return _CLAIM_REASONS.get(exc.claim, f"token has an invalid {exc.claim} claim")
    for kind, reason in _REASONS:
        if isinstance(exc, kind):
            return reason
    return "token is not valid"
