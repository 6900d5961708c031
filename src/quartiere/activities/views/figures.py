"""Activity figures: activities held, sessions, attendances and residents reached, by month,
kind and audience, as SVG charts (pygal, drawn on the server) with their data tables.

The SVG carries no script and no ``style`` attribute; its ``<style>`` element gets the page's
CSP nonce.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pygal
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from pygal.style import Style

from quartiere.accounts.selectors import lab_list, user_scope
from quartiere.activities import forms, selectors
from quartiere.activities.views.common import current_lab
from quartiere.core.views import staff_view

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


def _scrubber(nonce: str, label: str) -> Any:
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
        root.set("class", f"{root.get('class', '')} activity-chart".strip())
        return root

    return scrub


def _svg(chart: Any, *, nonce: str, label: str) -> SafeString:
    chart.add_xml_filter(_scrubber(nonce, label))
    # ElementTree escapes every text and attribute: the markup is safe to embed as is.
    return mark_safe(chart.render(is_unicode=True))  # noqa: S308


def _config(title: str, **extra: Any) -> dict[str, Any]:
    config = {
        "title": title,
        "style": CHART_STYLE,
        "disable_xml_declaration": True,
        "js": [],
        "width": 800,
        "height": 400,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 2,
        "no_data_text": _("No activity in this period"),
        "truncate_legend": -1,
        "x_label_rotation": 30,
    }
    config.update(extra)
    return config


def _charts(nonce: str, figures: selectors.ActivityFigures) -> dict[str, SafeString]:
    month_title = _("Sessions held and attendances, by month")
    months = pygal.Bar(**_config(month_title))
    months.x_labels = [formats.date_format(row.key, "m/Y") for row in figures.by_month]
    months.add(_("Sessions"), [row.sessions for row in figures.by_month])
    months.add(_("Attendances"), [row.attendances for row in figures.by_month])

    def horizontal(title: str, rows: Sequence[selectors.FigureRow]) -> SafeString:
        chart = pygal.HorizontalBar(
            **_config(
                title,
                x_label_rotation=0,
                width=600,
                height=max(240, 110 + 40 * len(rows)),
                truncate_label=40,
            )
        )
        chart.x_labels = [row.label for row in rows]
        chart.add(_("Attendances"), [row.attendances for row in rows])
        chart.add(_("Residents reached"), [row.residents for row in rows])
        return _svg(chart, nonce=nonce, label=title)

    return {
        "months": _svg(months, nonce=nonce, label=month_title),
        "kinds": horizontal(_("Attendances and residents reached, by kind"), figures.by_kind),
        "audiences": horizontal(
            _("Attendances and residents reached, by audience"), figures.by_audience
        ),
    }


@staff_view("activities.view_activity_figures")
def activity_figures(request: HttpRequest) -> HttpResponse:
    """The figures of the user's labs (every lab for the Region), for a year."""
    labs = list(lab_list(user=request.user).select_related(None).only("id", "name"))
    lab = current_lab(request)
    data = request.GET.copy() if request.GET else QueryDict(mutable=True)
    if "lab" not in data and lab is not None and not user_scope(request.user).all_labs:
        data["lab"] = str(lab.pk)
    form = forms.FiguresFilterForm(data, labs=labs)
    cleaned: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    figures = selectors.activity_figures(
        user=request.user, lab_id=cleaned.get("lab") or None, year=cleaned.get("year") or None
    )
    nonce = str(request.csp_nonce) if hasattr(request, "csp_nonce") else ""
    return render(
        request,
        "activities/figures.html",
        {
            "form": form,
            "figures": figures,
            "charts": _charts(nonce, figures),
            "lab_name": next((x.name for x in labs if x.pk == figures.lab_id), ""),
        },
    )
