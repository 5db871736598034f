"""The Confluent Schema Registry REST API, served by the gateway under ``/registry``."""

from fastapi import APIRouter

from hub.registry.api import compatibility, config, meta, schemas, subjects

router = APIRouter(prefix="/registry")
for module in (meta, subjects, schemas, config, compatibility):
    router.include_router(module.router)

__all__ = ["router"]
