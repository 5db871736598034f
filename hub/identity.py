"""Who is calling: a verified client of one agency, and the scopes a client may hold.

The gateway builds a :class:`Caller` from a token or a Basic pair; the policy engine and
the registry's write rules read it. Neither needs to know how the caller was verified.
"""

from __future__ import annotations

from dataclasses import dataclass

STREAMS_READ = "streams:read"
STREAMS_PUBLISH = "streams:publish"
AUDIT_READ = "audit:read"
REGISTRY_WRITE = "registry:write"
REGISTRY_ADMIN = "registry:admin"
AUDIT_REVIEW = "audit:review"
EMERGENCY_DECLARE = "emergency:declare"
COORDINATION_READ = "coordination:read"

#: Each scope unlocks one family of endpoints; the text is what OAuth metadata shows.
SCOPES: dict[str, str] = {
    STREAMS_READ: "list the streams the agency may read and read their events",
    STREAMS_PUBLISH: "publish events to the agency's own streams over HTTP",
    AUDIT_READ: "read the audit log of every gateway decision",
    REGISTRY_WRITE: "register and delete the agency's own schema subjects and their settings",
    REGISTRY_ADMIN: "change any schema subject and the registry's global settings (hub operators)",
    AUDIT_REVIEW: "record verdicts on the reads that emergency grants allowed",
    EMERGENCY_DECLARE: "declare and close emergencies (Emergency Management Bureau clients)",
    COORDINATION_READ: "see who shares with whom and how fast (the console's coordination pages)",
}


@dataclass(frozen=True, slots=True)
class Caller:
    """A verified client; ``token_id`` is the token's ``jti`` (``basic`` for a Basic pair)."""

    client_id: str
    agency: str
    scopes: frozenset[str]
    token_id: str
    #: When the credential stops being valid (epoch seconds); a live feed ends then.
    expires_at: float | None = None


def parse_scopes(text: str | None) -> frozenset[str]:
    return frozenset((text or "").split())


def unknown_scopes(scopes: frozenset[str]) -> list[str]:
    return sorted(scopes - SCOPES.keys())
