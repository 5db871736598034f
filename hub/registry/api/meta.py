"""The small endpoints clients probe: root, mode, contexts, associations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from hub.gateway.auditing import audit
from hub.gateway.auth.tokens import Caller
from hub.registry.api.deps import RegistryCaller
from hub.registry.api.responses import RegistryJSON

router = APIRouter(tags=["schema registry"])


@router.get("/", name="registry.root")
def root() -> Response:
    return RegistryJSON({})


def _answer(request: Request, caller: Caller, body: Any, what: str) -> Response:
    audit(request, allowed=True, reason=what, status=200, caller=caller)
    return RegistryJSON(body)


@router.get("/mode", name="registry.mode")
def mode(request: Request, caller: RegistryCaller) -> Response:
    return _answer(request, caller, {"mode": "READWRITE"}, "read mode")


@router.get("/mode/{subject}", name="registry.mode.subject")
def subject_mode(request: Request, subject: str, caller: RegistryCaller) -> Response:
    return _answer(request, caller, {"mode": "READWRITE"}, f"read mode of {subject}")


@router.get("/contexts", name="registry.contexts")
def contexts(request: Request, caller: RegistryCaller) -> Response:
    return _answer(request, caller, ["."], "listed contexts")


@router.get("/associations/resources/{namespace}/{name}", name="registry.associations")
def associations(request: Request, namespace: str, name: str, caller: RegistryCaller) -> Response:
    """None: confluent-kafka 2.16's serializers then fall back to ``<topic>-value``."""
    return _answer(request, caller, [], f"listed associations of {name}")
