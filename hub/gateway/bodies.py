"""Read a request body without ever holding more than a limit of it in memory."""

from __future__ import annotations

from fastapi import Request

from hub.errors import HubError


class BodyTooLarge(HubError):
    code = "payload-too-large"


async def read_limited(request: Request, limit: int) -> bytes:
    """The body, or :class:`BodyTooLarge` as soon as the declared or read size passes ``limit``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"the request body is larger than {limit} bytes")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge(f"the request body is larger than {limit} bytes")
    return body
