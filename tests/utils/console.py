"""Signing in to the console from a test client, as a browser would."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


def sign_in(http: TestClient, username: str, password: str, next_path: str = "/console"):
    """The sign-in response (a 303 on success); the client keeps the cookies it sets."""
    form = http.get("/console/login", params={"next": next_path})
    return http.post(
        "/console/login",
        data={
            "username": username,
            "password": password,
            "csrf": csrf_of(form.text),
            "next": next_path,
        },
        follow_redirects=False,
    )
