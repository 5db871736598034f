"""What the connector remembers of the feed between polls: the position it commits.

``{"etag", "last_modified", "digests", "active"}``: the validators of the last document
taken (sent back as ``If-None-Match``/``If-Modified-Since``), the digest of every closure
in it, and for each closure still in force the little the connector needs to say
"open again" when it vanishes from the list: the road, the segment and the place, not
the whole closure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Kept of a closure in force; the rest (reason, detour, times) does not describe the
#: road once it is open. Incident, category and severity stay, so that "open again"
#: reaches the same readers (grants filter on them) and joins the same incident.
SUMMARY_KEYS = (
    "id",
    "road",
    "road_id",
    "direction",
    "from",
    "to",
    "district",
    "geometry",
    "incident_id",
    "category",
    "severity",
)

#: Feed statuses after which the road is open: nothing more to announce if it vanishes.
OVER = frozenset({"open", "lifted", "cancelled"})


@dataclass(frozen=True, slots=True)
class Checkpoint:
    etag: str | None = None
    last_modified: str | None = None
    digests: Mapping[str, str] = field(default_factory=dict)
    active: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, position: Any) -> Checkpoint:
        """The checkpoint in a position this connector committed (None: nothing taken)."""
        if position is None:
            return cls()
        if not isinstance(position, Mapping):
            raise ValueError(f"position {position!r} is not a road-closure checkpoint")
        digests, active = position.get("digests", {}), position.get("active", {})
        if not isinstance(digests, Mapping) or not isinstance(active, Mapping):
            raise ValueError("position's digests and active must be objects")
        return cls(
            etag=position.get("etag"),
            last_modified=position.get("last_modified"),
            digests=dict(digests),
            active=dict(active),
        )

    def as_position(self) -> dict[str, Any]:
        return {
            "etag": self.etag,
            "last_modified": self.last_modified,
            "digests": dict(self.digests),
            "active": {key: dict(value) for key, value in self.active.items()},
        }


def in_force(closure: Any) -> bool:
    """True unless the feed says the closure is over (an unknown status counts as in force:
    its vanishing is still worth announcing)."""
    status = closure.get("status") if isinstance(closure, dict) else None
    return not (isinstance(status, str) and status.strip().lower() in OVER)


def summary(closure: Mapping[str, Any]) -> dict[str, Any]:
    return {key: closure[key] for key in SUMMARY_KEYS if closure.get(key) is not None}
