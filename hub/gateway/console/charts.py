"""Charts drawn by the hub as inline SVG: nothing for a page to load from another host,
no script, and presentation attributes only (the pages' CSP allows no inline styles)."""

from __future__ import annotations

from collections.abc import Sequence

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
