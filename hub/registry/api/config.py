"""/config: compatibility mode, globally and per subject."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from hub.gateway.deps import RuntimeDep
from hub.registry import compat_config, errors
from hub.registry.api.deps import (
    RegistryCaller,
    SessionDep,
    flag,
    performed,
    request_json,
    require_writer,
)
from hub.registry.api.responses import RegistryJSON
from hub.registry.compatibility import CompatibilityMode

router = APIRouter(tags=["schema registry"])


@router.get("/config", name="registry.config.global")
def get_global(request: Request, caller: RegistryCaller, session: SessionDep) -> Response:
    mode = performed(
        request,
        caller,
        lambda: compat_config.get_mode(session, subject=None),
        lambda m: f"read global mode {m}",
    )
    return RegistryJSON({"compatibilityLevel": mode.value})


@router.get("/config/{subject}", name="registry.config.get")
def get_subject(
    request: Request, subject: str, caller: RegistryCaller, session: SessionDep
) -> Response:
    default = flag(request, "defaultToGlobal")
    mode = performed(
        request,
        caller,
        lambda: compat_config.get_mode(session, subject=subject, default_to_global=default),
        lambda m: f"read mode of {subject}: {m}",
    )
    return RegistryJSON({"compatibilityLevel": mode.value})


@router.put("/config", name="registry.config.set_global")
async def put_global(request: Request, caller: RegistryCaller, runtime: RuntimeDep) -> Response:
    return await _put(request, caller, runtime, None)


@router.put("/config/{subject}", name="registry.config.set")
async def put_subject(
    request: Request, subject: str, caller: RegistryCaller, runtime: RuntimeDep
) -> Response:
    return await _put(request, caller, runtime, subject)


async def _put(
    request: Request, caller: RegistryCaller, runtime: RuntimeDep, subject: str | None
) -> Response:
    await run_in_threadpool(require_writer, request, caller, subject)
    body = await request_json(request, caller)
    mode = CompatibilityMode.parse(str(body.get("compatibility", "")))

    def work() -> CompatibilityMode:
        if mode is None:
            raise errors.invalid_compatibility_level()
        with runtime.sessions.begin() as session:
            compat_config.set_mode(session, subject=subject, mode=mode)
        return mode

    done = await run_in_threadpool(
        performed, request, caller, work, lambda m: f"set mode of {subject or 'registry'} to {m}"
    )
    return RegistryJSON({"compatibility": done.value})


@router.delete("/config", name="registry.config.delete_global")
def delete_global(request: Request, caller: RegistryCaller, runtime: RuntimeDep) -> Response:
    return _delete(request, caller, runtime, None)


@router.delete("/config/{subject}", name="registry.config.delete")
def delete_subject(
    request: Request, subject: str, caller: RegistryCaller, runtime: RuntimeDep
) -> Response:
    return _delete(request, caller, runtime, subject)


def _delete(
    request: Request, caller: RegistryCaller, runtime: RuntimeDep, subject: str | None
) -> Response:
    require_writer(request, caller, subject)

    def work() -> CompatibilityMode:
        with runtime.sessions.begin() as session:
            return compat_config.delete_mode(session, subject=subject)

    previous = performed(
        request, caller, work, lambda m: f"removed mode {m} of {subject or 'registry'}"
    )
    return RegistryJSON({"compatibilityLevel": previous.value})
