"""Charts drawn by the hub as inline SVG: nothing for a page to load from another host,
no script, and presentation attributes only (the pages' CSP allows no inline styles)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

BAR = 18
GAP = 6
LABEL_W = 180
COLOURS = ("#2f6f9f", "#c0392b")


def bars(
    items: Sequence[tuple[str, float]],
    *,
    width: int = 640,
    title: str = "",
    second: Sequence[float] | None = None,
) -> Markup:
    """Horizontal bars, one per (label, value), longest scaled to the width; ``second``
    stacks a second series (denials, say) in another colour after the first."""
    if not items:
        return Markup("")
    extra = list(second or [0.0] * len(items))
    peak = max(v + e for (_, v), e in zip(items, extra, strict=True)) or 1.0
    span = width - LABEL_W - 70
    height = len(items) * (BAR + GAP) + GAP
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for row, ((label, value), more) in enumerate(zip(items, extra, strict=True)):
        y = GAP + row * (BAR + GAP)
        first = span * value / peak
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{y + BAR - 5}" text-anchor="end" font-size="12" '
            f'fill="#222">{escape(label)}</text>'
            f'<rect x="{LABEL_W}" y="{y}" width="{first:.1f}" height="{BAR}" fill="{COLOURS[0]}"/>'
        )
        if more:
            parts.append(
                f'<rect x="{LABEL_W + first:.1f}" y="{y}" width="{span * more / peak:.1f}" '
                f'height="{BAR}" fill="{COLOURS[1]}"/>'
            )
        total = f"{value:,.0f}" + (f" + {more:,.0f}" if more else "")
        parts.append(
            f'<text x="{LABEL_W + span * (value + more) / peak + 6:.1f}" y="{y + BAR - 5}" '
            f'font-size="12" fill="#222">{total}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


#: How each kind of mark on a timeline is drawn: a filled circle, a bar, a ring.
MARK_STYLE = {
    "published": '<circle cx="{x:.1f}" cy="{y}" r="6" fill="#2f6f9f"><title>{title}</title></circle>',
    "read": '<rect x="{x0:.1f}" y="{y0}" width="3" height="14" fill="#8a949e"><title>{title}</title></rect>',
    "acknowledged": (
        '<circle cx="{x:.1f}" cy="{y}" r="5" fill="none" stroke="#1e7a46" stroke-width="2.5">'
        "<title>{title}</title></circle>"
    ),
}
LANE = 30


@dataclass(frozen=True, slots=True)
class Mark:
    lane: str
    at_ms: int
    kind: str
    title: str


def timeline(
    lanes: Sequence[str],
    marks: Sequence[Mark],
    *,
    start_label: str,
    end_label: str,
    legend: Sequence[tuple[str, str]],
    width: int = 900,
    title: str = "",
) -> Markup:
    """One lane per agency, time running left to right; ``legend`` pairs a mark kind
    with the words for it."""
    if not marks or not lanes:
        return Markup("")
    first = min(m.at_ms for m in marks)
    span_ms = max(max(m.at_ms for m in marks) - first, 1)
    left, right = LABEL_W, width - 20
    height = len(lanes) * LANE + 60
    row = {lane: i for i, lane in enumerate(lanes)}
    parts = [
        f'<svg class="chart timeline" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for lane, i in row.items():
        y = 20 + i * LANE
        parts.append(
            f'<text x="{left - 8}" y="{y + 4}" text-anchor="end" font-size="12" fill="#222">'
            f'{escape(lane)}</text><line x1="{left}" y1="{y}" x2="{right}" y2="{y}" '
            'stroke="#d8dde2"/>'
        )
    for mark in marks:
        if mark.lane not in row or mark.kind not in MARK_STYLE:
            continue
        x = left + (right - left) * (mark.at_ms - first) / span_ms
        y = 20 + row[mark.lane] * LANE
        parts.append(
            MARK_STYLE[mark.kind].format(x=x, y=y, x0=x - 1.5, y0=y - 7, title=escape(mark.title))
        )
    axis = 20 + len(lanes) * LANE
    parts.append(
        f'<text x="{left}" y="{axis}" font-size="11" fill="#66707a">{escape(start_label)}</text>'
        f'<text x="{right}" y="{axis}" font-size="11" fill="#66707a" text-anchor="end">'
        f"{escape(end_label)}</text>"
    )
    x = left
    for kind, words in legend:
        sample = MARK_STYLE[kind].format(x=x + 6, y=axis + 22, x0=x + 4.5, y0=axis + 15, title="")
        parts.append(
            f'{sample}<text x="{x + 16}" y="{axis + 26}" font-size="12" fill="#222">'
            f"{escape(words)}</text>"
        )
        x += 36 + 13 * len(words)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()
