"""Who is calling the registry, what they may do, and how their requests are read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import Depends, Request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from hub.errors import AuthenticationFailed, BrokerUnavailable, Forbidden, StoreUnavailable
from hub.gateway.auditing import audit
from hub.gateway.auth.scopes import REGISTRY_ADMIN, REGISTRY_WRITE
from hub.gateway.auth.tokens import Caller
from hub.gateway.bodies import BodyTooLarge, read_limited
from hub.gateway.deps import RuntimeDep, authenticated_caller
from hub.registry import errors

T = TypeVar("T")
MAX_BODY_BYTES = 256 * 1024
JSON_TYPES = (
    "application/vnd.schemaregistry.v1+json",
    "application/vnd.schemaregistry+json",
    "application/json",
    "application/octet-stream",
)


def registry_caller(request: Request, runtime: RuntimeDep) -> Caller:
    """Bearer tokens as everywhere, or Basic with a client's id and secret."""
    scheme, _, credentials = request.headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "basic":
        return authenticated_caller(request, runtime)
    try:
        caller = runtime.basic.authenticate(credentials)
    except AuthenticationFailed as exc:
        audit(request, allowed=False, reason=exc.message, status=401)
        raise
    request.state.caller = caller
    return caller


RegistryCaller = Annotated[Caller, Depends(registry_caller)]


def require_writer(request: Request, caller: Caller, subject: str | None) -> None:
    """Writing needs ``registry:write`` and an agency writes only its own subjects;
    ``registry:admin`` (hub operators) may change any subject and the global config."""
    reason = None
    if REGISTRY_ADMIN in caller.scopes:
        return
    if REGISTRY_WRITE not in caller.scopes:
        reason = f"token lacks scope {REGISTRY_WRITE}"
    elif subject is None:
        reason = f"changing the global configuration needs scope {REGISTRY_ADMIN}"
    elif not subject.startswith(f"{caller.agency}."):
        reason = (
            f"agency {caller.agency} may only change subjects that start with '{caller.agency}.'"
        )
    if reason:
        audit(request, allowed=False, reason=reason, status=403, caller=caller)
        raise Forbidden(reason)


def session(runtime: RuntimeDep) -> Iterator[Session]:
    with runtime.sessions() as opened:
        yield opened


SessionDep = Annotated[Session, Depends(session)]


def flag(request: Request, *names: str) -> bool:
    """Booleans arrive as true, True and TRUE alike; some under two spellings."""
    for name in names:
        value = request.query_params.get(name)
        if value is not None:
            return value.strip().lower() == "true"
    return False


def deletion_filter(request: Request) -> dict[str, bool]:
    """``deleted`` and ``deletedOnly`` (which confluent-kafka spells ``deleted_only``)."""
    return {
        "deleted": flag(request, "deleted"),
        "deleted_only": flag(request, "deletedOnly", "deleted_only"),
    }


async def json_body(request: Request) -> dict[str, Any]:
    media = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if media not in JSON_TYPES:
        raise errors.RegistryError(
            415, 415, f"unsupported content type {media}; send {JSON_TYPES[0]}"
        )
    try:
        body = await read_limited(request, MAX_BODY_BYTES)
    except BodyTooLarge:
        raise errors.schema_too_large(MAX_BODY_BYTES) from None
    try:
        parsed = orjson.loads(body or b"{}")
    except orjson.JSONDecodeError as exc:
        raise errors.invalid_request(f"the request body is not JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise errors.invalid_request("the request body must be a JSON object")
    return parsed


def schema_text(body: dict[str, Any]) -> tuple[str, str]:
    """The ``schema`` string and ``schemaType`` of a register, lookup or check request."""
    text = body.get("schema")
    if not isinstance(text, str):
        raise errors.RegistryError(
            422, 42201, "the request needs a 'schema' string holding the schema JSON"
        )
    if body.get("references"):
        raise errors.RegistryError(
            422, 42201, "schema references are not supported; send a self-contained schema"
        )
    schema_type = body.get("schemaType") or "AVRO"
    if not isinstance(schema_type, str):
        raise errors.RegistryError(422, 42201, "schemaType must be a string")
    return text, schema_type


def performed(
    request: Request,
    caller: Caller,
    work: Callable[[], T],
    describe: Callable[[T], str],
    *,
    count: Callable[[T], int] = lambda _result: 1,
) -> T:
    """Run one registry operation; audit it whether it succeeds, is refused or fails."""
    try:
        result = work()
    except Exception as exc:
        refused(request, caller, exc)
        raise
    audit(
        request,
        allowed=True,
        reason=describe(result),
        status=200,
        caller=caller,
        records=count(result),
    )
    return result


def refused(request: Request, caller: Caller, exc: Exception) -> None:
    """The audit row for a registry call that did not succeed, with the status it got."""
    if isinstance(exc, errors.RegistryError):
        status, text = exc.status, f"refused: {exc.message}"
    elif isinstance(exc, (BrokerUnavailable, StoreUnavailable, SQLAlchemyError)):
        status, text = 503, f"failed: {type(exc).__name__}"
    else:
        status, text = 500, f"failed: {type(exc).__name__}"
    audit(request, allowed=True, reason=text[:2000], status=status, caller=caller)


async def request_schema(request: Request, caller: Caller) -> tuple[str, str]:
    """The schema of a register, lookup or check request; a bad body is audited too."""
    try:
        return schema_text(await json_body(request))
    except errors.RegistryError as exc:
        await run_in_threadpool(refused, request, caller, exc)
        raise


async def request_json(request: Request, caller: Caller) -> dict[str, Any]:
    try:
        return await json_body(request)
    except errors.RegistryError as exc:
        await run_in_threadpool(refused, request, caller, exc)
        raise
