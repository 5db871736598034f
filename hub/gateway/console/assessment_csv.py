"""The post-incident assessment as one CSV file: one row per fact, the first column
saying which section it belongs to, so a spreadsheet can filter by it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime

from hub.coordination.assessment import Assessment
from hub.coordination.figures import Figures
from hub.gateway.audit_files import safe_cell

COLUMNS = (
    "section",
    "time_utc",
    "agency",
    "stream",
    "event_id",
    "detail",
    "deliveries",
    "read",
    "acknowledged",
    "read_median_s",
    "read_p90_s",
    "ack_median_s",
    "ack_p90_s",
)


def _iso(ms: int | None) -> str:
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds")


def _s(ms: int | None) -> str:
    return "" if ms is None else f"{ms / 1000:.3f}"


def _figures(figures: Figures) -> list[str]:
    return [
        str(figures.deliveries),
        str(figures.read),
        str(figures.acknowledged),
        _s(figures.read_median_ms),
        _s(figures.read_p90_ms),
        _s(figures.ack_median_ms),
        _s(figures.ack_p90_ms),
    ]


def rows(a: Assessment) -> Iterator[list[str]]:
    blank = [""] * 7
    for e in a.events:
        kind = e.category or "unclassified"
        detail = " ".join(x for x in (kind, e.code or "", e.severity or "") if x)
        yield ["published", _iso(e.published_ms), e.agency, e.stream, e.event_id, detail, *blank]
    for d in a.deliveries:
        acks = " ".join(f"{status}={_iso(at)}" for status, at in sorted(d.acks.items()))
        detail = f"read={_iso(d.read_ms)} {acks}".strip()
        if not d.expected:
            detail += " (not an ordinary receiver)"
        yield [
            "delivery",
            _iso(d.event.published_ms),
            d.agency,
            d.event.stream,
            d.event.event_id,
            detail,
            "1",
            "1" if d.read_ms is not None else "0",
            "1" if d.ack_ms is not None else "0",
            _s(d.to_read_ms),
            "",
            _s(d.to_ack_ms),
            "",
        ]
    for agency, figures in a.by_reader.items():
        yield ["reader", "", agency, "", "", "", *_figures(figures)]
    yield ["overall", "", "", "", "", "", *_figures(a.overall)]
    for access in a.denied:
        yield [
            "denied",
            access.at.isoformat(timespec="milliseconds"),
            access.agency or "",
            access.stream or "",
            "",
            f"seq={access.seq} {access.action} {access.client_id or ''}: {access.reason}",
            *blank,
        ]
    for access in a.by_emergency:
        verdict = access.verdict or "not reviewed"
        yield [
            "emergency-access",
            access.at.isoformat(timespec="milliseconds"),
            access.agency or "",
            access.stream or "",
            "",
            f"seq={access.seq} emergency={access.emergency_id} grant={access.grant_id} "
            f"records={access.records} verdict={verdict}",
            *blank,
        ]
    for earlier in a.earlier:
        incident = earlier.incident
        yield [
            "earlier-incident",
            _iso(incident.first_ms),
            "",
            "",
            incident.incident_id,
            f"{incident.events} events from {incident.agencies} agencies",
            *_figures(earlier.figures),
        ]


def render(a: Assessment) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows(a))
    return out.getvalue()
