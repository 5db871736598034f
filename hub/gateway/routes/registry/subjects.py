"""/subjects and /subjects/{subject}: list subjects, look a schema up, delete a subject."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from hub.gateway.deps import RegistryDep, RegistryReader, RegistryWriter, SubjectDep, TrailDep
from hub.gateway.problem_types import REGISTRY_PREFIX
from hub.gateway.routes.registry.requests import (
    SCHEMA_BODY_DOC,
    DeletedFlag,
    DeletionFilterDep,
    PermanentFlag,
    SchemaBody,
)
from hub.gateway.routes.registry.responses import RegistryJSON, version_body
from hub.registry.entities import SUBJECT_MAX

router = APIRouter(prefix=REGISTRY_PREFIX, tags=["schema registry"])


@router.get("/subjects", name="registry.subjects.list")
def list_subjects(
    caller: RegistryReader,
    registry: RegistryDep,
    trail: TrailDep,
    shown: DeletionFilterDep,
    subjectPrefix: Annotated[
        str, Query(max_length=SUBJECT_MAX, description="only subjects that start with this")
    ] = "",
) -> Response:
    subjects = registry.subjects(
        prefix=subjectPrefix, deleted=shown.deleted, deleted_only=shown.deleted_only
    )
    trail.served(len(subjects), f"listed {len(subjects)} subjects")
    return RegistryJSON(subjects)


@router.post(
    "/subjects/{subject:path}",
    name="registry.lookup",
    openapi_extra={"requestBody": SCHEMA_BODY_DOC},
)
def lookup(
    subject: SubjectDep,
    caller: RegistryReader,
    registry: RegistryDep,
    trail: TrailDep,
    body: SchemaBody,
    deleted: DeletedFlag,
) -> Response:
    found = registry.lookup(subject=subject, submitted=body, deleted=deleted)
    trail.served(1, f"looked up {subject}: version {found.version}, id {found.schema_id}")
    return RegistryJSON(version_body(found))


@router.delete("/subjects/{subject:path}", name="registry.subject.delete")
def delete_subject(
    subject: SubjectDep,
    caller: RegistryWriter,
    registry: RegistryDep,
    trail: TrailDep,
    permanent: PermanentFlag,
) -> Response:
    versions = registry.delete_subject(subject=subject, permanent=permanent)
    how = "permanently deleted" if permanent else "deleted"
    trail.served(len(versions), f"{how} {subject} versions {versions}")
    return RegistryJSON(versions)
