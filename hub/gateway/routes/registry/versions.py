"""/subjects/{subject}/versions: register, list, read and delete a subject's versions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.responses import Response

from hub.gateway.deps import RegistryDep, RegistryReader, RegistryWriter, SubjectDep, TrailDep
from hub.gateway.problem_types import REGISTRY_PREFIX
from hub.gateway.routes.registry.requests import (
    SCHEMA_BODY_DOC,
    DeletedFlag,
    DeletionFilterDep,
    PermanentFlag,
    SchemaBody,
    VersionDep,
)
from hub.gateway.routes.registry.responses import RegistryJSON, raw_schema, version_body
from hub.registry.entities import SubjectSchema

router = APIRouter(prefix=REGISTRY_PREFIX, tags=["schema registry"])


@router.get("/subjects/{subject:path}/versions", name="registry.versions.list")
def list_versions(
    subject: SubjectDep,
    caller: RegistryReader,
    registry: RegistryDep,
    trail: TrailDep,
    shown: DeletionFilterDep,
) -> Response:
    versions = registry.versions(
        subject=subject, deleted=shown.deleted, deleted_only=shown.deleted_only
    )
    trail.served(len(versions), f"listed versions of {subject}")
    return RegistryJSON(versions)


@router.post(
    "/subjects/{subject:path}/versions",
    name="registry.register",
    openapi_extra={"requestBody": SCHEMA_BODY_DOC},
)
def register(
    subject: SubjectDep,
    caller: RegistryWriter,
    registry: RegistryDep,
    trail: TrailDep,
    body: SchemaBody,
) -> Response:
    done = registry.register(subject=subject, submitted=body)
    trail.served(1, f"registered {subject} version {done.version} as id {done.schema_id}")
    return RegistryJSON({"id": done.schema_id, "version": done.version})


def _version(
    subject: SubjectDep,
    version: VersionDep,
    registry: RegistryDep,
    trail: TrailDep,
    deleted: DeletedFlag,
) -> SubjectSchema:
    found = registry.version(subject=subject, version=version, deleted=deleted)
    trail.served(1, f"read {subject} version {found.version}")
    return found


VersionRead = Annotated[SubjectSchema, Depends(_version)]


@router.get("/subjects/{subject:path}/versions/{version}", name="registry.version.get")
def get_version(caller: RegistryReader, found: VersionRead) -> Response:
    return RegistryJSON(version_body(found))


@router.get("/subjects/{subject:path}/versions/{version}/schema", name="registry.version.schema")
def get_version_schema(caller: RegistryReader, found: VersionRead) -> Response:
    return raw_schema(found.text)


@router.get(
    "/subjects/{subject:path}/versions/{version}/referencedby",
    name="registry.version.referencedby",
)
def referenced_by(
    subject: SubjectDep,
    version: VersionDep,
    caller: RegistryReader,
    registry: RegistryDep,
    trail: TrailDep,
) -> Response:
    ids = registry.referenced_by(subject=subject, version=version)
    trail.served(
        len(ids), f"listed the {len(ids)} schemas referring to {subject} version {version}"
    )
    return RegistryJSON(ids)


@router.delete("/subjects/{subject:path}/versions/{version}", name="registry.version.delete")
def delete_version(
    subject: SubjectDep,
    version: VersionDep,
    caller: RegistryWriter,
    registry: RegistryDep,
    trail: TrailDep,
    permanent: PermanentFlag,
) -> Response:
    deleted = registry.delete_version(subject=subject, version=version, permanent=permanent)
    how = "permanently deleted" if permanent else "deleted"
    trail.served(1, f"{how} {subject} version {deleted}")
    return RegistryJSON(deleted)
