"""/compatibility: would this schema be accepted, without registering it?"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from hub.gateway.deps import RuntimeDep
from hub.registry import commands
from hub.registry.api.deps import RegistryCaller, flag, performed, request_schema
from hub.registry.api.responses import RegistryJSON
from hub.registry.compatibility import CompatibilityReport
from hub.registry.entities import parse_version

router = APIRouter(tags=["schema registry"])


@router.post(
    "/compatibility/subjects/{subject}/versions/{version}", name="registry.compatibility.version"
)
async def check_version(
    request: Request, subject: str, version: str, caller: RegistryCaller, runtime: RuntimeDep
) -> Response:
    """Against one version (``latest`` for the newest live one)."""
    return await _check(request, caller, runtime, subject, version)


@router.post("/compatibility/subjects/{subject}/versions", name="registry.compatibility.all")
async def check_all(
    request: Request, subject: str, caller: RegistryCaller, runtime: RuntimeDep
) -> Response:
    """Against the versions the subject's mode looks at (all of them when transitive)."""
    return await _check(request, caller, runtime, subject, None)


async def _check(
    request: Request, caller: RegistryCaller, runtime: RuntimeDep, subject: str, version: str | None
) -> Response:
    text, _ = await request_schema(request, caller)
    verbose = flag(request, "verbose")

    def work() -> CompatibilityReport:
        number = parse_version(version) if version is not None else None
        with runtime.sessions() as session:
            return commands.check_candidate(
                session, subject=subject, version=number, text=text, verbose=verbose
            )

    report = await run_in_threadpool(
        performed,
        request,
        caller,
        work,
        lambda r: f"checked compatibility with {subject}: {r.compatible}",
    )
    body: dict[str, Any] = {"is_compatible": report.compatible}
    if verbose:
        body["messages"] = report.messages
    return RegistryJSON(body)
