"""CAP date-times: the one form CAP allows, and only days that exist.

CAP 1.2 (and 1.1) write times as ``2015-12-20T11:40:00+08:00``: a numeric offset is
required ("-00:00" for UTC), with no "Z" and no fractions of a second. The shape alone
lets ``2026-02-30`` through, so each value is also read as a calendar date-time; the
reason names the value, and the caller adds the element.
"""

from __future__ import annotations

import re
from datetime import date, datetime

CAP_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
EXAMPLE = "2015-12-20T11:40:00+08:00"


def cap_datetime(text: str) -> datetime:
    """The time ``text`` names, or ``ValueError`` saying why it names none."""
    if not CAP_DATETIME.match(text):
        raise ValueError(f"{text!r} is not a CAP date-time like {EXAMPLE}")
    try:
        date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"{text} is not a date") from None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text} is not a time of day with an offset under 24 hours") from None
