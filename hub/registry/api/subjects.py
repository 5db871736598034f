"""/subjects: list, register, look up, read and delete versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from hub.gateway.auth.tokens import Caller
from hub.gateway.deps import RuntimeDep
from hub.gateway.runtime import Runtime
from hub.registry import commands, queries
from hub.registry.api.deps import (
    RegistryCaller,
    SessionDep,
    deletion_filter,
    flag,
    performed,
    request_schema,
    require_writer,
)
from hub.registry.api.responses import RegistryJSON, raw_schema
from hub.registry.entities import SubjectSchema, parse_version
from hub.registry.parse import fingerprint

router = APIRouter(tags=["schema registry"])
T = TypeVar("T")


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
        lambda: queries.list_subjects(session, prefix=subjectPrefix, **deletion_filter(request)),
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
        lambda: queries.subject_versions(session, subject=subject, **deletion_filter(request)),
        lambda found: f"listed versions of {subject}",
        count=len,
    )
    return RegistryJSON([row.version for row in rows])


@router.post("/subjects/{subject}/versions", name="registry.register")
async def register(
    request: Request, subject: str, caller: RegistryCaller, runtime: RuntimeDep
) -> Response:
    await run_in_threadpool(require_writer, request, caller, subject)
    text, schema_type = await request_schema(request, caller)

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
    text, schema_type = await request_schema(request, caller)
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


def _read_version(
    request: Request, caller: Caller, session: Session, subject: str, version: str, *, deleted: bool
) -> SubjectSchema:
    return performed(
        request,
        caller,
        lambda: queries.get_version(
            session, subject=subject, version=parse_version(version), deleted=deleted
        ),
        lambda r: f"read {subject} version {r.version}",
    )


@router.get("/subjects/{subject}/versions/{version}", name="registry.version.get")
def get_version(
    request: Request, subject: str, version: str, caller: RegistryCaller, session: SessionDep
) -> Response:
    found = _read_version(
        request, caller, session, subject, version, deleted=flag(request, "deleted")
    )
    return RegistryJSON(_version_body(found))


@router.get("/subjects/{subject}/versions/{version}/schema", name="registry.version.schema")
def get_version_schema(
    request: Request, subject: str, version: str, caller: RegistryCaller, session: SessionDep
) -> Response:
    found = _read_version(
        request, caller, session, subject, version, deleted=flag(request, "deleted")
    )
    return raw_schema(found.text)


@router.get(
    "/subjects/{subject}/versions/{version}/referencedby", name="registry.version.referencedby"
)
def referenced_by(
    request: Request, subject: str, version: str, caller: RegistryCaller, session: SessionDep
) -> Response:
    _read_version(request, caller, session, subject, version, deleted=True)
    return RegistryJSON([])  # schemas here are self-contained: nothing refers to another


@router.delete("/subjects/{subject}", name="registry.subject.delete")
def delete_subject(
    request: Request, subject: str, caller: RegistryCaller, runtime: RuntimeDep
) -> Response:
    permanent = flag(request, "permanent")
    deleted = _delete(
        request,
        caller,
        runtime,
        subject,
        lambda s: commands.delete_subject(s, subject=subject, permanent=permanent),
        f"{'permanently ' if permanent else ''}deleted {subject} versions",
    )
    return RegistryJSON(deleted)


@router.delete("/subjects/{subject}/versions/{version}", name="registry.version.delete")
def delete_version(
    request: Request, subject: str, version: str, caller: RegistryCaller, runtime: RuntimeDep
) -> Response:
    permanent = flag(request, "permanent")
    deleted = _delete(
        request,
        caller,
        runtime,
        subject,
        lambda s: commands.delete_version(
            s, subject=subject, version=parse_version(version), permanent=permanent
        ),
        f"{'permanently ' if permanent else ''}deleted {subject} version",
    )
    return RegistryJSON(deleted)


def _delete(
    request: Request,
    caller: Caller,
    runtime: Runtime,
    subject: str,
    action: Callable[[Session], T],
    what: str,
) -> T:
    require_writer(request, caller, subject)
    return performed(
        request,
        caller,
        lambda: commands.in_transaction(runtime.sessions, action),
        lambda r: f"{what} {r}",
        count=lambda r: len(r) if isinstance(r, list) else 1,
    )
