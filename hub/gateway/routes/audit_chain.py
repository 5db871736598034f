"""The audit log's tree: signed checkpoints, RFC 9162 proofs, and the chain's status.

Checkpoints and consistency proofs are hashes only, so any authenticated client may
read them (that is what a witness needs); an inclusion proof names one row, so it
needs ``audit:read`` like the rows themselves.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from hub.audit.monitor import WITNESS_ACTION
from hub.errors import NotFound
from hub.gateway.audit_views import (
    ChainStatusView,
    CheckpointList,
    CheckpointView,
    ConsistencyView,
    InclusionView,
)
from hub.gateway.deps import ROW_MAX, AuditReader, ChainReader, MonitorDep, ProofsDep, TrailDep

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get("/checkpoints", name="audit.checkpoints", response_model=CheckpointList)
def list_checkpoints(
    caller: ChainReader,
    proofs: ProofsDep,
    trail: TrailDep,
    after: Annotated[int, Query(ge=0, le=ROW_MAX, description="checkpoints of a larger tree")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> CheckpointList:
    """Signed checkpoints, smallest tree first."""
    found = proofs.checkpoints(after=after, limit=limit)
    trail.served(len(found))
    next_link = None
    if len(found) == limit:
        next_link = f"/v1/audit/checkpoints?after={found[-1].size}&limit={limit}"
    return CheckpointList(checkpoints=[CheckpointView.of(c) for c in found], next=next_link)


@router.get("/checkpoints/latest", name="audit.checkpoint", response_model=CheckpointView)
def latest_checkpoint(caller: ChainReader, proofs: ProofsDep, trail: TrailDep) -> CheckpointView:
    found = proofs.latest_checkpoint()
    if found is None:
        raise NotFound("no checkpoint has been signed yet")
    trail.served(1)
    return CheckpointView.of(found)


@router.get("/proof/inclusion", name="audit.inclusion", response_model=InclusionView)
def inclusion(
    caller: AuditReader,
    proofs: ProofsDep,
    trail: TrailDep,
    seq: Annotated[int, Query(ge=0, le=ROW_MAX, description="the row")],
    size: Annotated[
        int, Query(ge=1, le=ROW_MAX, description="the tree size of a signed checkpoint")
    ],
) -> InclusionView:
    """That row ``seq`` is in the tree of ``size`` rows: check the path against the root
    of the checkpoint of that size."""
    trail.resource = f"seq={seq}&size={size}"
    proof = proofs.inclusion(seq=seq, size=size)
    trail.served(1)
    return InclusionView.of(proof)


@router.get("/proof/consistency", name=WITNESS_ACTION, response_model=ConsistencyView)
def consistency(
    caller: ChainReader,
    proofs: ProofsDep,
    trail: TrailDep,
    first: Annotated[
        int, Query(alias="from", ge=1, le=ROW_MAX, description="the smaller tree size")
    ],
    second: Annotated[int, Query(alias="to", ge=1, le=ROW_MAX, description="the larger tree size")],
) -> ConsistencyView:
    """That the tree of ``from`` rows is a prefix of the tree of ``to`` rows."""
    trail.resource = f"from={first}&to={second}"
    proof = proofs.consistency(first=first, second=second)
    trail.served(1)
    return ConsistencyView.of(proof)


@router.get("/verify", name="audit.verify", response_model=ChainStatusView)
def chain_status(caller: AuditReader, monitor: MonitorDep, trail: TrailDep) -> ChainStatusView:
    """The chain's status: rows checked so far (new ones are checked on each look), the
    last checkpoint, the last full check, and the witnesses that checked consistency."""
    status = monitor.status()
    trail.served(1)
    return ChainStatusView.of(status)


@router.post("/verify", name="audit.recheck", status_code=202)
def recheck(caller: AuditReader, monitor: MonitorDep, trail: TrailDep) -> JSONResponse:
    """Start a full check of every row in the background; see its outcome under GET."""
    started = monitor.recheck()
    trail.served(0, "full check started" if started else "a full check is already running")
    return JSONResponse({"started": started}, status_code=202)
