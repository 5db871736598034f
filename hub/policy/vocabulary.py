"""The shared schemas' emergency vocabulary, as the policy language uses it.

The symbols are those of ``schemas/common`` (``EventCategory``, ``SeverityLevel``,
``Sensitivity``); orderings live here once, so "at least level II" and "at most
internal" mean the same in row filters, emergency conditions and declarations.
"""

from __future__ import annotations

from typing import Literal

Category = Literal["NATURAL_DISASTER", "ACCIDENT_DISASTER", "PUBLIC_HEALTH", "SOCIAL_SECURITY"]
Level = Literal["I", "II", "III", "IV"]
SensitivityLevel = Literal["PUBLIC", "INTERNAL", "RESTRICTED"]

CATEGORIES: tuple[Category, ...] = (
    "NATURAL_DISASTER",
    "ACCIDENT_DISASTER",
    "PUBLIC_HEALTH",
    "SOCIAL_SECURITY",
)

#: Level I (特别重大) is the gravest; "at least II" admits I and II.
_GRAVITY: dict[str, int] = {"I": 4, "II": 3, "III": 2, "IV": 1}
#: Public is the widest audience; "at most internal" admits public and internal.
_REACH: dict[str, int] = {"PUBLIC": 1, "INTERNAL": 2, "RESTRICTED": 3}


def at_least(level: str | None, floor: str) -> bool:
    """Is ``level`` as grave as ``floor`` or graver? An unknown level is not."""
    return level is not None and _GRAVITY.get(level, 0) >= _GRAVITY[floor]


def at_most(sensitivity: str | None, ceiling: str) -> bool:
    """Is ``sensitivity`` as open as ``ceiling`` or more? An unknown one is not."""
    return sensitivity is not None and 0 < _REACH.get(sensitivity, 99) <= _REACH[ceiling]
