"""The console's routes, one module per page; the sign-in page is the one public route."""

from hub.gateway.routes.console import chain, home, log, reviews, sharing, signin

ROUTERS = tuple(m.router for m in (signin, home, log, chain, reviews, sharing))
