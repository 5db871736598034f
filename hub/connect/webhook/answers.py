"""The receiver's answers: JSON, and RFC 9457 problems for refusals."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from hub.connect.webhook.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER
from hub.errors import AuthenticationFailed

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: dict[str, Any]
    headers: tuple[tuple[str, str], ...] = ()


class Refused(Exception):
    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer


def problem(status: int, slug: str, detail: str, *headers: tuple[str, str]) -> Answer:
    body = {
        "type": f"/problems/{slug}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    return Answer(status, body, headers)


def unauthenticated(error: AuthenticationFailed) -> Answer:
    challenge = f'HMAC-SHA256 headers="{TIMESTAMP_HEADER} {SIGNATURE_HEADER}"'
    return problem(401, "unauthenticated", error.message, ("WWW-Authenticate", challenge))
