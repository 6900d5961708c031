"""Charts and the printable PDF of a programme's state (portal and presentation mode).

Charts are SVG drawn on the server with pygal. For web pages pygal's own ``<style>`` block and
``style`` attributes are removed (the Content-Security-Policy allows no inline style) and the
portal's stylesheet colours the chart; the PDF keeps pygal's styles (WeasyPrint has no CSP).
Every chart is shown beside a table with the same figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import gettext as _

_STYLE_BLOCK = re.compile(r"<style[^>]*>.*?</style>", re.DOTALL)
_STYLE_ATTR = re.compile(r'\sstyle="[^"]*"')
_SCRIPT = re.compile(r"<script[^>]*>.*?</script>|<script[^>]*/>", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_ROOT = re.compile(r"<svg\b([^>]*)>")
_ID_ATTR = re.compile(r'\sid="[^"]*"')


def _millions(value: Decimal | float | int) -> float:
    return round(float(value) / 1_000_000, 2)


# The sizes the portal's stylesheet gives chart texts: pygal places labels and legends from
# these, so they must match what the browser draws.
FONT = '"Titillium Web", Geneva, Tahoma, sans-serif'
COLOURS = ("#0066cc", "#008055", "#cc7a00", "#5c2f99", "#d1344c", "#17324d", "#5d7083")


def _style() -> Any:
    from pygal.style import Style

    return Style(
        font_family=FONT,
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#1a1a1a",
        foreground_strong="#1a1a1a",
        foreground_subtle="#5d7083",
        colors=COLOURS,
        title_font_size=16,
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=13,
        value_font_size=12,
        tooltip_font_size=12,
    )


def _chart_config(*, width: int, height: int, for_web: bool) -> dict[str, Any]:
    return {
        "style": _style(),
        "width": width,
        "height": height,
        "js": [],
        "no_prefix": True,
        "disable_xml_declaration": True,
        "explicit_size": not for_web,
        "show_legend": True,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 1,
        "print_values": False,
        "truncate_label": -1,
        "truncate_legend": -1,
        "margin": 16,
        "spacing": 12,
    }


def _finish(svg: str, *, label: str, for_web: bool, chart_id: str) -> str:
    """Make pygal's SVG safe for the page: no script, no inline style, an accessible name."""
    svg = _SCRIPT.sub("", svg).replace('id="activate-serie-', f'id="{chart_id}-serie-')
    svg = _COMMENT.sub("", svg)
    if for_web:
        svg = _STYLE_BLOCK.sub("", svg)
        svg = _STYLE_ATTR.sub("", svg)
    match = _ROOT.search(svg)
    if match:
        attrs = _ID_ATTR.sub("", match.group(1))
        root = f'<svg{attrs} role="img" aria-label="{escape(label)}" focusable="false">'
        svg = svg[: match.start()] + root + svg[match.end() :]
    return svg


def funding_chart_svg(
    rows: Sequence[Any],
    *,
    title: str,
    chart_id: str,
    for_web: bool = True,
    width: int = 640,
    height: int = 420,
) -> str:
    """Draw allocated, committed and paid amounts per row (in EUR million) as horizontal bars.

    ``rows`` are FundingRow-like objects with ``name``, ``allocated_amount``,
    ``committed_amount`` and ``paid_amount``.
    """
    import pygal

    chart = pygal.HorizontalBar(**_chart_config(width=width, height=height, for_web=for_web))
    chart.title = title
    chart.x_labels = [str(r.name) for r in rows]
    chart.value_formatter = lambda v: f"{v:.2f}"
    chart.add(_("Allocated (EUR million)"), [_millions(r.allocated_amount) for r in rows])
    chart.add(_("Committed (EUR million)"), [_millions(r.committed_amount) for r in rows])
    chart.add(_("Paid (EUR million)"), [_millions(r.paid_amount) for r in rows])
    return _finish(
        str(chart.render(is_unicode=True)), label=title, for_web=for_web, chart_id=chart_id
    )


def share_chart_svg(
    rows: Sequence[Any],
    *,
    title: str,
    chart_id: str,
    for_web: bool = True,
    width: int = 480,
    height: int = 460,
) -> str:
    """Draw each row's share of the allocated total as a ring (pie with a hole)."""
    import pygal

    chart = pygal.Pie(
        inner_radius=0.45, **_chart_config(width=width, height=height, for_web=for_web)
    )
    chart.title = title
    chart.value_formatter = lambda v: f"{v:.2f}"
    for r in rows:
        chart.add(str(r.name), [_millions(r.allocated_amount)])
    return _finish(
        str(chart.render(is_unicode=True)), label=title, for_web=for_web, chart_id=chart_id
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
