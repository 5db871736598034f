"""Which agencies an event is meant for: those an ordinary grant lets read it.

An agency counts as a receiver of an event when, outside any emergency, a read grant
names it for the event's stream, no deny refuses it, and the grant's row filter keeps
the event (a district government receives its own district's warnings, not the whole
city's). Grants that only an emergency switches on do not make a receiver: the hub
cannot expect an agency to read what it is not yet allowed to read. An agency that
read an event anyway (through an emergency grant) is measured too; see
:mod:`hub.coordination.deliveries`.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.coordination.facts import Published
from hub.policy.filters import RowCheck, row_check
from hub.policy.model import Policy


@dataclass(frozen=True, slots=True)
class _Route:
    agency: str
    #: One check per grant; any that keeps the event (None keeps every event) will do.
    checks: tuple[RowCheck | None, ...]


class Receivers:
    def __init__(self, policy: Policy) -> None:
        self._policy = policy
        self._routes: dict[str, tuple[_Route, ...]] = {}

    def of(self, event: Published) -> tuple[str, ...]:
        routes = self._routes.get(event.stream)
        if routes is None:
            routes = self._routes[event.stream] = self._routes_of(event.stream)
        if not routes:
            return ()
        record = event.as_record()
        return tuple(
            route.agency
            for route in routes
            if any(check is None or check(record) for check in route.checks)
        )

    def _routes_of(self, stream: str) -> tuple[_Route, ...]:
        policy = self._policy
        entry = policy.stream(stream)
        if entry is None:
            return ()
        routes = []
        for agency in policy.agencies:
            if agency.id == entry.owner or policy.denies_for(agency.id, stream):
                continue
            grants = [
                g
                for g in policy.grants_for(agency.id, stream)
                if "read" in g.actions and g.emergency is None
            ]
            if grants:
                routes.append(_Route(agency.id, tuple(row_check(g.filter) for g in grants)))
        return tuple(routes)
