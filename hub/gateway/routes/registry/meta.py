"""The small endpoints clients probe: root, mode, contexts, associations."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from hub.gateway.deps import Anyone, RegistryReader, SubjectDep
from hub.gateway.problem_types import REGISTRY_PREFIX
from hub.gateway.routes.registry.responses import RegistryJSON

router = APIRouter(prefix=REGISTRY_PREFIX, tags=["schema registry"])


@router.get("/", name="registry.root")
def root(access: Anyone) -> Response:
    return RegistryJSON({})


@router.get("/mode", name="registry.mode")
def mode(caller: RegistryReader) -> Response:
    """Always READWRITE: this registry has no import or read-only mode."""
    return RegistryJSON({"mode": "READWRITE"})


@router.get("/mode/{subject:path}", name="registry.mode.subject")
def subject_mode(subject: SubjectDep, caller: RegistryReader) -> Response:
    return RegistryJSON({"mode": "READWRITE"})


@router.get("/contexts", name="registry.contexts")
def contexts(caller: RegistryReader) -> Response:
    return RegistryJSON(["."])


@router.get("/associations/resources/{namespace}/{name}", name="registry.associations")
def associations(namespace: str, name: str, caller: RegistryReader) -> Response:
    """None: confluent-kafka 2.16's serializers then fall back to ``<topic>-value``."""
    return RegistryJSON([])
