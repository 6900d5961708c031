"""The resident's own page: their paths, hours per month, allowance and statement."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from quartiere.people.selectors import resident_for_user
from quartiere.training import selectors
from quartiere.training.views.enrolments import allowance_context, statement_response


@login_required
def my_training(request: HttpRequest) -> HttpResponse:
    """A verified resident sees their own enrolments and allowance; nobody else's.

    The allowance is per person and measure, so it is shown once per measure, below the paths
    of that measure the resident is enrolled on."""
    resident = resident_for_user(user=request.user)
    measures: dict[int, dict[str, Any]] = {}
    if resident is not None:
        for e in selectors.resident_enrolments(resident_id=resident.pk):
            item = measures.get(e.measure_id)
            if item is None:
                measures[e.measure_id] = {
                    "measure": e.measure,
                    "enrolments": [e],
                    **allowance_context(e),
                }
            else:
                item["enrolments"].append(e)
    return render(
        request,
        "training/my_training.html",
        {"resident": resident, "measures": list(measures.values())},
    )


@login_required
def my_statement(request: HttpRequest, pk: int) -> HttpResponse:
    resident = resident_for_user(user=request.user)
    if resident is None:
        raise Http404
    enrolment = selectors.resident_enrolments(resident_id=resident.pk).filter(pk=pk).first()
    if enrolment is None:
        raise Http404
    return statement_response(request, enrolment)
