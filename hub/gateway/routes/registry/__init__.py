"""The Confluent Schema Registry REST API, served under ``/registry``: one module per resource.

Subjects are routed with the ``path`` converter, so a subject holding ``/`` (sent as
``%2F``) reaches its route; for that the routes under ``/subjects/{subject}/versions``
must come before ``/subjects/{subject}``, which the order below keeps.
"""

from fastapi import APIRouter

from hub.gateway.routes.registry import compatibility, config, meta, schemas, subjects, versions

ROUTERS: tuple[APIRouter, ...] = tuple(
    module.router for module in (meta, versions, subjects, schemas, config, compatibility)
)

__all__ = ["ROUTERS"]
