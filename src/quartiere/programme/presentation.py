"""Charts and the printable PDF of a programme's state (portal and presentation mode).

Charts are small SVG drawings written here by hand (a few dozen elements, drawn in well under a
millisecond, so every page draws them afresh from its figures and never shows a stale chart).
They carry no script, no ``<style>`` and no ``style`` attribute (the Content-Security-Policy
allows no inline style): colours and fonts are SVG presentation attributes, which the portal's
stylesheet may refine and WeasyPrint reads as they are. Every chart is shown beside a table with
the same figures, and has an accessible name (``role="img"`` and ``aria-label``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from html import escape as _escape
from typing import Any

from django.template.loader import render_to_string
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

FONT = "Titillium Web, Geneva, Tahoma, sans-serif"
COLOURS = ("#0066cc", "#008055", "#cc7a00", "#5c2f99", "#d1344c", "#17324d", "#5d7083")
TEXT = "#1a1a1a"
GRID = "#c5c7c9"


def _millions(value: Decimal | float | int) -> float:
    return round(float(value) / 1_000_000, 2)


def escape(text: object) -> str:
    """``text`` escaped for HTML and SVG (as Django's ``escape``, without its lazy wrapper)."""
    return _escape(str(text))


def _num(value: float) -> str:
    """A coordinate with one decimal."""
    return f"{value:.1f}"


def _nice_step(top: float, *, ticks: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``ticks`` intervals up to top."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return float(factor * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: int = 12,
    anchor: str = "start",
    cls: str = "",
    weight: str = "",
) -> str:
    extra = f' class="{cls}"' if cls else ""
    if weight:
        extra += f' font-weight="{weight}"'
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-size="{size}" text-anchor="{anchor}"'
        f' fill="{TEXT}"{extra}>{escape(text)}</text>'
    )


def _svg(
    width: int, height: int, *, label: str, chart_id: str, for_web: bool, body: list[str]
) -> str:
    size = "" if for_web else f' width="{width}" height="{height}"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"{size}'
        f' class="funding-chart" data-chart="{escape(chart_id)}" role="img"'
        f' aria-label="{escape(label)}" focusable="false" font-family="{FONT}">'
        f'<rect class="background" width="{width}" height="{height}" fill="#ffffff"/>'
        + "".join(body)
        + "</svg>"
    )


def _legend(names: Sequence[str], *, top: float, left: float) -> list[str]:
    """One line per series: a coloured square and its name."""
    out = ['<g class="legends">']
    for i, name in enumerate(names):
        y = top + i * 20
        colour = COLOURS[i % len(COLOURS)]
        out.append(
            f'<rect class="color-{i % len(COLOURS)}" x="{_num(left)}" y="{_num(y)}" width="12"'
            f' height="12" fill="{colour}"/>'
        )
        out.append(_text(left + 18, y + 11, name, size=13))
    out.append("</g>")
    return out


def funding_chart_svg(
    rows: Sequence[Any],
    *,
    title: str,
    chart_id: str,
    for_web: bool = True,
    width: int = 640,
) -> str:
    """Draw allocated, committed and paid amounts per row (in EUR million) as horizontal bars.

    ``rows`` are FundingRow-like objects with ``name``, ``allocated_amount``,
    ``committed_amount`` and ``paid_amount``.
    """
    series = [
        (_("Allocated (EUR million)"), "allocated_amount"),
        (_("Committed (EUR million)"), "committed_amount"),
        (_("Paid (EUR million)"), "paid_amount"),
    ]
    values = [[_millions(getattr(r, attr)) for _, attr in series] for r in rows]
    top_value = max((v for group in values for v in group), default=0.0)
    step = _nice_step(top_value)
    axis_top = step * max(1, math.ceil(top_value / step)) if top_value > 0 else step
    # Each row's name stands on its own line above its bars: a long name is never cut.
    left, right = 16.0, width - 24.0
    plot_top, label, bar, gap, group_gap = 48.0, 18.0, 12.0, 2.0, 14.0
    group = label + len(series) * (bar + gap) - gap
    plot_height = max(len(rows), 1) * (group + group_gap)
    scale = (right - left) / axis_top
    body = [_text(width / 2, 26, title, size=16, anchor="middle", cls="title", weight="600")]
    body.append('<g class="axis x">')
    ticks = round(axis_top / step)
    for i in range(ticks + 1):
        value = step * i
        x = left + value * scale
        body.append(
            f'<line class="guide line" x1="{_num(x)}" y1="{_num(plot_top - 6)}" x2="{_num(x)}"'
            f' y2="{_num(plot_top + plot_height)}" stroke="{GRID}" stroke-dasharray="4,4"/>'
        )
        body.append(
            _text(x, plot_top + plot_height + 16, f"{value:g}", anchor="middle", cls="major")
        )
    body.append("</g>")
    body.append('<g class="series">')
    for index, (row, group_values) in enumerate(zip(rows, values, strict=True)):
        y0 = plot_top + index * (group + group_gap)
        body.append(_text(left, y0 + 12, str(row.name), cls="label"))
        for s, value in enumerate(group_values):
            y = y0 + label + s * (bar + gap)
            w = max(value * scale, 0.0)
            body.append(
                f'<rect class="rect color-{s}" x="{_num(left)}" y="{_num(y)}" width="{_num(w)}"'
                f' height="{_num(bar)}" fill="{COLOURS[s]}"><title>{escape(str(row.name))}'
                f" · {escape(series[s][0])}: {value:.2f}</title></rect>"
            )
    body.append("</g>")
    legend_top = plot_top + plot_height + 34
    body.extend(_legend([name for name, _ in series], top=legend_top, left=left))
    height = int(legend_top + len(series) * 20 + 8)
    return _svg(width, height, label=title, chart_id=chart_id, for_web=for_web, body=body)


def _slice(cx: float, cy: float, outer: float, inner: float, start: float, end: float) -> str:
    """The path of a ring slice from angle ``start`` to ``end`` (radians, clockwise from 12)."""

    def point(radius: float, angle: float) -> str:
        return f"{_num(cx + radius * math.sin(angle))},{_num(cy - radius * math.cos(angle))}"

    large = 1 if end - start > math.pi else 0
    return (
        f"M{point(outer, start)} A{_num(outer)},{_num(outer)} 0 {large} 1 {point(outer, end)}"
        f" L{point(inner, end)} A{_num(inner)},{_num(inner)} 0 {large} 0 {point(inner, start)} Z"
    )


def share_chart_svg(
    rows: Sequence[Any],
    *,
    title: str,
    chart_id: str,
    for_web: bool = True,
    width: int = 480,
) -> str:
    """Draw each row's share of the allocated total as a ring (pie with a hole)."""
    amounts = [max(float(r.allocated_amount), 0.0) for r in rows]
    total = sum(amounts)
    cx, cy, outer = width / 2, 48 + 150.0, 150.0
    inner = outer * 0.45
    body = [_text(width / 2, 26, title, size=16, anchor="middle", cls="title", weight="600")]
    body.append('<g class="series">')
    angle = 0.0
    for i, (row, amount) in enumerate(zip(rows, amounts, strict=True)):
        if not total or not amount:
            continue
        share = amount / total
        colour = COLOURS[i % len(COLOURS)]
        label = f"{escape(str(row.name))}: {share * 100:.1f}%"
        if share >= 0.9999:  # a whole ring: two half slices (an arc cannot close on itself)
            path = (
                _slice(cx, cy, outer, inner, 0, math.pi)
                + " "
                + _slice(cx, cy, outer, inner, math.pi, 2 * math.pi)
            )
        else:
            path = _slice(cx, cy, outer, inner, angle, angle + share * 2 * math.pi)
        body.append(
            f'<path class="slice color-{i % len(COLOURS)}" d="{path}" fill="{colour}"'
            f' stroke="#ffffff"><title>{label}</title></path>'
        )
        angle += share * 2 * math.pi
    if not total:
        body.append(
            f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="{_num((outer + inner) / 2)}" fill="none"'
            f' stroke="{GRID}" stroke-width="{_num(outer - inner)}"/>'
        )
    body.append("</g>")
    legend_top = cy + outer + 24
    names = [
        f"{r.name} ({(a / total * 100) if total else 0:.1f}%)"
        for r, a in zip(rows, amounts, strict=True)
    ]
    body.extend(_legend(names, top=legend_top, left=24))
    height = int(legend_top + max(len(rows), 1) * 20 + 8)
    return _svg(width, height, label=title, chart_id=chart_id, for_web=for_web, body=body)


class Writer:
    """Writes a page's figures and progress bars, in the page's language.

    Made once per page: the thousands separator and the sentences around a progress bar are
    looked up once, not once per figure or row (a long table would otherwise spend more time
    on look-ups than the database spends finding its rows).
    """

    def __init__(self) -> None:
        self.separator = str(get_format("THOUSAND_SEPARATOR"))
        self.progress_of = _("Progress of %(name)s")
        self.done = _("%(percent)s%% done")

    def amount(self, value: Decimal | float | int | None) -> str:
        """Whole euros grouped as the language writes them, as ``floatformat:"0g"`` would."""
        whole = Decimal(str(value or 0)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return f"{int(whole):,}".replace(",", self.separator)

    __call__ = amount

    def progress_bar(self, percent_done: int, name: str) -> SafeString:
        """The accessible progress bar of ``name`` at ``percent_done`` (0..100), as
        programme/public/partials/_progress.html draws it."""
        percent_done = int(percent_done)
        return mark_safe(  # noqa: S308 - every value is escaped or a whole number
            _PROGRESS_BAR.format(
                percent_done,
                escape(self.progress_of % {"name": name}),
                percent_done,
                " bg-success" if percent_done == 100 else "",
                escape(self.done % {"percent": percent_done}),
            )
        )


# The portal's progress bar, written here for the rows of long tables, where a template
# include per row is the page's main cost.
_PROGRESS_BAR = (
    '<div class="progress portal-progress" role="progressbar" aria-valuenow="{}"'
    ' aria-valuemin="0" aria-valuemax="100" aria-label="{}"><div class="progress-bar w-pct-{}{}">'
    '</div></div>\n<span class="small">{}</span>'
)


def percent(value: float | Decimal | None) -> int:
    """Progress 0..1 as a whole percentage 0..100 (for progress bars and their CSS class)."""
    if value is None:
        return 0
    return max(0, min(100, round(float(value) * 100)))


def milestones_split(milestones: Iterable[Any], *, limit: int = 8) -> tuple[list[Any], list[Any]]:
    """Split milestones into the latest achieved and the next planned, ``limit`` of each."""
    achieved = sorted(
        (m for m in milestones if m.achieved_on), key=lambda m: (m.achieved_on, m.pk), reverse=True
    )
    upcoming = sorted(
        (m for m in milestones if not m.achieved_on), key=lambda m: (m.planned_on, m.pk)
    )
    return achieved[:limit], upcoming[:limit]


def programme_pdf(context: dict[str, Any], *, base_url: str) -> bytes:
    """Render the programme's state (cover, totals, funding, lines, milestones) as a PDF."""
    from weasyprint import HTML

    html = render_to_string("programme/public/presentation/pdf.html", context)
    return bytes(HTML(string=html, base_url=base_url).write_pdf())
