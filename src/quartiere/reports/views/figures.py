"""Report figures per lab and category, by month: tables and charts.

Charts are SVG drawn on the server by pygal and embedded in the page with their data table
beside them. The SVG carries no script (pygal's configuration script is removed) and no
``style`` attribute; its one ``<style>`` element gets the page's CSP nonce.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pygal
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from pygal.style import Style

from quartiere.accounts.selectors import lab_list, user_scope
from quartiere.core.exports import FORMATS, export_response
from quartiere.core.views import staff_view
from quartiere.reports import figures as calc
from quartiere.reports import selectors
from quartiere.reports.forms_desk import FiguresFilterForm
from quartiere.reports.views.desk import current_lab

CHART_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    font_family="'Titillium Web', Geneva, Tahoma, sans-serif",
    foreground="#1a1a1a",
    foreground_strong="#1a1a1a",
    foreground_subtle="#5c6f82",
    colors=("#0066cc", "#b5284b", "#00805a", "#8a4b00"),
    label_font_size=14,
    major_label_font_size=14,
    legend_font_size=14,
    title_font_size=18,
    value_font_size=12,
    tooltip_font_size=12,
)


def _month_label(month: dt.date | None) -> str:
    return formats.date_format(month, "m/Y") if month else ""


# --- Filters --------------------------------------------------------------------------------


def _filters(request: HttpRequest) -> tuple[FiguresFilterForm, dict[str, Any]]:
    """Read the filter form (defaults: the user's lab, the last 12 months)."""
    user = request.user
    scope = user_scope(user)
    labs = list(lab_list(user=user))
    lab = current_lab(request)
    today = timezone.localdate()
    end = calc.month_start(today)
    defaults = {
        "lab": "" if scope.all_labs or lab is None else str(lab.pk),
        "start": calc.add_months(end, -11).strftime("%Y-%m"),
        "end": end.strftime("%Y-%m"),
    }
    data = QueryDict(mutable=True)
    for key in ("lab", "category", "start", "end"):
        data[key] = request.GET.get(key, defaults.get(key, ""))
    chosen = next((one for one in labs if str(one.pk) == data["lab"]), None)
    categories = (
        list(selectors.category_list(user=user, lab_id=chosen.pk)) if chosen is not None else []
    )
    form = FiguresFilterForm(
        data,
        labs=labs,
        categories=categories,
        all_labs_choice=scope.all_labs or len(labs) > 1,
    )
    values: dict[str, Any] = {
        "lab_id": chosen.pk if chosen is not None else None,
        "category_id": None,
        "start": calc.add_months(end, -11),
        "end": end,
    }
    if form.is_valid():
        cleaned = form.cleaned_data
        values.update(
            lab_id=cleaned["lab"],
            category_id=cleaned["category"],
            start=cleaned["start"] or values["start"],
            end=cleaned["end"] or values["end"],
        )
    if values["lab_id"] is None and not scope.all_labs and len(labs) == 1:
        values["lab_id"] = labs[0].pk
    return form, values


def _query(values: dict[str, Any]) -> str:
    query = QueryDict(mutable=True)
    query["lab"] = values["lab_id"] or ""
    query["category"] = values["category_id"] or ""
    query["start"] = values["start"].strftime("%Y-%m")
    query["end"] = values["end"].strftime("%Y-%m")
    return query.urlencode()


# --- Charts ---------------------------------------------------------------------------------


def _scrubber(nonce: str, label: str) -> Any:
    """Return a pygal XML filter that removes scripts and style attributes and adds the nonce."""

    def scrub(root: Any) -> Any:
        for parent in root.iter():
            for child in list(parent):
                if str(child.tag).rsplit("}", 1)[-1] == "script":
                    parent.remove(child)
            parent.attrib.pop("style", None)
            if str(parent.tag).rsplit("}", 1)[-1] == "style" and nonce:
                parent.set("nonce", nonce)
        root.set("role", "img")
        root.set("aria-label", label)
        root.set("focusable", "false")
        root.set("class", f"{root.get('class', '')} report-chart".strip())
        return root

    return scrub


def chart_svg(chart: Any, *, nonce: str, label: str) -> SafeString:
    """Render a pygal chart as inline SVG safe for a page with a nonce-based CSP."""
    chart.add_xml_filter(_scrubber(nonce, label))
    # ElementTree escapes every text and attribute: the markup is safe to embed as is.
    return mark_safe(chart.render(is_unicode=True))  # noqa: S308


def _base_config(title: str) -> dict[str, Any]:
    return {
        "title": title,
        "style": CHART_STYLE,
        "disable_xml_declaration": True,
        "js": [],
        "width": 800,
        "height": 420,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 2,
        "no_data_text": _("No reports in this period"),
        "truncate_legend": -1,
        "x_label_rotation": 30,
    }


def _charts(
    nonce: str, months: Sequence[calc.FigureRow], categories: Sequence[calc.FigureRow]
) -> dict[str, SafeString]:
    labels = [_month_label(row.month) for row in months]
    counts_title = _("Reports received and still open, by month")
    counts = pygal.Bar(**_base_config(counts_title))
    counts.x_labels = labels
    counts.add(_("Received"), [row.received for row in months])
    counts.add(_("Still open"), [row.open_count for row in months])

    times_title = _("Median days to acknowledge and to resolve, by month")
    times = pygal.Line(**_base_config(times_title), allow_interruptions=True)
    times.x_labels = labels
    times.add(
        _("Median days to acknowledge"),
        [_round(row.median_acknowledge_days) for row in months],
    )
    times.add(_("Median days to resolve"), [_round(row.median_resolve_days) for row in months])

    shares_title = _("Share resolved within the service level, by category (%)")
    shares_config = _base_config(shares_title)
    shares_config.update(
        range=(0, 100),
        truncate_label=40,
        x_label_rotation=0,
        show_legend=False,
        width=600,
        height=max(240, 110 + 36 * len(categories)),
    )
    shares = pygal.HorizontalBar(**shares_config)
    several_labs = len({row.lab_id for row in categories}) > 1
    shares.x_labels = [
        f"{row.lab_name} · {row.category_name}" if several_labs else row.category_name
        for row in categories
    ]
    shares.add(_("Within the service level (%)"), [row.percent_within_sla for row in categories])
    return {
        "counts": chart_svg(counts, nonce=nonce, label=counts_title),
        "times": chart_svg(times, nonce=nonce, label=times_title),
        "shares": chart_svg(shares, nonce=nonce, label=shares_title),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# --- Views ----------------------------------------------------------------------------------


@staff_view("reports.view_report_figures")
def figures(request: HttpRequest) -> HttpResponse:
    """Reports received, still open, median times and share within the service level."""
    form, values = _filters(request)
    scope = user_scope(request.user)
    common = {
        "user": request.user,
        "start": values["start"],
        "end": values["end"],
        "lab_id": values["lab_id"],
        "category_id": values["category_id"],
    }
    months = calc.fill_months(
        selectors.report_figures(group_by=("month",), **common),
        calc.months_between(values["start"], values["end"]),
    )
    categories = selectors.report_figures(group_by=("category",), **common)
    # django-csp's lazy nonce is falsy until read: read it with str(), never with ``or``.
    nonce = str(request.csp_nonce) if hasattr(request, "csp_nonce") else ""
    return render(
        request,
        "reports/figures.html",
        {
            "form": form,
            "months": months,
            "categories": categories,
            "total": _total(months),
            "charts": _charts(nonce, months, categories),
            "show_lab": values["lab_id"] is None and (scope.all_labs or len(scope.lab_ids) > 1),
            "start": values["start"],
            "end": values["end"],
            "query": _query(values),
        },
    )


def _total(months: Sequence[calc.FigureRow]) -> dict[str, int]:
    return {
        "received": sum(row.received for row in months),
        "open_count": sum(row.open_count for row in months),
        "resolved": sum(row.resolved for row in months),
        "within_sla": sum(row.within_sla for row in months),
    }


def _number(value: float | None) -> Any:
    return "" if value is None else round(value, 1)


@staff_view("reports.view_report_figures")
def figures_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Download the figures per lab, category and month as CSV or XLSX (counts only)."""
    _form, values = _filters(request)
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        fmt = "csv"
    rows = selectors.report_figures(
        user=request.user,
        group_by=("lab", "category", "month"),
        start=values["start"],
        end=values["end"],
        lab_id=values["lab_id"],
        category_id=values["category_id"],
    )
    header = (
        _("Lab"),
        _("Category"),
        _("Month"),
        _("Received"),
        _("Still open"),
        _("Acknowledged"),
        _("Median days to acknowledge"),
        _("Resolved"),
        _("Median days to resolve"),
        _("Resolved within the service level"),
        _("Share within the service level (%)"),
    )
    return export_response(
        filename=f"segnalazioni-dati-{values['start']:%Y%m}-{values['end']:%Y%m}",
        fmt=fmt,
        header=header,
        rows=(
            (
                row.lab_name,
                row.category_name,
                row.month.strftime("%Y-%m") if row.month else "",
                row.received,
                row.open_count,
                row.acknowledged,
                _number(row.median_acknowledge_days),
                row.resolved,
                _number(row.median_resolve_days),
                row.within_sla,
                _number(row.percent_within_sla),
            )
            for row in rows
        ),
    )


urlpatterns: list[URLPattern] = [
    path("figures/", figures, name="figures"),
    path("figures/export/", figures_export, name="figures_export"),
]
