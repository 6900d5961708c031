"""Attendance registers: the operator enters and submits, the responsible validates, the
coordinator corrects; printable PDF per session; export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quartiere.core import audit
from quartiere.core.exceptions import ApplicationError
from quartiere.core.exports import FORMATS, export_response
from quartiere.core.views import apply_service_errors, paginate, scoped_or_404, staff_view
from quartiere.training import forms, permissions, selectors
from quartiere.training.enums import RegisterStatus
from quartiere.training.models import AttendanceRecord, AttendanceRegister, TrainingSession
from quartiere.training.services import registers as services
from quartiere.training.views.pdf import pdf_response


@staff_view("training.view_attendanceregister")
def register_list(request: HttpRequest) -> HttpResponse:
    form = forms.RegisterFilterForm(request.GET or None)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    page = paginate(request, selectors.register_list(user=request.user, status=status))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "training/register_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@staff_view("training.export_enrolments")
def register_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    fmt = request.GET.get("format", "xlsx")
    if fmt not in FORMATS:
        raise Http404
    form = forms.RegisterFilterForm(request.GET or None)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    qs = selectors.register_list(user=request.user, status=status)
    audit.record(
        actor=request.user,
        action="training.registers_export",
        target_type="training.attendanceregister",
        label=f"{fmt} export",
    )
    return export_response(
        filename="registri-presenze",
        fmt=fmt,
        header=[
            "id",
            "path",
            "session_starts_at",
            "session_hours",
            "status",
            "lines",
            "hours_counted",
            "validated_by",
            "validated_at",
        ],
        rows=selectors.register_export_rows(qs=qs),
    )


@require_POST
@staff_view("training.enter_register")
def register_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open (or reopen) the register of a session."""
    session = selectors.session_get(user=request.user, pk=pk)
    session = scoped_or_404(request, session, model=TrainingSession, pk=pk)
    if not permissions.can_enter_register(request.user, session.path):
        raise PermissionDenied
    register = services.register_open(actor=request.user, session=session)
    return redirect("training:register_detail", pk=register.pk)


def _register_or_404(request: HttpRequest, pk: int) -> AttendanceRegister:
    return scoped_or_404(
        request,
        selectors.register_get(user=request.user, pk=pk),
        model=AttendanceRegister,
        pk=pk,
    )


def _register_form(
    register: AttendanceRegister, data: Any = None
) -> tuple[forms.RegisterForm, list[Any]]:
    session = register.session
    expected = services.expected_enrolments(session)
    lines = {r.enrolment_id: r for r in register.records.all()}
    initial: dict[str, Any] = {}
    for e in expected:
        record = lines.get(e.pk)
        if record is not None:
            initial[f"hours_{e.pk}"] = record.hours_present
            initial[f"late_{e.pk}"] = record.late_minutes
            initial[f"early_{e.pk}"] = record.early_leave_minutes
            initial[f"justified_{e.pk}"] = record.justified_absence
    form = forms.RegisterForm(data, initial=initial, enrolments=expected, max_hours=session.hours)
    return form, expected


def _entries(form: forms.RegisterForm) -> list[services.AttendanceEntry]:
    data = form.cleaned_data
    return [
        services.AttendanceEntry(
            enrolment_id=line["pk"],
            hours_present=data[f"hours_{line['pk']}"],
            late_minutes=data[f"late_{line['pk']}"],
            early_leave_minutes=data[f"early_{line['pk']}"],
            justified_absence=data[f"justified_{line['pk']}"],
        )
        for line in form.lines
    ]


def _detail_context(request: HttpRequest, register: AttendanceRegister) -> dict[str, Any]:
    path = register.session.path
    user = request.user
    return {
        "register": register,
        "session": register.session,
        "path": path,
        "lines": list(selectors.register_lines(register=register)),
        "can_enter": register.status == RegisterStatus.DRAFT
        and permissions.can_enter_register(user, path),
        "can_validate": permissions.can_validate_register(user, register),
        "can_correct": permissions.can_correct_attendance(user, register),
        "return_form": forms.ReturnForm(),
    }


@staff_view("training.view_attendanceregister")
def register_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a register; in draft, its lines are a form the operator fills and saves."""
    register = _register_or_404(request, pk)
    context = _detail_context(request, register)
    form = None
    if context["can_enter"]:
        form, _expected = _register_form(register, request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.register_save(
                    actor=request.user, register=register, entries=_entries(form)
                )
                if request.POST.get("action") == "submit":
                    services.register_submit(actor=request.user, register=register)
            except ApplicationError as exc:
                apply_service_errors(form, exc)
            else:
                if request.POST.get("action") == "submit":
                    messages.success(request, _("Register submitted for validation."))
                else:
                    messages.success(request, _("Register saved as a draft."))
                return redirect("training:register_detail", pk=register.pk)
    elif request.method == "POST":
        raise PermissionDenied
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(
        request,
        "training/register_detail.html",
        {**context, "form": form},
        status=status,
    )


@require_POST
@staff_view("training.validate_register")
def register_validate(request: HttpRequest, pk: int) -> HttpResponse:
    register = _register_or_404(request, pk)
    if not permissions.can_validate_register(request.user, register):
        raise PermissionDenied
    try:
        services.register_validate(actor=request.user, register=register)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Register validated: it is now locked."))
    return redirect("training:register_detail", pk=register.pk)


@require_POST
@staff_view("training.validate_register")
def register_return(request: HttpRequest, pk: int) -> HttpResponse:
    register = _register_or_404(request, pk)
    if not permissions.can_validate_register(request.user, register):
        raise PermissionDenied
    form = forms.ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.register_return(
                actor=request.user, register=register, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Register sent back to the operator."))
    else:
        messages.error(request, _("Say what the operator must fix."))
    return redirect("training:register_detail", pk=register.pk)


@staff_view("training.view_attendanceregister")
def attendance_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct one line of a validated register: a new audited entry with a reason."""
    record = AttendanceRecord.objects.filter(pk=pk).select_related("register").first()
    if record is None:
        raise Http404
    register = _register_or_404(request, record.register_id)
    if not permissions.can_correct_attendance(request.user, register):
        raise PermissionDenied
    record = (
        selectors.register_lines(register=register).filter(pk=pk).first()
    )  # with its participant and corrections
    if record is None:
        raise Http404
    form = forms.CorrectionForm(
        request.POST or None,
        initial={
            "hours_present": record.effective_hours,
            "late_minutes": record.late_minutes,
            "early_leave_minutes": record.early_leave_minutes,
            "justified_absence": record.justified_absence,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_correct(actor=request.user, record=record, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Correction recorded."))
            return redirect("training:register_detail", pk=register.pk)
    return render(
        request,
        "training/correction_form.html",
        {"form": form, "record": record, "register": register},
        status=400 if form.is_bound and form.errors else 200,
    )


@staff_view("training.view_attendanceregister")
def register_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable register of a session, with a signature line per participant."""
    register = _register_or_404(request, pk)
    session = register.session
    lines = {r.enrolment_id: r for r in selectors.register_lines(register=register)}
    people: list[dict[str, Any]] = [
        {"enrolment": e, "record": lines.get(e.pk)} for e in services.expected_enrolments(session)
    ]
    # Lines of people no longer expected (e.g. corrected later) stay on paper too.
    listed = {p["enrolment"].pk for p in people}
    people += [{"enrolment": r.enrolment, "record": r} for k, r in lines.items() if k not in listed]
    return pdf_response(
        request,
        "training/register_pdf.html",
        {
            "register": register,
            "session": session,
            "path": session.path,
            "people": people,
            "printed_on": date_format(timezone.localtime(), "DATETIME_FORMAT"),
        },
        filename=f"registro-{session.path_id}-{timezone.localtime(session.starts_at):%Y%m%d}.pdf",
    )
