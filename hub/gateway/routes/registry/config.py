"""/config: compatibility mode, globally and per subject."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from hub.gateway.deps import (
    RegistryAdmin,
    RegistryDep,
    RegistryReader,
    RegistryWriter,
    SubjectDep,
    TrailDep,
)
from hub.gateway.problem_types import REGISTRY_PREFIX
from hub.gateway.routes.registry.requests import (
    COMPATIBILITY_BODY_DOC,
    CompatibilityBody,
    DefaultToGlobalFlag,
)
from hub.gateway.routes.registry.responses import RegistryJSON

router = APIRouter(prefix=REGISTRY_PREFIX, tags=["schema registry"])


@router.get("/config", name="registry.config.global")
def get_global(caller: RegistryReader, registry: RegistryDep, trail: TrailDep) -> Response:
    mode = registry.mode(subject=None)
    trail.served(1, f"read global mode {mode}")
    return RegistryJSON({"compatibilityLevel": mode.value})


@router.get("/config/{subject:path}", name="registry.config.get")
def get_subject(
    subject: SubjectDep,
    caller: RegistryReader,
    registry: RegistryDep,
    trail: TrailDep,
    default_to_global: DefaultToGlobalFlag,
) -> Response:
    mode = registry.mode(subject=subject, default_to_global=default_to_global)
    trail.served(1, f"read mode of {subject}: {mode}")
    return RegistryJSON({"compatibilityLevel": mode.value})


@router.put(
    "/config",
    name="registry.config.set_global",
    openapi_extra={"requestBody": COMPATIBILITY_BODY_DOC},
)
def put_global(
    caller: RegistryAdmin, registry: RegistryDep, trail: TrailDep, mode: CompatibilityBody
) -> Response:
    registry.set_mode(subject=None, mode=mode)
    trail.served(1, f"set the global mode to {mode}")
    return RegistryJSON({"compatibility": mode.value})


@router.put(
    "/config/{subject:path}",
    name="registry.config.set",
    openapi_extra={"requestBody": COMPATIBILITY_BODY_DOC},
)
def put_subject(
    subject: SubjectDep,
    caller: RegistryWriter,
    registry: RegistryDep,
    trail: TrailDep,
    mode: CompatibilityBody,
) -> Response:
    registry.set_mode(subject=subject, mode=mode)
    trail.served(1, f"set mode of {subject} to {mode}")
    return RegistryJSON({"compatibility": mode.value})


@router.delete("/config", name="registry.config.delete_global")
def delete_global(caller: RegistryAdmin, registry: RegistryDep, trail: TrailDep) -> Response:
    previous = registry.delete_mode(subject=None)
    trail.served(1, f"removed the global mode {previous}")
    return RegistryJSON({"compatibilityLevel": previous.value})


@router.delete("/config/{subject:path}", name="registry.config.delete")
def delete_subject(
    subject: SubjectDep, caller: RegistryWriter, registry: RegistryDep, trail: TrailDep
) -> Response:
    previous = registry.delete_mode(subject=subject)
    trail.served(1, f"removed mode {previous} of {subject}")
    return RegistryJSON({"compatibilityLevel": previous.value})
