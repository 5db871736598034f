"""Row filters: which records a grant serves, judged on each record's envelope.

A record that a filter keeps out is not served and not counted as served. A record
that lacks what a condition asks about (no district, no severity) is kept out too:
deny by default holds for rows as for streams.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from hub.policy.rules import RowFilter
from hub.policy.vocabulary import at_least, at_most

RowCheck = Callable[[Mapping[str, Any]], bool]


def _envelope(record: Mapping[str, Any]) -> Mapping[str, Any]:
    envelope = record.get("envelope")
    return envelope if isinstance(envelope, Mapping) else {}


def district_of(record: Mapping[str, Any]) -> str | None:
    area = _envelope(record).get("area")
    code = area.get("district_code") if isinstance(area, Mapping) else None
    return code if isinstance(code, str) else None


def category_of(record: Mapping[str, Any]) -> str | None:
    classification = _envelope(record).get("classification")
    category = classification.get("category") if isinstance(classification, Mapping) else None
    return category if isinstance(category, str) else None


def published_at(record: Mapping[str, Any]) -> datetime | None:
    """When the record reached the hub: the clock an emergency's window is judged by, since
    a report may tell of something long past (a re-enactment, a late report) yet belong
    to the emergency, while the stream's history does not."""
    value = _envelope(record).get("published_at")
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def row_check(rule: RowFilter) -> RowCheck | None:
    """A predicate for ``rule`` (None when it keeps every record)."""
    checks: list[RowCheck] = []
    if rule.districts:
        allowed = frozenset(rule.districts)
        checks.append(lambda r: district_of(r) in allowed)
    if rule.severity_at_least:
        floor = rule.severity_at_least
        checks.append(lambda r: at_least(_envelope(r).get("severity"), floor))
    if rule.categories:
        categories = frozenset(rule.categories)
        checks.append(lambda r: category_of(r) in categories)
    if rule.sensitivity_at_most:
        ceiling = rule.sensitivity_at_most
        checks.append(lambda r: at_most(_envelope(r).get("sensitivity"), ceiling))
    if not checks:
        return None
    if len(checks) == 1:
        return checks[0]
    return lambda record: all(check(record) for check in checks)
