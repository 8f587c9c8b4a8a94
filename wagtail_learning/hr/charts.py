"""Small server-rendered SVG charts: compliance over time against the target (a line), and
the forecast's units now and projected to the due date against the target (bars).

Server-side on purpose (decision 0044): no JavaScript charting library to ship, load or
keep accessible; vector output that prints sharp. Every chart sits in a <figure> with its
figures as a table beside it, and no series is told apart by colour alone: each has its
own shape (a solid line with dots, a dashed line, solid or hatched bars), a text label or
legend, and its values written on it. `data-series` names each series' marks (the tests
read it)."""

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
        f'<line data-series="target" x1="{LEFT}" y1="{ty:.1f}" x2="{WIDTH - RIGHT}" '
        f'y2="{ty:.1f}" stroke="#7a4b00" stroke-dasharray="6 4"/>'
        f'<text data-series="target" x="{WIDTH - RIGHT}" y="{ty - 4:.1f}" font-size="11" '
        f'text-anchor="end" fill="#7a4b00">{escape(_("target %(t)s %%") % {"t": target})}</text>'
    )
    coords = [
        (_x(i, count), _y(share)) for i, (_when, share) in enumerate(points) if share is not None
    ]
    if coords:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(coords)
        )
        parts.append(
            f'<path data-series="compliant" d="{path}" fill="none" stroke="#0b5394" '
            f'stroke-width="2.5"/>'
        )
        parts.extend(
            f'<circle data-series="compliant" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#0b5394"/>'
            for x, y in coords
        )
        # The line's own label at its last point: it is not the target's dashed line.
        last_x, last_y = coords[-1]
        label = _("compliant %(share)s %%") % {"share": f"{points[-1][1] or 0:.0f}"}
        parts.append(
            f'<text data-series="compliant" x="{last_x - 6:.1f}" y="{last_y + 16:.1f}" '
            f'font-size="11" text-anchor="end" fill="#0b5394">{escape(label)}</text>'
        )
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


BAR_WIDTH, BAR_LABEL, BAR_ROW, BAR_TOP = 640, 190, 34, 40


def forecast_bars_svg(
    rows: list[tuple[str, float | None, float | None]], *, target: int, title: str, key: str
) -> str:
    """Per unit two bars: compliant now (solid) and projected at the due date (hatched),
    each with its share written at its end; the target a dashed line with its label; a
    legend in words and shapes. `rows`: (unit, share now, projected share), shares in %;
    `key` makes the hatch pattern's id unique on the page."""
    hatch = f"hatch-{key}"
    height = BAR_TOP + BAR_ROW * max(len(rows), 1) + 8
    span = BAR_WIDTH - BAR_LABEL - 60

    def x(share: float) -> float:
        return BAR_LABEL + span * share / 100

    now_label, projected_label = _("compliant now"), _("projected at the due date")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {BAR_WIDTH} {height}" '
        f'width="{BAR_WIDTH}" height="{height}" role="img" class="forecast-chart">',
        f"<title>{escape(title)}</title>",
        f'<defs><pattern id="{hatch}" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#0b5394" stroke-width="3"/></pattern></defs>',
        # The legend: a swatch of each shape and its name.
        f'<rect data-series="now" x="{BAR_LABEL}" y="8" width="14" height="10" fill="#0b5394"/>',
        f'<text x="{BAR_LABEL + 20}" y="17" font-size="11" fill="#1f2328">'
        f"{escape(now_label)}</text>",
        f'<rect data-series="projected" x="{BAR_LABEL + 150}" y="8" width="14" height="10" '
        f'fill="url(#{hatch})" stroke="#0b5394"/>',
        f'<text x="{BAR_LABEL + 170}" y="17" font-size="11" fill="#1f2328">'
        f"{escape(projected_label)}</text>",
    ]
    for i, (label, now, projected) in enumerate(rows):
        top = BAR_TOP + i * BAR_ROW
        parts.append(
            f'<text x="{BAR_LABEL - 8}" y="{top + 17}" font-size="11" text-anchor="end" '
            f'fill="#1f2328">{escape(label[:32])}</text>'
        )
        for j, (series, share) in enumerate((("now", now), ("projected", projected))):
            y = top + 2 + j * 14
            if share is None:
                parts.append(
                    f'<text data-series="{series}" x="{BAR_LABEL}" y="{y + 10}" font-size="10" '
                    f'fill="#4a5360">–</text>'
                )
                continue
            fill = 'fill="#0b5394"' if series == "now" else f'fill="url(#{hatch})" stroke="#0b5394"'
            parts.append(
                f'<rect data-series="{series}" x="{BAR_LABEL}" y="{y}" '
                f'width="{max(x(share) - BAR_LABEL, 1):.1f}" height="12" {fill}/>'
                f'<text data-series="{series}" x="{x(share) + 4:.1f}" y="{y + 10}" '
                f'font-size="10" fill="#1f2328">{share:.0f} %</text>'
            )
    tx = x(target)
    parts.append(
        f'<line data-series="target" x1="{tx:.1f}" y1="{BAR_TOP - 6}" x2="{tx:.1f}" '
        f'y2="{height - 4}" stroke="#7a4b00" stroke-width="2" stroke-dasharray="6 4"/>'
        f'<text data-series="target" x="{tx + 4:.1f}" y="{BAR_TOP - 8}" font-size="11" '
        f'fill="#7a4b00">{escape(_("target %(t)s %%") % {"t": target})}</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built from numbers and escaped text


# --- Audience retention of a lecture (issue 24) ----------------------------------------------

R_WIDTH, R_HEIGHT = 640, 240
R_LEFT, R_RIGHT, R_TOP, R_BOTTOM = 44, 16, 28, 30


def _clock(seconds: float) -> str:
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def retention_chart_svg(
    buckets, *, duration: float, chapters=(), drop_offs=(), title: str, description: str
) -> str:
    """A lecture's audience over its length: the share watching (solid line, dots), the
    share watching again (dashed line, no dots), chapters as dotted verticals numbered as
    in the list beside the chart, drop-off points as numbered triangles. Each is told
    apart by its shape and its label as well as its colour; the page gives every figure in
    a table. `buckets` have start, end, watching, rewatched (shares 0-1)."""
    span_x = R_WIDTH - R_LEFT - R_RIGHT
    span_y = R_HEIGHT - R_TOP - R_BOTTOM
    duration = max(float(duration), 1.0)

    def x(seconds: float) -> float:
        return R_LEFT + span_x * min(max(seconds, 0.0), duration) / duration

    def y(share: float) -> float:
        return R_TOP + span_y * (1 - min(max(share, 0.0), 1.0))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {R_WIDTH} {R_HEIGHT}" '
        f'width="100%" style="max-width:{R_WIDTH}px" role="img" aria-labelledby="retention-title '
        f'retention-desc" class="retention-chart">',
        f'<title id="retention-title">{escape(title)}</title>',
        f'<desc id="retention-desc">{escape(description)}</desc>',
    ]
    for share in (0, 25, 50, 75, 100):
        gy = y(share / 100)
        parts.append(
            f'<line x1="{R_LEFT}" y1="{gy:.1f}" x2="{R_WIDTH - R_RIGHT}" y2="{gy:.1f}" '
            f'stroke="#c9d1d9"/><text x="{R_LEFT - 6}" y="{gy + 4:.1f}" font-size="11" '
            f'text-anchor="end" fill="#4a5360">{share}%</text>'
        )
    for number, chapter in enumerate(chapters, start=1):
        cx = x(chapter.start_seconds)
        parts.append(
            f'<line x1="{cx:.1f}" y1="{R_TOP - 12}" x2="{cx:.1f}" y2="{R_HEIGHT - R_BOTTOM}" '
            f'stroke="#4a5360" stroke-dasharray="2 3"/><text x="{cx + 3:.1f}" y="{R_TOP - 14}" '
            f'font-size="11" fill="#1f2328">{number}</text>'
        )

    def line(key: str, *, dashed: bool, dots: bool, colour: str) -> None:
        coords = [(x((b.start + b.end) / 2), y(getattr(b, key))) for b in buckets]
        if not coords:
            return
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{px:.1f},{py:.1f}" for i, (px, py) in enumerate(coords)
        )
        dash = ' stroke-dasharray="7 4"' if dashed else ""
        parts.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>')
        if dots and len(coords) <= 60:
            parts.extend(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{colour}"/>'
                for px, py in coords
            )

    line("watching", dashed=False, dots=True, colour="#0b5394")
    line("rewatched", dashed=True, dots=False, colour="#7a4b00")
    for number, bucket in enumerate(drop_offs, start=1):
        tx, ty = x((bucket.start + bucket.end) / 2), y(bucket.watching)
        triangle = (
            f"M{tx - 6:.1f},{ty - 16:.1f} L{tx + 6:.1f},{ty - 16:.1f} L{tx:.1f},{ty - 5:.1f} Z"
        )
        parts.append(
            f'<path d="{triangle}" fill="#a61b1b"/><text x="{tx + 8:.1f}" y="{ty - 8:.1f}" '
            f'font-size="12" fill="#a61b1b" font-weight="bold">{number}</text>'
        )
    for seconds, anchor in ((0, "start"), (duration / 2, "middle"), (duration, "end")):
        parts.append(
            f'<text x="{x(seconds):.1f}" y="{R_HEIGHT - 10}" font-size="11" '
            f'text-anchor="{anchor}" fill="#4a5360">{_clock(seconds)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built from numbers and escaped text
