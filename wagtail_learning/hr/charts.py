"""A small server-rendered SVG line chart: compliance over time against the target.

Server-side on purpose: no JavaScript charting library to ship, load or keep accessible;
the template shows the same figures in a table for screen readers and printing."""

from __future__ import annotations

from datetime import datetime

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 480, 180
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 12, 28


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span * index / (count - 1) if count > 1 else span / 2)


def _y(share: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - share / 100)


def line_chart_svg(points: list[tuple[datetime, float | None]], *, target: int, title: str) -> str:
    count = len(points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" class="compliance-chart">',
        f"<title>{escape(title)}</title>",
    ]
    for share in (0, 50, 100):
        y = _y(share)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#c9d1d9"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#4a5360">{share}%</text>'
        )
    ty = _y(target)
    parts.append(
        f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{WIDTH - RIGHT}" y2="{ty:.1f}" stroke="#7a4b00" '
        f'stroke-dasharray="6 4"/><text x="{WIDTH - RIGHT}" y="{ty - 4:.1f}" font-size="11" '
        f'text-anchor="end" fill="#7a4b00">{escape(_("target %(t)s %%") % {"t": target})}</text>'
    )
    coords = [
        (_x(i, count), _y(share)) for i, (_when, share) in enumerate(points) if share is not None
    ]
    if coords:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(coords)
        )
        parts.append(f'<path d="{path}" fill="none" stroke="#0b5394" stroke-width="2.5"/>')
        parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#0b5394"/>' for x, y in coords)
    for i, (when, _share) in enumerate(points):
        if i in (0, count - 1) or i == count // 2:
            # The outer labels align inwards: centred, they were cut off at the edges.
            anchor = "start" if i == 0 else "end" if i == count - 1 else "middle"
            parts.append(
                f'<text x="{_x(i, count):.1f}" y="{HEIGHT - 8}" font-size="11" '
                f'text-anchor="{anchor}" fill="#4a5360">{escape(date_format(when, "N Y"))}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built from numbers and escaped text
