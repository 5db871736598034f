"""Rendering console pages: one Jinja environment, the language, and the headers every
page carries (no script or style from anywhere but the hub, no framing, no caching)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from hub.gateway.auth.sessions import ConsoleSession
from hub.gateway.console.i18n import COOKIE, pick, translator
from hub.gateway.console.times import ConsoleClock, delay

_ENV = Environment(
    loader=PackageLoader("hub.gateway.console", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def language(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(COOKIE)
    return pick(request.headers.get("accept-language"), chosen)


def page(
    request: Request,
    template: str,
    *,
    session: ConsoleSession | None,
    http_status: int = 200,
    **context: Any,
) -> HTMLResponse:
    lang = language(request)
    others = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    clock = ConsoleClock(request.app.state.services.settings.console.timezone)
    html = _ENV.get_template(template).render(
        t=translator(lang),
        local=clock.show,
        local_ms=clock.show_ms,
        delay=delay,
        lang=lang,
        session=session,
        path=request.url.path,
        other_lang_url=request.url.path
        + "?"
        + urlencode([*others, ("lang", "en" if lang == "zh" else "zh")]),
        **context,
    )
    response = HTMLResponse(html, status_code=http_status, headers=HEADERS)
    if request.query_params.get("lang") == lang:
        response.set_cookie(COOKIE, lang, max_age=365 * 86400, samesite="strict", httponly=True)
    return response
