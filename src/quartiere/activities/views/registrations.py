"""Back office: registrations and the waiting list, the tablet register and the sign-in sheet."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quartiere.activities import forms, selectors, services
from quartiere.activities.enums import RegistrationChannel, RegistrationStatus
from quartiere.activities.models import Attendance
from quartiere.activities.views.common import (
    activity_or_404,
    int_or_404,
    registration_or_404,
    session_or_404,
)
from quartiere.core.exceptions import ApplicationError
from quartiere.core.views import apply_service_errors, staff_view
from quartiere.people.selectors import resident_get, resident_list

MANAGE = "activities.manage_activity"
SEARCH_LIMIT = 20


def _resident_results(request: HttpRequest, q: str, lab_id: int) -> list[Any]:
    if len(q.strip()) < 2:
        return []
    return list(
        resident_list(user=request.user, q=q, lab_id=lab_id, with_address=False)
        .only("id", "first_name", "last_name", "birth_date")
        .order_by("last_name", "first_name", "id")[:SEARCH_LIMIT]
    )


@staff_view(MANAGE)
def registration_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Who holds a place, the waiting list in order, and the forms to register someone."""
    activity = activity_or_404(request, pk)
    search = forms.ResidentSearchForm(request.GET or None)
    q = search.cleaned_data.get("q", "") if search.is_valid() else ""
    registrations = list(selectors.registration_list(activity=activity))
    waitlist = [r for r in registrations if r.status == RegistrationStatus.WAITLISTED]
    for position, registration in enumerate(waitlist, start=1):
        registration.position = position  # type: ignore[attr-defined]
    return render(
        request,
        "activities/registration_list.html",
        {
            "activity": activity,
            "confirmed": [r for r in registrations if r.status == RegistrationStatus.CONFIRMED],
            "waitlist": waitlist,
            "cancelled": [r for r in registrations if r.status == RegistrationStatus.CANCELLED],
            "search": search,
            "q": q,
            "results": _resident_results(request, q, activity.lab_id),
            "contact_form": forms.ContactRegistrationForm(),
        },
    )


@require_POST
@staff_view(MANAGE)
def registration_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Register a resident found by search, or an unregistered person with contact details."""
    activity = activity_or_404(request, pk)
    contact_form = forms.ContactRegistrationForm(request.POST)
    resident = None
    if request.POST.get("resident"):
        resident = resident_get(user=request.user, pk=int_or_404(request.POST["resident"]))
        if resident is None:
            messages.error(request, _("Resident not found."))
            return redirect("activities:registration_list", pk=activity.pk)
    elif not contact_form.is_valid():
        return _registration_page_with_errors(request, activity, contact_form)
    try:
        registration = services.registration_create(
            actor=request.user,
            activity=activity,
            channel=RegistrationChannel.DESK,
            resident=resident,
            **({} if resident else contact_form.cleaned_data),
        )
    except ApplicationError as exc:
        if resident is not None:
            messages.error(request, exc.message)
            return redirect("activities:registration_list", pk=activity.pk)
        apply_service_errors(contact_form, exc)
        return _registration_page_with_errors(request, activity, contact_form)
    if registration.status == RegistrationStatus.CONFIRMED:
        messages.success(
            request, _("%(name)s is registered.") % {"name": registration.display_name}
        )
    else:
        messages.warning(
            request,
            _("The activity is full: %(name)s is on the waiting list.")
            % {"name": registration.display_name},
        )
    return redirect("activities:registration_list", pk=activity.pk)


def _registration_page_with_errors(
    request: HttpRequest, activity: Any, contact_form: forms.ContactRegistrationForm
) -> HttpResponse:
    registrations = list(selectors.registration_list(activity=activity))
    waitlist = [r for r in registrations if r.status == RegistrationStatus.WAITLISTED]
    for position, registration in enumerate(waitlist, start=1):
        registration.position = position  # type: ignore[attr-defined]
    return render(
        request,
        "activities/registration_list.html",
        {
            "activity": activity,
            "confirmed": [r for r in registrations if r.status == RegistrationStatus.CONFIRMED],
            "waitlist": waitlist,
            "cancelled": [r for r in registrations if r.status == RegistrationStatus.CANCELLED],
            "search": forms.ResidentSearchForm(),
            "q": "",
            "results": [],
            "contact_form": contact_form,
        },
        status=400,
    )


@require_POST
@staff_view(MANAGE)
def registration_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a registration; the first on the waiting list takes the place and is told."""
    registration = registration_or_404(request, pk)
    activity_or_404(request, registration.activity_id)
    try:
        services.registration_cancel(actor=request.user, registration=registration)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Registration of %(name)s cancelled.") % {"name": registration.display_name}
        )
    return redirect("activities:registration_list", pk=registration.activity_id)


# --- The register at the door --------------------------------------------------------------


@staff_view(MANAGE)
def session_register(request: HttpRequest, pk: int) -> HttpResponse:
    """The register of one session, for a tablet at the door: one tap per person."""
    session = session_or_404(request, pk)
    activity = activity_or_404(request, session.activity_id)
    search = forms.ResidentSearchForm(request.GET or None)
    q = search.cleaned_data.get("q", "") if search.is_valid() else ""
    lines = selectors.session_register(session=session)
    is_open = not session.is_cancelled and (
        timezone.localdate(session.starts_at) <= timezone.localdate()
    )
    return render(
        request,
        "activities/session_register.html",
        {
            "activity": activity,
            "session": session,
            "lines": lines,
            "present_count": sum(1 for line in lines if line.is_present),
            "is_open": is_open,
            "search": search,
            "q": q,
            "results": _resident_results(request, q, activity.lab_id),
            "walk_in_form": forms.WalkInForm(),
        },
    )


def _back_to_register(session_id: int, anchor: str = "") -> HttpResponse:
    url = reverse("activities:session_register", args=[session_id])
    return redirect(f"{url}#{anchor}" if anchor else url)


@require_POST
@staff_view(MANAGE)
def session_mark(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one line present or absent (a plain form: works without JavaScript)."""
    session = session_or_404(request, pk)
    activity_or_404(request, session.activity_id)
    is_present = request.POST.get("present") == "1"
    anchor = ""
    try:
        if request.POST.get("registration"):
            registration = registration_or_404(request, int_or_404(request.POST["registration"]))
            services.attendance_mark(
                actor=request.user,
                session=session,
                registration=registration,
                is_present=is_present,
            )
            anchor = f"reg-{registration.pk}"
        else:
            attendance = (
                Attendance.objects.filter(
                    session=session, pk=int_or_404(request.POST.get("attendance"))
                )
                .select_related("session")
                .first()
            )
            if attendance is None:
                messages.error(request, _("This line is not on the register any more."))
                return _back_to_register(session.pk)
            services.attendance_set(
                actor=request.user, attendance=attendance, is_present=is_present
            )
            anchor = f"att-{attendance.pk}"
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return _back_to_register(session.pk, anchor)


@require_POST
@staff_view(MANAGE)
def session_walk_in(request: HttpRequest, pk: int) -> HttpResponse:
    """Add someone who came without registering: a resident found by search, or a name."""
    session = session_or_404(request, pk)
    activity_or_404(request, session.activity_id)
    resident = None
    if request.POST.get("resident"):
        resident = resident_get(user=request.user, pk=int_or_404(request.POST["resident"]))
        if resident is None:
            messages.error(request, _("Resident not found."))
            return _back_to_register(session.pk)
    try:
        attendance = services.attendance_walk_in_add(
            actor=request.user,
            session=session,
            resident=resident,
            name=request.POST.get("name", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.fields.get("name", [exc.message])[0])
        return _back_to_register(session.pk, "walk-in")
    messages.success(request, _("%(name)s is present.") % {"name": attendance.display_name})
    return _back_to_register(session.pk)


@staff_view(MANAGE)
def session_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable PDF sign-in sheet: names and an empty signature column, nothing more."""
    from weasyprint import HTML

    session = session_or_404(request, pk)
    activity = activity_or_404(request, session.activity_id)
    lines = selectors.session_register(session=session)
    html = render_to_string(
        "activities/session_sheet.html",
        {
            "activity": activity,
            "session": session,
            "lines": lines,
            "blank_lines": range(max(8, 25 - len(lines))),
        },
        request=request,
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    local = timezone.localtime(session.starts_at)
    response["Content-Disposition"] = (
        f'inline; filename="registro-{activity.pk}-{local:%Y%m%d-%H%M}.pdf"'
    )
    return response
