"""The small endpoints clients probe: root, mode, contexts, associations."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from hub.registry.api.deps import RegistryCaller
from hub.registry.api.responses import RegistryJSON

router = APIRouter(tags=["schema registry"])


@router.get("/", name="registry.root")
def root() -> Response:
    return RegistryJSON({})


@router.get("/mode", name="registry.mode")
def mode(caller: RegistryCaller) -> Response:
    return RegistryJSON({"mode": "READWRITE"})


@router.get("/mode/{subject}", name="registry.mode.subject")
def subject_mode(subject: str, caller: RegistryCaller) -> Response:
    return RegistryJSON({"mode": "READWRITE"})


@router.get("/contexts", name="registry.contexts")
def contexts(caller: RegistryCaller) -> Response:
    return RegistryJSON(["."])


@router.get("/associations/resources/{namespace}/{name}", name="registry.associations")
def associations(namespace: str, name: str, caller: RegistryCaller) -> Response:
    """None: confluent-kafka 2.16's serializers then fall back to ``<topic>-value``."""
    return RegistryJSON([])
