"""Client secrets: generated with ``secrets``, stored only as salted scrypt hashes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# scrypt cost: ~30 ms per check here; token requests are rare next to data requests.
_N, _R, _P = 2**14, 8, 1
#: People's passwords are guessable where generated secrets are not: twice the cost,
#: 32 MiB of memory a guess (scrypt is memory-hard, so a GPU gains little).
PASSWORD_N = 2**15


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str, *, n: int = _N) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        secret.encode(), salt=salt, n=n, r=_R, p=_P, maxmem=256 * _R * n + 2**20
    )
    return f"scrypt${n}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_secret(secret: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    cost, blocks = int(n), int(r)
    candidate = hashlib.scrypt(
        secret.encode(),
        salt=_unb64(salt),
        n=cost,
        r=blocks,
        p=int(p),
        maxmem=256 * blocks * cost + 2**20,
    )
    return hmac.compare_digest(candidate, _unb64(digest))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
