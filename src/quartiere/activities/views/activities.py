"""Back office: the list of a lab's activities, the activity form, sessions and cancellation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quartiere.accounts.selectors import lab_list, organisation_list
from quartiere.activities import forms, selectors, services
from quartiere.activities.models import Activity
from quartiere.activities.views.common import activity_or_404, current_lab, session_or_404
from quartiere.core.exceptions import ApplicationError
from quartiere.core.exports import FORMATS, export_response
from quartiere.core.views import apply_service_errors, paginate, staff_view
from quartiere.territory.selectors import building_choices, building_get

MANAGE = "activities.manage_activity"
EXPORT_HEADER = (
    "id",
    "lab",
    "title",
    "kind",
    "audience",
    "status",
    "place",
    "organiser",
    "places",
    "sessions",
    "next_session",
    "confirmed",
    "waitlisted",
)


def _filtered(request: HttpRequest) -> tuple[forms.ActivityFilterForm, Any, list[Any]]:
    labs = list(lab_list(user=request.user).select_related(None).only("id", "name"))
    lab = current_lab(request)
    data = request.GET.copy() if request.GET else QueryDict(mutable=True)
    if "lab" not in data and lab is not None:
        data["lab"] = str(lab.pk)
    form = forms.ActivityFilterForm(data, labs=labs)
    cleaned: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    qs = selectors.activity_list(
        user=request.user,
        lab_id=cleaned.get("lab") or None,
        kind=cleaned.get("kind") or "",
        audience=cleaned.get("audience") or "",
        status=cleaned.get("status") or "",
        date_from=cleaned.get("date_from"),
        date_to=cleaned.get("date_to"),
        q=cleaned.get("q") or "",
    )
    return form, qs, labs


@staff_view(MANAGE)
def activity_list(request: HttpRequest) -> HttpResponse:
    """The activities of the user's labs, filtered, with places taken and the next session."""
    form, qs, labs = _filtered(request)
    page = paginate(request, qs)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "activities/activity_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "show_lab": len(labs) > 1,
        },
    )


@staff_view(MANAGE)
def activity_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Download the filtered list as CSV or XLSX (no personal data)."""
    _form, qs, _labs = _filtered(request)
    fmt = request.GET.get("format", "csv")
    return export_response(
        filename="attivita",
        fmt=fmt if fmt in FORMATS else "csv",
        header=EXPORT_HEADER,
        rows=selectors.activity_export_rows(qs=qs),
    )


def _form_options(request: HttpRequest) -> dict[str, Any]:
    labs = list(lab_list(user=request.user).select_related(None).only("id", "name"))
    return {
        "labs": labs,
        "buildings": building_choices(user=request.user),
        "organisations": list(organisation_list().only("id", "name")),
    }


def _service_fields(request: HttpRequest, cleaned: dict[str, Any]) -> dict[str, Any]:
    """Turn the form's ids into the objects the service takes (buildings within scope)."""
    fields = {k: v for k, v in cleaned.items() if k not in ("lab", "building", "organiser")}
    building_id = cleaned.get("building")
    fields["building"] = building_get(user=request.user, pk=building_id) if building_id else None
    organiser_id = cleaned.get("organiser")
    fields["organiser"] = (
        organisation_list().filter(pk=organiser_id).first() if organiser_id else None
    )
    fields["partners"] = list(organisation_list().filter(pk__in=cleaned.get("partners") or []))
    return fields


@staff_view(MANAGE)
def activity_create(request: HttpRequest) -> HttpResponse:
    """A new draft activity in one of the user's labs."""
    options = _form_options(request)
    lab = current_lab(request)
    initial = {"lab": lab.pk if lab else None, "is_registration_open": True, "is_public": True}
    form = forms.ActivityForm(request.POST or None, initial=initial, **options)
    if request.method == "POST" and form.is_valid():
        chosen = next((x for x in options["labs"] if x.pk == form.cleaned_data["lab"]), None)
        if chosen is None:
            form.add_error("lab", _("Choose one of your labs."))
        else:
            try:
                activity = services.activity_create(
                    actor=request.user, lab=chosen, **_service_fields(request, form.cleaned_data)
                )
            except ApplicationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Activity saved as a draft: now schedule its sessions.")
                )
                return redirect("activities:activity_detail", pk=activity.pk)
    return render(request, "activities/activity_form.html", {"form": form, "activity": None})


@staff_view(MANAGE)
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an activity's description, place, audience or places."""
    activity = activity_or_404(request, pk)
    options = _form_options(request)
    initial = {
        name: getattr(activity, name)
        for name in services.ACTIVITY_FIELDS
        if name not in ("building", "organiser")
    }
    initial.update(
        lab=activity.lab_id,
        building=activity.building_id,
        organiser=activity.organiser_id,
        partners=[p.pk for p in activity.partners.all()],
    )
    form = forms.ActivityForm(request.POST or None, initial=initial, fixed_lab=True, **options)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(
                actor=request.user, activity=activity, **_service_fields(request, form.cleaned_data)
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Activity saved."))
            return redirect("activities:activity_detail", pk=activity.pk)
    return render(request, "activities/activity_form.html", {"form": form, "activity": activity})


@staff_view(MANAGE)
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An activity: its details, sessions (with who came), places and the actions."""
    activity = activity_or_404(request, pk)
    return render(
        request,
        "activities/activity_detail.html",
        {
            "activity": activity,
            "sessions": selectors.activity_session_list(activity=activity),
            "schedule_form": forms.ScheduleForm(initial={"skip_holidays": True}),
            "cancel_form": forms.ReasonForm(prefix="cancel"),
            "confirmed_count": activity.registrations.filter(status="confirmed").count(),
            "waitlisted_count": activity.registrations.filter(status="waitlisted").count(),
        },
    )


@staff_view(MANAGE)
def activity_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Add one session or a weekly series to an activity."""
    activity = activity_or_404(request, pk)
    form = forms.ScheduleForm(request.POST or None, initial={"skip_holidays": True})
    if request.method == "POST" and form.is_valid():
        try:
            created = services.activity_sessions_schedule(
                actor=request.user, activity=activity, **form.schedule_kwargs()
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            if created:
                messages.success(
                    request,
                    _("%(n)d sessions added.") % {"n": len(created)}
                    if len(created) != 1
                    else _("1 session added."),
                )
            else:
                messages.info(request, _("No new session: they were all already scheduled."))
            return redirect("activities:activity_detail", pk=activity.pk)
    return render(
        request, "activities/activity_schedule.html", {"activity": activity, "form": form}
    )


@require_POST
@staff_view(MANAGE)
def activity_publish(request: HttpRequest, pk: int) -> HttpResponse:
    activity = activity_or_404(request, pk)
    try:
        services.activity_publish(actor=request.user, activity=activity)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Activity published."))
    return redirect("activities:activity_detail", pk=activity.pk)


@staff_view(MANAGE)
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel the activity with a reason; the people registered are told."""
    activity = activity_or_404(request, pk)
    form = forms.ReasonForm(request.POST or None, prefix="cancel")
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_cancel(
                actor=request.user, activity=activity, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Activity cancelled; the people registered are told."))
            return redirect("activities:activity_detail", pk=activity.pk)
    return render(
        request,
        "activities/confirm_cancel.html",
        {"activity": activity, "session": None, "form": form},
    )


@staff_view(MANAGE)
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel one session with a reason; the people registered are told."""
    session = session_or_404(request, pk)
    activity: Activity = activity_or_404(request, session.activity_id)
    form = forms.ReasonForm(request.POST or None, prefix="cancel")
    if request.method == "POST" and form.is_valid():
        try:
            services.session_cancel(
                actor=request.user, session=session, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Session cancelled; the people registered are told."))
            return redirect("activities:activity_detail", pk=activity.pk)
    return render(
        request,
        "activities/confirm_cancel.html",
        {"activity": activity, "session": session, "form": form},
    )
