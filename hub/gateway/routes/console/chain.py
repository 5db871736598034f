"""The chain's status page, and the button that starts a full check."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from hub.gateway.console.access import ConsoleAuditor
from hub.gateway.console.render import page
from hub.gateway.deps import AuditKeysDep, MonitorDep, ProofsDep, TrailDep

router = APIRouter(prefix="/console", tags=["console"], include_in_schema=False)


@router.get("/chain", name="console.chain")
def chain(
    request: Request,
    auditor: ConsoleAuditor,
    monitor: MonitorDep,
    proofs: ProofsDep,
    keys: AuditKeysDep,
    trail: TrailDep,
    started: bool = False,
) -> HTMLResponse:
    status = monitor.status()
    trail.served(1, "console chain status")
    return page(
        request,
        "chain.html",
        session=auditor.session,
        status=status,
        checkpoint=proofs.latest_checkpoint(),
        keys=keys["keys"],
        started=started,
    )


@router.post("/chain/verify", name="console.verify")
def verify(auditor: ConsoleAuditor, monitor: MonitorDep, trail: TrailDep) -> RedirectResponse:
    started = monitor.recheck()
    trail.served(0, "full check started" if started else "a full check is already running")
    return RedirectResponse("/console/chain?started=true", status_code=303)
