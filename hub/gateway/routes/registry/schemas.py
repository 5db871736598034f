"""/schemas: schemas by their global id (what deserializers ask for)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.responses import Response

from hub.gateway.deps import RegistryDep, RegistryReader, TrailDep
from hub.gateway.problem_types import REGISTRY_PREFIX
from hub.gateway.routes.registry.requests import DeletedFlag, SchemaIdParam
from hub.gateway.routes.registry.responses import RegistryJSON, raw_schema, schema_body
from hub.registry.entities import StoredSchema

router = APIRouter(prefix=REGISTRY_PREFIX, tags=["schema registry"])


@router.get("/schemas/types", name="registry.schema_types")
def schema_types(caller: RegistryReader) -> Response:
    return RegistryJSON(["AVRO"])


def _schema(schema_id: SchemaIdParam, registry: RegistryDep, trail: TrailDep) -> StoredSchema:
    found = registry.schema(schema_id)
    trail.served(1, f"read schema {schema_id}")
    return found


SchemaById = Annotated[StoredSchema, Depends(_schema)]


@router.get("/schemas/ids/{schema_id}", name="registry.schema.get")
def get_schema(caller: RegistryReader, found: SchemaById) -> Response:
    """The ``subject`` query parameter is accepted and ignored: ids are global here."""
    return RegistryJSON(schema_body(found))


@router.get("/schemas/ids/{schema_id}/schema", name="registry.schema.raw")
def get_schema_raw(caller: RegistryReader, found: SchemaById) -> Response:
    return raw_schema(found.text)


def _uses(
    schema_id: SchemaIdParam, registry: RegistryDep, trail: TrailDep, deleted: DeletedFlag
) -> list[tuple[str, int]]:
    """The (subject, version) pairs that hold the schema."""
    uses = registry.schema_uses(schema_id=schema_id, deleted=deleted)
    trail.served(len(uses), f"listed the subjects using schema {schema_id}")
    return uses


SchemaUses = Annotated[list[tuple[str, int]], Depends(_uses)]


@router.get("/schemas/ids/{schema_id}/versions", name="registry.schema.versions")
def schema_versions(caller: RegistryReader, uses: SchemaUses) -> Response:
    return RegistryJSON([{"subject": subject, "version": version} for subject, version in uses])


@router.get("/schemas/ids/{schema_id}/subjects", name="registry.schema.subjects")
def schema_subjects(caller: RegistryReader, uses: SchemaUses) -> Response:
    return RegistryJSON(sorted({subject for subject, _ in uses}))
