"""Times at the console: shown in the city's zone, and a form's zoneless time read in it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hub.errors import BadRequest


class ConsoleClock:
    def __init__(self, zone: str) -> None:
        self.zone = ZoneInfo(zone)

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    def show(self, value: datetime | None) -> str:
        if value is None:
            return ""
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(self.zone).strftime("%Y-%m-%d %H:%M:%S")

    def show_ms(self, value: int | None) -> str:
        """An epoch-millisecond time (the archive's and receipts' clock), in the city's zone."""
        return "" if value is None else self.show(datetime.fromtimestamp(value / 1000, UTC))

    def read(self, text: str | None, name: str) -> datetime | None:
        """A form's time (``datetime-local`` sends no zone: it is the city's), as UTC."""
        if not text:
            return None
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise BadRequest(f"{name} is not a date and time: {text!r}") from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.zone)
        return value.astimezone(UTC)

    def field(self, value: datetime | None) -> str:
        """A time as a ``datetime-local`` input shows it."""
        return value.astimezone(self.zone).strftime("%Y-%m-%dT%H:%M") if value else ""

    def period(
        self, since: str | None, until: str | None, *, days: int = 7
    ) -> tuple[datetime, datetime]:
        """The period a form asks for; the last ``days`` by default."""
        end = self.read(until, "until") or datetime.now(UTC)
        start = self.read(since, "since") or end - timedelta(days=days)
        if start >= end:
            raise BadRequest("the period's start must come before its end")
        return start, end


def delay(ms: int | None) -> str:
    """A delay as a person reads it: "850 ms", "42 s", "3 min 05 s", "10 min", "2 h 10 min"."""
    if ms is None:
        return ""
    if ms < 1000:
        return f"{ms} ms"
    seconds = ms // 1000
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"
