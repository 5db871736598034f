"""Emergencies: the Emergency Management Bureau declares and closes them; all may look.

While one is in force, the emergency grants it matches are in force too; closing it
switches them off at once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path

from hub.errors import BadRequest
from hub.gateway.deps import (
    EmergenciesDep,
    EmergencyDeclarer,
    EmergencyReader,
    SettingsDep,
    TrailDep,
)
from hub.gateway.emergency_views import DeclarationRequest, EmergencyList, EmergencyView

router = APIRouter(prefix="/v1/emergencies", tags=["emergencies"])
EmergencyId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$", description="an emergency's id")]


@router.post("", name="emergencies.declare", status_code=201, response_model=EmergencyView)
def declare(
    body: DeclarationRequest,
    caller: EmergencyDeclarer,
    emergencies: EmergenciesDep,
    settings: SettingsDep,
    trail: TrailDep,
) -> EmergencyView:
    """Declare an emergency; it lasts ``duration_hours`` (72 by default) unless closed."""
    try:
        declaration = body.declaration(
            default_hours=settings.policy.emergency_default_hours,
            max_hours=settings.policy.emergency_max_hours,
        )
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    record = emergencies.declare(declaration, by=caller)
    trail.emergency_id = record.emergency.id
    trail.served(
        1, f"declared {body.category} level {body.level} over {body.districts or 'the city'}"
    )
    return EmergencyView.of(record, datetime.now(UTC))


@router.get("", name="emergencies.list", response_model=EmergencyList)
def list_emergencies(
    caller: EmergencyReader, emergencies: EmergenciesDep, trail: TrailDep
) -> EmergencyList:
    """Every emergency, newest first, with its state: active, closed or expired."""
    now = datetime.now(UTC)
    views = [EmergencyView.of(r, now) for r in emergencies.list()]
    trail.served(len(views))
    return EmergencyList(emergencies=views)


@router.get("/{emergency_id}", name="emergencies.get", response_model=EmergencyView)
def get_emergency(
    emergency_id: EmergencyId, caller: EmergencyReader, emergencies: EmergenciesDep, trail: TrailDep
) -> EmergencyView:
    record = emergencies.get(emergency_id)
    trail.emergency_id = emergency_id
    trail.served(1)
    return EmergencyView.of(record, datetime.now(UTC))


@router.post("/{emergency_id}/close", name="emergencies.close", response_model=EmergencyView)
def close(
    emergency_id: EmergencyId,
    caller: EmergencyDeclarer,
    emergencies: EmergenciesDep,
    trail: TrailDep,
) -> EmergencyView:
    """Close it; the emergency grants it switched on are off when this answers."""
    trail.emergency_id = emergency_id
    record = emergencies.close(emergency_id, by=caller)
    trail.served(1, "closed")
    return EmergencyView.of(record, datetime.now(UTC))
