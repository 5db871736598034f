"""Dependency aliases, so that route signatures read as domain language.

Two kinds live here. Service aliases (``PolicyDep``, ``RegistryDep`` ...) hand a route
the one piece of the running gateway it needs. Access aliases (``CatalogueReader``,
``DecisionDep``, ``RegistryWriter`` ...) authenticate the caller, make the policy
decision once and record both on the request's audit trail; a route that serves
anything depends on exactly one of them, or the audit middleware refuses its answer.

The cheap ones are ``async``: FastAPI runs a plain ``def`` dependency in the thread pool,
a hop per dependency per request; what verifies a token or a secret stays ``def``.

The parts that read the archive or the audit log (``EventsDep``, ``AuditLogDep`` ...)
come with a place of the database bulkhead, held until the request's answer is made: a
route that uses one is held to those places by construction (see bulkheads.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import Depends, Header, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from hub.archive.history import History
from hub.audit.log import AuditLog
from hub.audit.monitor import ChainMonitor
from hub.audit.proofs import AuditProofs
from hub.audit.reviews import ReviewService
from hub.config import Settings
from hub.coordination.accesses import IncidentAccesses
from hub.coordination.acks import AckBook
from hub.coordination.facts import CoordinationFacts
from hub.coordination.receipts import ReceiptBook
from hub.emergencies.service import EmergencyService
from hub.errors import AuthenticationFailed, BadRequest, Forbidden, NotFound, TooManyRequests
from hub.gateway.auditing import AuditTrail, trail_of
from hub.gateway.auth.basic import parse_basic
from hub.gateway.auth.server import TokenIssuer
from hub.gateway.bulkheads import Bulkhead
from hub.gateway.events import EventPages
from hub.gateway.live_stream import LiveStream
from hub.gateway.publishing import Publishing
from hub.gateway.readiness import Readiness
from hub.gateway.services import GatewayServices
from hub.identity import (
    AUDIT_READ,
    AUDIT_REVIEW,
    EMERGENCY_DECLARE,
    REGISTRY_ADMIN,
    REGISTRY_WRITE,
    STREAMS_PUBLISH,
    STREAMS_READ,
    Caller,
)
from hub.policy.decision import StreamAccess, decide
from hub.policy.emergency import DeclaredEmergency
from hub.policy.holder import PolicyHolder
from hub.policy.model import STREAM_ID, Policy
from hub.policy.plan_cache import PlanCache
from hub.registry import errors as registry_errors
from hub.registry.cache import SchemaCache
from hub.registry.entities import NAME_PATTERN, is_name
from hub.registry.service import RegistryService

#: The length of the registry's subject column.
SUBJECT_MAX = 255
#: The largest seq, id or tree size a parameter may name: a BIGINT column's largest value.
ROW_MAX = 2**63 - 1


async def _services(request: Request) -> GatewayServices:
    services: GatewayServices = request.app.state.services
    return services


ServicesDep = Annotated[GatewayServices, Depends(_services)]


async def _trail(request: Request) -> AuditTrail:
    return trail_of(request)


def _part(name: str) -> Callable[[GatewayServices], Any]:
    """A dependency handing out one of the running gateway's parts, by name."""

    async def part(services: ServicesDep) -> Any:
        return getattr(services, name)

    part.__name__ = f"{name}_part"
    return part


async def _database_place(services: ServicesDep) -> AsyncIterator[None]:
    # One per request (FastAPI caches a dependency within a request), however many of
    # the database's parts the route uses.
    async with services.database_work.place():
        yield


DatabasePlace = Annotated[None, Depends(_database_place)]


def _database_part(name: str) -> Callable[..., Any]:
    """Like ``_part``, for a part that reads the database at length: it comes with a
    place of the database bulkhead."""

    async def part(services: ServicesDep, _: DatabasePlace) -> Any:
        return getattr(services, name)

    part.__name__ = f"{name}_part"
    return part


async def _policy(services: ServicesDep) -> Policy:
    return services.policies.current


SettingsDep = Annotated[Settings, Depends(_part("settings"))]
PolicyDep = Annotated[Policy, Depends(_policy)]
PoliciesDep = Annotated[PolicyHolder, Depends(_part("policies"))]
EmergenciesDep = Annotated[EmergencyService, Depends(_part("emergencies"))]
ReviewsDep = Annotated[ReviewService, Depends(_part("reviews"))]
PlansDep = Annotated[PlanCache, Depends(_part("plans"))]
SchemasDep = Annotated[SchemaCache, Depends(_part("schemas"))]
AuditLogDep = Annotated[AuditLog, Depends(_database_part("audit_log"))]
RegistryDep = Annotated[RegistryService, Depends(_part("registry"))]
EventsDep = Annotated[EventPages, Depends(_database_part("events"))]
AcksDep = Annotated[AckBook, Depends(_database_part("acks"))]
FactsDep = Annotated[CoordinationFacts, Depends(_database_part("coordination"))]
AccessesDep = Annotated[IncidentAccesses, Depends(_database_part("accesses"))]
LiveDep = Annotated[LiveStream, Depends(_part("live"))]
PublishingDep = Annotated[Publishing, Depends(_part("publishing"))]
KafkaWorkDep = Annotated[Bulkhead, Depends(_part("kafka_work"))]
HistoryDep = Annotated[History, Depends(_database_part("history"))]
ReadinessDep = Annotated[Readiness, Depends(_part("readiness"))]
ReceiptsDep = Annotated[ReceiptBook, Depends(_database_part("receipts"))]
IssuerDep = Annotated[TokenIssuer, Depends(_part("issuer"))]
JwksDep = Annotated[dict[str, Any], Depends(_part("jwks"))]
AuditKeysDep = Annotated[dict[str, Any], Depends(_part("audit_keys"))]
ProofsDep = Annotated[AuditProofs, Depends(_database_part("proofs"))]
MonitorDep = Annotated[ChainMonitor, Depends(_database_part("monitor"))]
TrailDep = Annotated[AuditTrail, Depends(_trail)]


# Who is calling


def authenticated_caller(request: Request, services: ServicesDep, trail: TrailDep) -> Caller:
    """The verified caller of a bearer token; anything else is a 401."""
    header = request.headers.get("authorization")
    if not header:
        raise AuthenticationFailed("no bearer token was sent", token_sent=False)
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed("the Authorization header is not a bearer token")
    caller = services.verifier.verify(token.strip())
    trail.caller = caller
    _within_rate(services, caller, trail)
    return caller


CallerDep = Annotated[Caller, Depends(authenticated_caller)]


def _within_rate(services: GatewayServices, caller: Caller, trail: AuditTrail) -> None:
    """Every authenticated request counts against its client's rate, here, once."""
    try:
        services.limits.take(caller.client_id)
    except TooManyRequests as exc:
        trail.deny(exc.message)
        raise


def registry_caller(request: Request, services: ServicesDep, trail: TrailDep) -> Caller:
    """Schema Registry clients send a bearer token, or Basic with a client's id and secret."""
    scheme, _, credentials = request.headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "basic":
        return authenticated_caller(request, services, trail)
    with contextlib.suppress(ValueError):
        trail.claimed_client = parse_basic(credentials)[0]  # for the row, never trusted
    caller = services.basic.authenticate(credentials)
    trail.caller = caller
    _within_rate(services, caller, trail)
    return caller


RegistryCallerDep = Annotated[Caller, Depends(registry_caller)]


def require_scope(caller: Caller, scope: str, trail: AuditTrail) -> None:
    if scope not in caller.scopes:
        reason = f"token lacks scope {scope}"
        trail.deny(reason)
        raise Forbidden(reason)


# What the caller may do: each of these is a decision, recorded on the trail


async def audit_reader(caller: CallerDep, trail: TrailDep) -> Caller:
    require_scope(caller, AUDIT_READ, trail)
    trail.allow(f"scope {AUDIT_READ}")
    return caller


async def catalogue_reader(caller: CallerDep, trail: TrailDep) -> Caller:
    require_scope(caller, STREAMS_READ, trail)
    trail.allow(f"scope {STREAMS_READ}: the streams {caller.agency} may read")
    return caller


StreamIdParam = Annotated[
    str, Path(pattern=STREAM_ID, description="agency.stream, e.g. meteorology.warning")
]
PURPOSE = r"^[a-z][a-z0-9-]{1,40}$"


async def requested_purpose(
    purpose: Annotated[
        str | None,
        Query(pattern=PURPOSE, description="why you read; or the Linkage-Purpose header"),
    ] = None,
    header: Annotated[
        str | None, Header(alias="Linkage-Purpose", pattern=PURPOSE, include_in_schema=False)
    ] = None,
) -> str | None:
    """The purpose a request names, by query parameter or header (they must agree)."""
    if purpose and header and purpose != header:
        raise BadRequest(f"the purpose parameter ({purpose}) and header ({header}) differ")
    return purpose or header


PurposeDep = Annotated[str | None, Depends(requested_purpose)]


async def declared_now(emergencies: EmergencyService) -> tuple[DeclaredEmergency, ...]:
    """The emergencies in force: known from the last second, or read off the event loop."""
    declared = emergencies.cached_in_force()
    if declared is None:
        declared = await run_in_threadpool(emergencies.in_force)
    return declared


async def _decided(
    action: str,
    stream: str,
    caller: Caller,
    purpose: str | None,
    policies: PolicyHolder,
    emergencies: EmergencyService,
    trail: AuditTrail,
) -> StreamAccess:
    """Resolve the stream once and decide once; the route gets both, and the policy."""
    require_scope(caller, STREAMS_READ, trail)
    policy = policies.current
    trail.stream, trail.purpose, trail.policy_version = stream, purpose, policy.version
    entry = policy.stream(stream)
    if entry is None:
        reason = f"stream {stream} is not in the catalogue"
        trail.deny(reason)
        raise NotFound(reason)
    decision = decide(
        policy,
        agency=caller.agency,
        stream=entry,
        action=action,
        purpose=purpose,
        emergencies=await declared_now(emergencies),
    )
    if not decision.allowed:
        trail.deny(decision.reason)
        raise Forbidden(decision.reason)
    trail.allow(decision.reason)
    trail.purpose, trail.grant_id = decision.purpose, decision.grant_id
    if decision.emergencies:
        trail.emergency_id = ",".join(e.id for e in decision.emergencies)
        trail.review_required = True
    return StreamAccess(caller, entry, decision, policy)


async def stream_access(
    stream: StreamIdParam,
    caller: CallerDep,
    purpose: PurposeDep,
    policies: PoliciesDep,
    emergencies: EmergenciesDep,
    trail: TrailDep,
) -> StreamAccess:
    """May the caller read the stream's events (pages, timelines)?"""
    return await _decided("read", stream, caller, purpose, policies, emergencies, trail)


async def stream_subscription(
    stream: StreamIdParam,
    caller: CallerDep,
    purpose: PurposeDep,
    policies: PoliciesDep,
    emergencies: EmergenciesDep,
    trail: TrailDep,
) -> StreamAccess:
    """May the caller follow the stream live? A grant says so with ``subscribe``."""
    return await _decided("subscribe", stream, caller, purpose, policies, emergencies, trail)


async def stream_publisher(
    stream: StreamIdParam, caller: CallerDep, policies: PoliciesDep, trail: TrailDep
) -> StreamAccess:
    """Publishing needs ``streams:publish``, and only the stream's owner publishes to it."""
    require_scope(caller, STREAMS_PUBLISH, trail)
    policy = policies.current
    trail.stream, trail.policy_version = stream, policy.version
    entry = policy.stream(stream)
    if entry is None:
        reason = f"stream {stream} is not in the catalogue"
        trail.deny(reason)
        raise NotFound(reason)
    decision = decide(policy, agency=caller.agency, stream=entry, action="publish")
    if not decision.allowed:
        trail.deny(decision.reason)
        raise Forbidden(decision.reason)
    trail.allow(f"scope {STREAMS_PUBLISH}; {decision.reason}")
    return StreamAccess(caller, entry, decision, policy)


async def subject_name(
    subject: Annotated[
        str,
        Path(
            description="a subject; send a `/` inside it as `%2F`",
            # Documented, not enforced here: the check below answers Confluent's 42208.
            json_schema_extra={"pattern": NAME_PATTERN},
        ),
    ],
) -> str:
    """The subject, decoded from the raw path segment the registry routes captured.

    A literal ``/`` there is a path separator, so a path with one is no route at all (as
    in Confluent's registry); only an encoded one belongs to the subject.
    """
    if "/" in subject:
        raise NotFound("no such route; send a '/' inside a subject as %2F")
    name = unquote(subject)
    if not is_name(name):
        why = (
            f"a subject is 1 to {SUBJECT_MAX} characters, none a control character "
            "or a line separator"
        )
        raise registry_errors.invalid_subject(name, why)
    return name


SubjectDep = Annotated[str, Depends(subject_name)]


async def registry_reader(caller: RegistryCallerDep, trail: TrailDep) -> Caller:
    """Schemas are shared metadata: any authenticated client may read them."""
    trail.allow("any authenticated client may read the registry")
    return caller


def _writer_refusal(caller: Caller, subject: str | None) -> str | None:
    if REGISTRY_ADMIN in caller.scopes:
        return None
    if REGISTRY_WRITE not in caller.scopes:
        return f"token lacks scope {REGISTRY_WRITE}"
    if subject is None:
        return f"changing the global configuration needs scope {REGISTRY_ADMIN}"
    if not subject.startswith(f"{caller.agency}."):
        return f"agency {caller.agency} may only change subjects that start with '{caller.agency}.'"
    return None


def _registry_changer(subject: str | None, caller: Caller, trail: AuditTrail) -> Caller:
    refusal = _writer_refusal(caller, subject)
    if refusal:
        trail.deny(refusal)
        raise Forbidden(refusal)
    scope = REGISTRY_ADMIN if REGISTRY_ADMIN in caller.scopes else REGISTRY_WRITE
    trail.allow(f"scope {scope} on {subject or 'the global configuration'}")
    return caller


async def registry_writer(
    subject: SubjectDep, caller: RegistryCallerDep, trail: TrailDep
) -> Caller:
    """Writing needs ``registry:write`` and an agency writes only its own subjects;
    ``registry:admin`` (hub operators) may change any subject."""
    return _registry_changer(subject, caller, trail)


async def registry_admin(caller: RegistryCallerDep, trail: TrailDep) -> Caller:
    """The registry's global configuration is for hub operators only."""
    return _registry_changer(None, caller, trail)


async def emergency_declarer(caller: CallerDep, policy: PolicyDep, trail: TrailDep) -> Caller:
    """Declaring needs ``emergency:declare``, held by a client of an agency that declares."""
    require_scope(caller, EMERGENCY_DECLARE, trail)
    agency = policy.agency(caller.agency)
    if agency is None or not agency.declares_emergencies:
        reason = f"agency {caller.agency} does not declare emergencies"
        trail.deny(reason)
        raise Forbidden(reason)
    trail.allow(f"scope {EMERGENCY_DECLARE}; {caller.agency} declares emergencies")
    return caller


async def emergency_reader(caller: CallerDep, trail: TrailDep) -> Caller:
    """Which emergencies are declared is for every agency to know."""
    trail.allow("any authenticated client may see the emergencies declared")
    return caller


async def reviewer(caller: CallerDep, trail: TrailDep) -> Caller:
    require_scope(caller, AUDIT_REVIEW, trail)
    trail.allow(f"scope {AUDIT_REVIEW}")
    return caller


async def chain_reader(caller: CallerDep, trail: TrailDep) -> Caller:
    """Checkpoints and consistency proofs are hashes only: any agency may witness the log."""
    trail.allow("any authenticated client may witness the audit log (hashes only)")
    return caller


async def anyone(trail: TrailDep) -> None:
    """For the few audited endpoints that serve no data and need no credentials."""
    trail.allow("open endpoint: serves no data")


AuditReader = Annotated[Caller, Depends(audit_reader)]
EmergencyDeclarer = Annotated[Caller, Depends(emergency_declarer)]
EmergencyReader = Annotated[Caller, Depends(emergency_reader)]
Reviewer = Annotated[Caller, Depends(reviewer)]
CatalogueReader = Annotated[Caller, Depends(catalogue_reader)]
DecisionDep = Annotated[StreamAccess, Depends(stream_access)]
SubscriptionDep = Annotated[StreamAccess, Depends(stream_subscription)]
PublisherDep = Annotated[StreamAccess, Depends(stream_publisher)]
RegistryReader = Annotated[Caller, Depends(registry_reader)]
RegistryWriter = Annotated[Caller, Depends(registry_writer)]
RegistryAdmin = Annotated[Caller, Depends(registry_admin)]
Anyone = Annotated[None, Depends(anyone)]
ChainReader = Annotated[Caller, Depends(chain_reader)]

#: The access dependencies, for tests that check every route uses one.
ACCESS_DEPENDENCIES: tuple[Callable[..., Any], ...] = (
    audit_reader,
    emergency_declarer,
    emergency_reader,
    reviewer,
    catalogue_reader,
    stream_access,
    stream_subscription,
    stream_publisher,
    registry_reader,
    registry_writer,
    registry_admin,
    chain_reader,
    anyone,
)
