"""The scopes a client may hold; each unlocks one family of endpoints."""

from __future__ import annotations

STREAMS_READ = "streams:read"
AUDIT_READ = "audit:read"
REGISTRY_WRITE = "registry:write"
REGISTRY_ADMIN = "registry:admin"

SCOPES: dict[str, str] = {
    STREAMS_READ: "list the streams the agency may read and read their events",
    AUDIT_READ: "read the audit log of every gateway decision",
    REGISTRY_WRITE: "register and delete the agency's own schema subjects and their settings",
    REGISTRY_ADMIN: "change any schema subject and the registry's global settings (hub operators)",
}


def parse_scopes(text: str | None) -> frozenset[str]:
    return frozenset((text or "").split())


def unknown_scopes(scopes: frozenset[str]) -> list[str]:
    return sorted(scopes - SCOPES.keys())
