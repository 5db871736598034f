"""/schemas: schemas by their global id (what deserializers ask for)."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from hub.gateway.auditing import audit
from hub.gateway.auth.tokens import Caller
from hub.registry import queries
from hub.registry.api.deps import RegistryCaller, SessionDep, flag, performed
from hub.registry.api.responses import RegistryJSON, raw_schema
from hub.registry.entities import StoredSchema

router = APIRouter(tags=["schema registry"])
SchemaId = Path(ge=1, le=2**31 - 1)


@router.get("/schemas/types", name="registry.schema_types")
def schema_types(request: Request, caller: RegistryCaller) -> Response:
    audit(request, allowed=True, reason="listed schema types", status=200, caller=caller)
    return RegistryJSON(["AVRO"])


def _read(request: Request, caller: Caller, session: Session, schema_id: int) -> StoredSchema:
    return performed(
        request,
        caller,
        lambda: queries.schema_by_id(session, schema_id=schema_id),
        lambda r: f"read schema {r.schema_id}",
    )


@router.get("/schemas/ids/{schema_id}", name="registry.schema.get")
def get_schema(
    request: Request, caller: RegistryCaller, session: SessionDep, schema_id: int = SchemaId
) -> Response:
    """The ``subject`` query parameter is accepted and ignored: ids are global here."""
    return RegistryJSON({"schema": _read(request, caller, session, schema_id).text})


@router.get("/schemas/ids/{schema_id}/schema", name="registry.schema.raw")
def get_schema_raw(
    request: Request, caller: RegistryCaller, session: SessionDep, schema_id: int = SchemaId
) -> Response:
    return raw_schema(_read(request, caller, session, schema_id).text)


def _uses(
    request: Request, caller: RegistryCaller, session: SessionDep, schema_id: int
) -> list[tuple[str, int]]:
    return performed(
        request,
        caller,
        lambda: queries.versions_of_schema(
            session, schema_id=schema_id, deleted=flag(request, "deleted")
        ),
        lambda r: f"listed subjects using schema {schema_id}",
        count=len,
    )


@router.get("/schemas/ids/{schema_id}/versions", name="registry.schema.versions")
def schema_versions(
    request: Request, caller: RegistryCaller, session: SessionDep, schema_id: int = SchemaId
) -> Response:
    pairs = _uses(request, caller, session, schema_id)
    return RegistryJSON([{"subject": subject, "version": version} for subject, version in pairs])


@router.get("/schemas/ids/{schema_id}/subjects", name="registry.schema.subjects")
def schema_subjects(
    request: Request, caller: RegistryCaller, session: SessionDep, schema_id: int = SchemaId
) -> Response:
    return RegistryJSON(
        sorted({subject for subject, _ in _uses(request, caller, session, schema_id)})
    )
