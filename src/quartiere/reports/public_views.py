"""Public pages for reports: the web form, the tracking page, the public list and map."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from quartiere.core.views import public
from quartiere.reports import selectors


@public
def track(request: HttpRequest, code: str) -> HttpResponse:
    report = selectors.report_public_get(tracking_code=code)
    if report is None:
        raise Http404
    return render(request, "reports/public_track.html", {"report": report})
