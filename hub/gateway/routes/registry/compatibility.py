"""/compatibility: would this schema be accepted, without registering it?"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from hub.gateway.deps import RegistryDep, RegistryReader, SubjectDep, TrailDep
from hub.gateway.problem_types import REGISTRY_PREFIX
from hub.gateway.routes.registry.requests import (
    SCHEMA_BODY_DOC,
    SchemaBody,
    VerboseFlag,
    VersionDep,
)
from hub.gateway.routes.registry.responses import RegistryJSON
from hub.registry.entities import SubmittedSchema
from hub.registry.service import RegistryService

router = APIRouter(prefix=REGISTRY_PREFIX, tags=["schema registry"])


@router.post(
    "/compatibility/subjects/{subject:path}/versions/{version}",
    name="registry.compatibility.version",
    openapi_extra={"requestBody": SCHEMA_BODY_DOC},
)
def check_version(
    subject: SubjectDep,
    version: VersionDep,
    caller: RegistryReader,
    registry: RegistryDep,
    trail: TrailDep,
    body: SchemaBody,
    verbose: VerboseFlag,
) -> Response:
    """Against one version (``latest`` for the newest live one)."""
    return _check(registry, trail, subject, version, body, verbose=verbose)


@router.post(
    "/compatibility/subjects/{subject:path}/versions",
    name="registry.compatibility.all",
    openapi_extra={"requestBody": SCHEMA_BODY_DOC},
)
def check_all(
    subject: SubjectDep,
    caller: RegistryReader,
    registry: RegistryDep,
    trail: TrailDep,
    body: SchemaBody,
    verbose: VerboseFlag,
) -> Response:
    """Against the versions the subject's mode looks at (all of them when transitive)."""
    return _check(registry, trail, subject, None, body, verbose=verbose)


def _check(
    registry: RegistryService,
    trail: TrailDep,
    subject: str,
    version: int | None,
    submitted: SubmittedSchema,
    *,
    verbose: bool,
) -> Response:
    report = registry.check(subject=subject, version=version, submitted=submitted, verbose=verbose)
    trail.served(1, f"checked compatibility with {subject}: {report.compatible}")
    body: dict[str, Any] = {"is_compatible": report.compatible}
    if verbose:
        body["messages"] = report.messages
    return RegistryJSON(body)
