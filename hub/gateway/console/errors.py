"""A problem (RFC 9457) shown to a person as a console page, same status and words."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from hub.gateway.console.render import page


def error_page(
    request: Request, problem: dict[str, Any], headers: dict[str, str] | None
) -> HTMLResponse:
    response = page(
        request,
        "error.html",
        session=None,
        http_status=int(problem["status"]),
        status=int(problem["status"]),
        title=problem["title"],
        detail=problem["detail"],
        request_id=problem.get("request_id") or "",
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
