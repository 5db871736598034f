"""The console's routes, one module per page; the sign-in page is the one public route."""

from hub.gateway.routes.console import (
    assessment,
    chain,
    coordination,
    home,
    incidents,
    log,
    reviews,
    sharing,
    signin,
)

ROUTERS = tuple(
    m.router
    for m in (
        signin,
        home,
        log,
        chain,
        reviews,
        sharing,
        coordination,
        incidents,
        assessment,
    )
)
