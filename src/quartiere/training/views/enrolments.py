"""Enrolment pages: eligibility check, enrolment, participant's page, statement, exports."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from quartiere.core import audit
from quartiere.core.exceptions import ApplicationError
from quartiere.core.exports import FORMATS, export_response
from quartiere.core.views import apply_service_errors, paginate, scoped_or_404, staff_view
from quartiere.monitoring.services import EntryData
from quartiere.people import selectors as people_selectors
from quartiere.training import allowance, eligibility, forms, permissions, selectors
from quartiere.training.enums import Gate
from quartiere.training.models import EligibilityCheck, Enrolment
from quartiere.training.services import enrolment as services
from quartiere.training.views.measures import _path_or_404
from quartiere.training.views.pdf import pdf_response

MAX_SEARCH_RESULTS = 20


# --- Allowance in words ---------------------------------------------------------------------


def _eur(value: Decimal) -> str:
    return number_format(value, decimal_pos=2, force_grouping=True)


def explain(month: allowance.MonthAllowance) -> list[str]:
    """The reason for every cap or threshold applied to one month, in words."""
    rule = month.rule
    out: list[str] = []
    for reason in month.reasons:
        if reason == allowance.Reason.NO_RULE:
            out.append(_("No allowance rule was in force this month: nothing is due."))
        elif reason == allowance.Reason.NO_HOURS:
            out.append(_("No validated hours this month."))
        elif reason == allowance.Reason.BELOW_MIN_ATTENDANCE and rule is not None:
            ratio = month.attendance_ratio or Decimal(0)
            out.append(
                _(
                    "Attended %(share)s%% of the scheduled hours, under the minimum of "
                    "%(min)s%%: nothing is due this month."
                )
                % {
                    "share": number_format(ratio * 100, decimal_pos=0),
                    "min": number_format((rule.min_attendance_ratio or 0) * 100, decimal_pos=0),
                }
            )
        elif reason == allowance.Reason.MONTH_CAP and rule is not None:
            out.append(
                _("%(hours)s h x EUR %(rate)s is over the monthly cap: EUR %(cap)s is due.")
                % {
                    "hours": number_format(month.validated_hours, decimal_pos=2),
                    "rate": _eur(month.rate),
                    "cap": _eur(rule.month_cap),
                }
            )
        elif reason == allowance.Reason.PERSON_CAP_PARTIAL and rule is not None:
            out.append(
                _("The per-person cap of EUR %(cap)s is reached this month: EUR %(amount)s is due.")
                % {"cap": _eur(rule.person_cap), "amount": _eur(month.amount)}
            )
        elif reason == allowance.Reason.PERSON_CAP_REACHED and rule is not None:
            out.append(
                _("The per-person cap of EUR %(cap)s was already reached: nothing more is due.")
                % {"cap": _eur(rule.person_cap)}
            )
    if not out and month.amount > 0:
        out.append(
            _("%(hours)s h x EUR %(rate)s = EUR %(amount)s.")
            % {
                "hours": number_format(month.validated_hours, decimal_pos=2),
                "rate": _eur(month.rate),
                "amount": _eur(month.amount),
            }
        )
    return out


def allowance_context(enrolment: Enrolment) -> dict[str, Any]:
    """The participant's months, amounts and reasons, ready for a page or the statement.

    The calculation is the person's in the measure: with several paths of the same measure, the
    months show the hours of all of them added up, and ``path_hours`` this path's share."""
    data = selectors.enrolment_allowance(enrolment=enrolment)
    person = {r.month: r for r in data.months}
    mine = {r.month: r.validated_hours for r in data.path_months}
    several = data.result.enrolment_count > 1
    rows = []
    for m in data.result.months:
        row = person.get(m.month)
        rows.append(
            {
                "month": m.month,
                "validated_hours": m.validated_hours,
                "scheduled_hours": m.scheduled_hours,
                "path_hours": mine.get(m.month, Decimal(0)) if several else None,
                "pending_hours": row.pending_hours if row else Decimal(0),
                "rate": m.rate,
                "gross": m.gross,
                "amount": m.amount,
                "reasons": explain(m),
            }
        )
    lines = selectors.payment_lines_by_enrolment(enrolment_ids=data.enrolment_ids)
    payments = sorted(
        (line for pk in data.enrolment_ids for line in lines.get(pk, [])),
        key=lambda line: (line.month, line.pk),
        reverse=True,
    )
    return {
        "payments": payments,
        "months": rows,
        "total": data.result.total,
        "person_cap": data.result.person_cap,
        "remaining": data.result.remaining_cap,
        "path_count": data.result.enrolment_count,
        "enrolment_ids": data.enrolment_ids,
        "rules": data.rules,
    }


# --- Eligibility and enrolment --------------------------------------------------------------


@staff_view("training.add_enrolment", "people.view_resident")
def path_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    """Find the resident to check for a path."""
    path = _path_or_404(request, pk)
    if not permissions.can_enrol(request.user, path):
        raise PermissionDenied
    form = forms.ResidentSearchForm(request.GET or None)
    results = None
    if form.is_valid() and form.cleaned_data["q"]:
        results = list(
            people_selectors.resident_list(
                user=request.user, q=form.cleaned_data["q"], lab_id=path.lab_id
            )[:MAX_SEARCH_RESULTS]
        )
    return render(
        request, "training/enrol_search.html", {"path": path, "form": form, "results": results}
    )


@staff_view("training.add_eligibilitycheck", "people.view_resident")
def eligibility_check_new(request: HttpRequest, pk: int, resident_pk: int) -> HttpResponse:
    """Record the declared evidence and check every gate of the path's measure."""
    path = _path_or_404(request, pk)
    if not permissions.can_enrol(request.user, path):
        raise PermissionDenied
    resident = people_selectors.resident_get(user=request.user, pk=resident_pk)
    if resident is None or resident.lab_id != path.lab_id:
        raise Http404
    form = forms.EligibilityForm(
        request.POST or None,
        initial={"permit_expires_on": resident.residence_permit_expires_on},
    )
    if request.method == "POST" and form.is_valid():
        try:
            check = services.eligibility_check_run(
                actor=request.user,
                measure=path.measure,
                resident=resident,
                checked_on=timezone.localdate(),
                **form.cleaned_data,
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect("training:check_detail", pk=path.pk, check_pk=check.pk)
    return render(
        request,
        "training/eligibility_form.html",
        {"path": path, "resident": resident, "form": form, "measure": path.measure},
    )


def gate_rows(check: EligibilityCheck) -> list[dict[str, Any]]:
    rows = []
    for gate in Gate:
        result = check.results.get(gate.value) or {}
        rows.append(
            {
                "gate": gate.label,
                "enabled": result.get("enabled", False),
                "passed": result.get("passed", True),
                "reason": eligibility.describe(gate.value, result),
            }
        )
    return rows


@staff_view("training.view_eligibilitycheck")
def check_detail(request: HttpRequest, pk: int, check_pk: int) -> HttpResponse:
    """Show which gates pass and fail; when all pass, the enrolment form."""
    path = _path_or_404(request, pk)
    check = scoped_or_404(
        request,
        selectors.eligibility_check_get(user=request.user, pk=check_pk),
        model=EligibilityCheck,
        pk=check_pk,
    )
    if check.measure_id != path.measure_id:
        raise Http404
    resident = check.resident
    can_enrol = check.passed and permissions.can_enrol(request.user, path)
    form = forms.EnrolmentForm(
        request.POST or None,
        initial={
            "planned_hours": path.hours,
            "account_holder": resident.full_name,
            "employment_status": "unemployed" if check.is_unemployed else "",
        },
    )
    if request.method == "POST":
        if not can_enrol:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                enrolment = services.enrolment_create(
                    actor=request.user,
                    path=path,
                    check=check,
                    enrolled_on=timezone.localdate(),
                    planned_hours=data["planned_hours"],
                    objectives=data["objectives"],
                    iban=data["iban"],
                    account_holder=data["account_holder"],
                    entry_data=EntryData(
                        employment_status=data["employment_status"],
                        unemployed_since=check.unemployed_since,
                        education_level=data["education_level"],
                        migrant_background=data["migrant_background"],
                        disability=data["disability"],
                        other_disadvantage=data["other_disadvantage"],
                        is_homeless=data["is_homeless"],
                    ),
                )
            except ApplicationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("%(name)s is enrolled.") % {"name": resident.full_name})
                return redirect("training:enrolment_detail", pk=enrolment.pk)
    return render(
        request,
        "training/check_detail.html",
        {
            "path": path,
            "check": check,
            "resident": resident,
            "rows": gate_rows(check),
            "form": form if can_enrol else None,
        },
    )


# --- Lists and the participant's page -------------------------------------------------------


def _enrolment_filters(request: HttpRequest) -> tuple[forms.EnrolmentFilterForm, dict[str, Any]]:
    measures = [(m.pk, m.name) for m in selectors.measure_list(user=request.user)]
    paths = [(p.pk, p.title) for p in selectors.path_list(user=request.user)]
    form = forms.EnrolmentFilterForm(request.GET or None, measures=measures, paths=paths)
    cleaned = form.cleaned_data if form.is_valid() else {}
    kwargs = {
        "measure_id": cleaned.get("measure"),
        "path_id": cleaned.get("path"),
        "status": cleaned.get("status") or "",
        "q": cleaned.get("q") or "",
    }
    return form, kwargs


@staff_view("training.view_enrolment")
def enrolment_list(request: HttpRequest) -> HttpResponse:
    form, kwargs = _enrolment_filters(request)
    page = paginate(request, selectors.enrolment_list(user=request.user, **kwargs))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "training/enrolment_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


EXPORT_HEADER = [
    "id",
    "last_name",
    "first_name",
    "codice_fiscale",
    "measure",
    "path",
    "status",
    "enrolled_on",
    "started_on",
    "withdrawn_on",
    "completed_on",
    "withdrawal_reason",
    "planned_hours",
    "iban_masked",
]


@staff_view("training.export_enrolments")
def enrolment_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    fmt = request.GET.get("format", "xlsx")
    if fmt not in FORMATS:
        raise Http404
    _form, kwargs = _enrolment_filters(request)
    qs = selectors.enrolment_list(user=request.user, **kwargs)
    audit.record(
        actor=request.user,
        action="training.enrolments_export",
        target_type="training.enrolment",
        label=f"{fmt} export",
        lab_id=request.lab.pk if request.lab else None,  # type: ignore[attr-defined]
    )
    return export_response(
        filename="iscrizioni",
        fmt=fmt,
        header=EXPORT_HEADER,
        rows=selectors.enrolment_export_rows(qs=qs),
    )


def _enrolment_or_404(request: HttpRequest, pk: int) -> Enrolment:
    return scoped_or_404(
        request, selectors.enrolment_get(user=request.user, pk=pk), model=Enrolment, pk=pk
    )


@staff_view("training.view_enrolment")
def enrolment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _enrolment_or_404(request, pk)
    can_change = bool(request.user.has_perm("training.change_enrolment")) and permissions.can_enrol(
        request.user, enrolment.path
    )
    return render(
        request,
        "training/enrolment_detail.html",
        {
            "enrolment": enrolment,
            "rows": gate_rows(enrolment.eligibility),
            "can_change": can_change,
            "action_form": forms.DateReasonForm(initial={"on": timezone.localdate()}),
            **allowance_context(enrolment),
        },
    )


ACTIONS: dict[str, tuple[Callable[..., Enrolment], str]] = {
    "start": (services.enrolment_start, "started_on"),
    "withdraw": (services.enrolment_withdraw, "withdrawn_on"),
    "complete": (services.enrolment_complete, "completed_on"),
}


@require_POST
@staff_view("training.change_enrolment")
def enrolment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    enrolment = _enrolment_or_404(request, pk)
    if action not in ACTIONS:
        raise Http404
    if not permissions.can_enrol(request.user, enrolment.path):
        raise PermissionDenied
    form = forms.DateReasonForm(request.POST)
    if form.is_valid():
        service, date_arg = ACTIONS[action]
        kwargs: dict[str, Any] = {date_arg: form.cleaned_data["on"]}
        if action == "withdraw":
            kwargs["reason"] = form.cleaned_data["reason"] or ""
        try:
            service(actor=request.user, enrolment=enrolment, **kwargs)
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Enrolment updated."))
            return redirect("training:enrolment_detail", pk=enrolment.pk)
    return render(
        request,
        "training/enrolment_detail.html",
        {
            "enrolment": enrolment,
            "rows": gate_rows(enrolment.eligibility),
            "can_change": True,
            "action_form": form,
            "failed_action": action,
            **allowance_context(enrolment),
        },
        status=400,
    )


@staff_view("training.change_enrolment")
def enrolment_bank_details(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the participant's IBAN (in their own name) on all their enrolments in the lab."""
    enrolment = _enrolment_or_404(request, pk)
    if not permissions.can_enrol(request.user, enrolment.path):
        raise PermissionDenied
    form = forms.BankDetailsForm(
        request.POST if request.method == "POST" else None,
        initial={"account_holder": enrolment.account_holder},
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.enrolment_bank_details_change(
                actor=request.user,
                enrolment=enrolment,
                iban=form.cleaned_data["iban"],
                account_holder=form.cleaned_data["account_holder"],
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Bank details changed on %(n)s enrolment.",
                    "Bank details changed on %(n)s enrolments of the participant.",
                    len(changed),
                )
                % {"n": len(changed)},
            )
            return redirect("training:enrolment_detail", pk=enrolment.pk)
    return render(
        request,
        "training/bank_details_form.html",
        {"enrolment": enrolment, "form": form},
        status=400 if form.is_bound else 200,
    )


def statement_context(enrolment: Enrolment) -> dict[str, Any]:
    """What the statement PDF shows: the participant, the months and the other paths of the
    measure whose hours count with this one's."""
    context = allowance_context(enrolment)
    others = [pk for pk in context["enrolment_ids"] if pk != enrolment.pk]
    return {
        "enrolment": enrolment,
        "resident": enrolment.resident,
        "generated_on": date_format(timezone.localdate(), "DATE_FORMAT"),
        "other_paths": selectors.enrolment_path_titles(enrolment_ids=others) if others else [],
        **context,
    }


def statement_response(request: HttpRequest, enrolment: Enrolment) -> HttpResponse:
    context = statement_context(enrolment)
    return pdf_response(
        request,
        "training/statement_pdf.html",
        context,
        filename=f"prospetto-indennita-{enrolment.pk}.pdf",
    )


@staff_view("training.view_enrolment")
def enrolment_statement(request: HttpRequest, pk: int) -> HttpResponse:
    return statement_response(request, _enrolment_or_404(request, pk))
