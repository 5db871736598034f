"""/subjects: list, register, look up, read and delete versions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from hub.gateway.deps import RuntimeDep
from hub.registry import commands, queries
from hub.registry.api.deps import (
    RegistryCaller,
    SessionDep,
    flag,
    json_body,
    performed,
    require_writer,
    schema_text,
)
from hub.registry.api.responses import RegistryJSON, raw_schema
from hub.registry.entities import SubjectSchema, parse_version
from hub.registry.parse import fingerprint

router = APIRouter(tags=["schema registry"])


def _version_body(found: SubjectSchema) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject": found.subject,
        "version": found.version,
        "id": found.schema_id,
        "schema": found.text,
    }
    if found.schema_type != "AVRO":
        body["schemaType"] = found.schema_type
    return body


@router.get("/subjects", name="registry.subjects.list")
def list_subjects(
    request: Request, caller: RegistryCaller, session: SessionDep, subjectPrefix: str = ""
) -> Response:
    subjects = performed(
        request,
        caller,
        lambda: queries.list_subjects(
            session,
            prefix=subjectPrefix,
            deleted=flag(request, "deleted"),
            deleted_only=flag(request, "deletedOnly", "deleted_only"),
        ),
        lambda found: f"listed {len(found)} subjects",
        count=len,
    )
    return RegistryJSON(subjects)


@router.get("/subjects/{subject}/versions", name="registry.versions.list")
def list_versions(
    request: Request, subject: str, caller: RegistryCaller, session: SessionDep
) -> Response:
    rows = performed(
        request,
        caller,
        lambda: queries.subject_versions(
            session,
            subject=subject,
            deleted=flag(request, "deleted"),
            deleted_only=flag(request, "deletedOnly", "deleted_only"),
        ),
        lambda found: f"listed versions of {subject}",
        count=len,
    )
    return RegistryJSON([row.version for row in rows])


@router.post("/subjects/{subject}/versions", name="registry.register")
async def register(
    request: Request, subject: str, caller: RegistryCaller, runtime: RuntimeDep
) -> Response:
    await run_in_threadpool(require_writer, request, caller, subject)
    text, schema_type = schema_text(await json_body(request))

    def work() -> SubjectSchema:
        return commands.in_transaction(
            runtime.sessions,
            lambda s: commands.register(s, subject=subject, text=text, schema_type=schema_type),
        )

    done = await run_in_threadpool(
        performed,
        request,
        caller,
        work,
        lambda r: f"registered {subject} version {r.version} as id {r.schema_id}",
    )
    return RegistryJSON({"id": done.schema_id, "version": done.version})


@router.post("/subjects/{subject}", name="registry.lookup")
async def lookup(
    request: Request, subject: str, caller: RegistryCaller, runtime: RuntimeDep
) -> Response:
    text, schema_type = schema_text(await json_body(request))
    deleted = flag(request, "deleted")

    def work() -> SubjectSchema:
        parsed = commands.parse_for_registry(text, schema_type)
        with runtime.sessions() as session:
            schema_id = queries.schema_id_for(session, digest=fingerprint(parsed))
            return queries.lookup(session, subject=subject, schema_id=schema_id, deleted=deleted)

    found = await run_in_threadpool(
        performed,
        request,
        caller,
        work,
        lambda r: f"looked up {subject}: version {r.version}, id {r.schema_id}",
    )
    return RegistryJSON(_version_body(found))


@router.get("/subjects/{subject}/versions/{version}", name="registry.version.get")
def get_version(
    request: Request, subject: str, version: str, caller: RegistryCaller, session: SessionDep
) -> Response:
    found = performed(
        request,
        caller,
        lambda: queries.get_version(
            session,
            subject=subject,
            version=parse_version(version),
            deleted=flag(request, "deleted"),
        ),
        lambda r: f"read {subject} version {r.version}",
    )
    return RegistryJSON(_version_body(found))


@router.get("/subjects/{subject}/versions/{version}/schema", name="registry.version.schema")
def get_version_schema(
    request: Request, subject: str, version: str, caller: RegistryCaller, session: SessionDep
) -> Response:
    found = performed(
        request,
        caller,
        lambda: queries.get_version(
            session,
            subject=subject,
            version=parse_version(version),
            deleted=flag(request, "deleted"),
        ),
        lambda r: f"read {subject} version {r.version}",
    )
    return raw_schema(found.text)


@router.get(
    "/subjects/{subject}/versions/{version}/referencedby", name="registry.version.referencedby"
)
def referenced_by(
    request: Request, subject: str, version: str, caller: RegistryCaller, session: SessionDep
) -> Response:
    performed(
        request,
        caller,
        lambda: queries.get_version(
            session, subject=subject, version=parse_version(version), deleted=True
        ),
        lambda r: f"read references to {subject} version {r.version}",
    )
    return RegistryJSON([])  # schemas here are self-contained: nothing refers to another


@router.delete("/subjects/{subject}", name="registry.subject.delete")
def delete_subject(
    request: Request, subject: str, caller: RegistryCaller, runtime: RuntimeDep
) -> Response:
    require_writer(request, caller, subject)
    permanent = flag(request, "permanent")
    deleted = performed(
        request,
        caller,
        lambda: commands.in_transaction(
            runtime.sessions,
            lambda s: commands.delete_subject(s, subject=subject, permanent=permanent),
        ),
        lambda r: f"{'permanently ' if permanent else ''}deleted {subject} versions {r}",
        count=len,
    )
    return RegistryJSON(deleted)


@router.delete("/subjects/{subject}/versions/{version}", name="registry.version.delete")
def delete_version(
    request: Request, subject: str, version: str, caller: RegistryCaller, runtime: RuntimeDep
) -> Response:
    require_writer(request, caller, subject)
    permanent = flag(request, "permanent")
    number = parse_version(version)
    deleted = performed(
        request,
        caller,
        lambda: commands.in_transaction(
            runtime.sessions,
            lambda s: commands.delete_version(
                s, subject=subject, version=number, permanent=permanent
            ),
        ),
        lambda r: f"{'permanently ' if permanent else ''}deleted {subject} version {r}",
    )
    return RegistryJSON(deleted)
