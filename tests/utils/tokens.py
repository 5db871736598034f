"""Hand-made tokens for the negative tests: expired, foreign-signed, unsigned, mistyped."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from hub.gateway.auth.keys import load_key


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": "http://127.0.0.1:8000",
        "aud": "linkage",
        "sub": "health-dispatch",
        "client_id": "health-dispatch",
        "agency": "health",
        "scope": "streams:read",
        "iat": now,
        "exp": now + 600,
        "jti": "test-token",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def signed(key_dir: Path, *, header: dict[str, Any] | None = None, **overrides: Any) -> str:
    """Signed with the gateway's own key: only the claims or header are wrong."""
    key = load_key(key_dir, create=False)
    return jwt.encode(
        header or {"alg": "RS256", "typ": "at+jwt"}, claims(**overrides), KeySet([key])
    )


def foreign(**overrides: Any) -> str:
    """Well-formed, right claims, signed by a key the gateway has never seen."""
    key = RSAKey.generate_key(2048, auto_kid=True)
    return jwt.encode({"alg": "RS256", "typ": "at+jwt"}, claims(**overrides), key)


def unsigned(**overrides: Any) -> str:
    """``alg: none``: a token anyone could write."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'at+jwt'})}.{part(claims(**overrides))}."
