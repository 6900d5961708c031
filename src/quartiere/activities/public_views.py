"""Public calendar of the labs' activities: upcoming sessions, a month grid (with its list
alternative), each activity's page, iCal feeds, and registration for verified residents.

Pages marked ``@public`` show no personal data: titles, places, times and free places only.
Registering and cancelling need a logged-in verified resident (not public).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from icalendar import Calendar, Event

from quartiere.accounts.selectors import public_lab_list
from quartiere.activities import selectors, services
from quartiere.activities.enums import (
    ActivityAudience,
    ActivityKind,
    ActivityPlaceKind,
    ActivityStatus,
    RegistrationChannel,
    SessionStatus,
)
from quartiere.activities.forms import PublicFilterForm
from quartiere.activities.models import Activity, ActivitySession
from quartiere.core.exceptions import ApplicationError
from quartiere.core.views import paginate, public
from quartiere.people.selectors import resident_for_user

PER_PAGE = 20
ICAL_PAST_DAYS = 90
MIN_YEAR, MAX_YEAR = 2000, 2100


def _filters(request: HttpRequest) -> tuple[PublicFilterForm, dict[str, Any], list[Any]]:
    labs = list(public_lab_list().select_related(None).only("id", "name", "slug"))
    form = PublicFilterForm(request.GET or None, labs=labs)
    cleaned: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    lab = next((x for x in labs if x.slug == cleaned.get("lab")), None)
    values = {
        "lab": lab,
        "lab_id": lab.pk if lab else None,
        "kind": cleaned.get("kind") or "",
        "audience": cleaned.get("audience") or "",
        "day": cleaned.get("day"),
    }
    return form, values, labs


def _query(values: dict[str, Any], *, with_day: bool = False) -> str:
    query = QueryDict(mutable=True)
    if with_day and values.get("day"):
        query["day"] = values["day"].isoformat()
    if values["lab"]:
        query["lab"] = values["lab"].slug
    for key in ("kind", "audience"):
        if values[key]:
            query[key] = values[key]
    return query.urlencode()


def _day_range(day: dt.date | None) -> dict[str, Any]:
    if day is None:
        return {}
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return {"starts_from": start, "starts_before": start + dt.timedelta(days=1)}


@dataclass(frozen=True, slots=True)
class SessionRow:
    """What the calendar shows of one session, as plain strings (rendered without lookups)."""

    url: str
    title: str
    day: dt.date
    date: str
    time: str
    details: str
    is_cancelled: bool


def _session_rows(sessions: Any, *, with_lab: bool) -> list[SessionRow]:
    """Turn sessions into rows once, in Python: the calendar shows hundreds of them and the
    template engine would look up every attribute and label of each one again."""
    tz = timezone.get_current_timezone()
    english = (get_language() or "it").startswith("en")
    base = reverse("activities_public:calendar")
    kinds = {k: str(v) for k, v in ActivityKind.choices}
    audiences = {k: str(v) for k, v in ActivityAudience.choices}
    places = {k: str(v) for k, v in ActivityPlaceKind.choices}
    common_room = str(_("Common room"))
    rows = []
    for session in sessions:
        activity = session.activity
        start = timezone.localtime(session.starts_at, tz)
        end = timezone.localtime(session.ends_at, tz)
        if activity.place_kind == ActivityPlaceKind.LAB:
            place = activity.place_name or activity.lab.name
        elif activity.place_kind == ActivityPlaceKind.COMMON_ROOM and activity.building_id:
            place = activity.place_name or common_room
        else:
            place = activity.place_name or places.get(activity.place_kind, "")
        details = [kinds.get(activity.kind, ""), audiences.get(activity.audience, ""), place]
        if with_lab:
            details.append(activity.lab.name)
        rows.append(
            SessionRow(
                url=f"{base}{activity.pk}-{activity.slug or 'attivita'}/",
                title=(activity.title_en if english else "") or activity.title_it,
                day=start.date(),
                date=formats.date_format(start, "l j F Y"),
                time=f"{start:%H:%M}\u2013{end:%H:%M}",
                details=" · ".join(d for d in details if d),
                is_cancelled=session.status == SessionStatus.CANCELLED
                or activity.status == ActivityStatus.CANCELLED,
            )
        )
    return rows


@public
def calendar_list(request: HttpRequest) -> HttpResponse:
    """The sessions still to come, soonest first, filtered by lab, kind and audience."""
    form, values, _labs = _filters(request)
    sessions = selectors.public_session_list(
        lab_id=values["lab_id"],
        kind=values["kind"],
        audience=values["audience"],
        **_day_range(values["day"]),
    )
    if values["day"] is not None:
        sessions = sessions.filter(starts_at__gte=_day_range(values["day"])["starts_from"])
    page = paginate(request, sessions, per_page=PER_PAGE)
    rows = _session_rows(page.object_list, with_lab=values["lab"] is None)
    today = timezone.localdate()
    return render(
        request,
        "activities/public/calendar_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "lab": values["lab"],
            "day": values["day"],
            "query": _query(values, with_day=True),
            "filter_query": _query(values),
            "month_url": reverse(
                "activities_public:calendar_month", args=[today.year, today.month]
            ),
        },
    )


@public
def calendar_month(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """A month grid of the public sessions (hidden on narrow screens), and the same as a list."""
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        raise Http404
    form, values, _labs = _filters(request)
    tz = timezone.get_current_timezone()
    first = dt.date(year, month, 1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    sessions, counts = selectors.public_month_sessions(
        lab_id=values["lab_id"],
        kind=values["kind"],
        audience=values["audience"],
        starts_from=dt.datetime.combine(first, dt.time.min, tzinfo=tz),
        starts_before=dt.datetime.combine(following, dt.time.min, tzinfo=tz),
    )
    by_day: dict[dt.date, list[SessionRow]] = defaultdict(list)
    for row in _session_rows(sessions, with_lab=values["lab"] is None):
        by_day[row.day].append(row)

    def cell(day: dt.date) -> dict[str, Any]:
        shown = by_day.get(day, [])
        return {
            "day": day,
            "in_month": day.month == month,
            "sessions": shown,
            "count": counts.get(day, 0),
            "more": counts.get(day, 0) - len(shown),
        }

    weeks = [
        [cell(day) for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]
    days = [cell(day) for day in sorted(counts) if day.month == month]
    query = _query(values)
    return render(
        request,
        "activities/public/calendar_month.html",
        {
            "form": form,
            "lab": values["lab"],
            "query": query,
            "month": first,
            "weeks": weeks,
            "weekdays": [dt.date(2024, 1, d) for d in range(1, 8)],  # Monday 1 Jan 2024
            "days": days,
            "session_count": sum(c["count"] for c in days),
            "previous": previous if previous.year >= MIN_YEAR else None,
            "following": following if following.year <= MAX_YEAR else None,
        },
    )


def _public_activity(pk: int) -> Activity:
    activity = selectors.public_activity_get(pk=pk)
    if activity is None:
        raise Http404
    return activity


@public
def activity_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    """An activity's public page: description, place, sessions, places left, how to join."""
    activity = _public_activity(pk)
    if slug != (activity.slug or "attivita"):
        return redirect(activity.get_absolute_url(), permanent=True)
    resident = resident_for_user(user=request.user)
    registration = selectors.resident_registration_get(activity=activity, resident=resident)
    now = timezone.now()
    sessions = activity.all_sessions  # type: ignore[attr-defined]
    upcoming = [s for s in sessions if s.ends_at >= now]
    return render(
        request,
        "activities/public/activity_detail.html",
        {
            "activity": activity,
            "upcoming": upcoming,
            "past_count": len(sessions) - len(upcoming),
            "free_places": selectors.public_free_places(activity=activity),
            "resident": resident,
            "registration": registration,
            "waitlist_position": (
                selectors.waitlist_position(registration=registration) if registration else None
            ),
            "can_register": activity.is_published
            and activity.is_registration_open
            and any(s.status == SessionStatus.SCHEDULED for s in upcoming),
            "partners": list(activity.partners.all()),
        },
    )


@login_required
@require_POST
def activity_register(request: HttpRequest, pk: int) -> HttpResponse:
    """Register the logged-in verified resident (confirmed, or on the waiting list when full)."""
    activity = _public_activity(pk)
    resident = resident_for_user(user=request.user)
    if resident is None:
        messages.error(
            request,
            _(
                "Only residents whose account the lab has verified can register online: "
                "call or visit the lab."
            ),
        )
        return redirect(activity.get_absolute_url())
    try:
        registration = services.registration_create(
            actor=request.user,
            activity=activity,
            channel=RegistrationChannel.PORTAL,
            resident=resident,
            language=(get_language() or "it")[:2],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if registration.status == "confirmed":
            messages.success(request, _("You are registered: see you there!"))
        else:
            messages.warning(
                request,
                _(
                    "The activity is full: you are on the waiting list. If a place frees up, "
                    "it is yours and we will tell you."
                ),
            )
    return redirect(activity.get_absolute_url())


@login_required
@require_POST
def activity_unregister(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel the logged-in resident's own registration (the place goes to the waiting list)."""
    activity = _public_activity(pk)
    resident = resident_for_user(user=request.user)
    registration = selectors.resident_registration_get(activity=activity, resident=resident)
    if registration is None:
        messages.error(request, _("You are not registered to this activity."))
    else:
        try:
            services.registration_cancel(actor=request.user, registration=registration)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your registration is cancelled."))
    return redirect(activity.get_absolute_url())


# --- iCalendar --------------------------------------------------------------------------------


def _event(session: ActivitySession, host: str) -> Event:
    activity = session.activity
    event = Event()
    # Stable: the same session keeps its UID however often the feed is read.
    event.add("uid", f"session-{session.pk}@{host}")
    event.add("dtstamp", session.updated_at if session.updated_at else timezone.now())
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", activity.title)
    location = activity.place_label
    if activity.place_address:
        location = f"{location}, {activity.place_address}"
    elif activity.place_kind == "lab":
        location = f"{activity.lab.name}, {activity.lab.address}"
    event.add("location", location)
    event.add("url", f"https://{host}{activity.get_absolute_url()}")
    if session.status == SessionStatus.CANCELLED or activity.status == "cancelled":
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    return event


def _ics_response(cal: Calendar, filename: str) -> HttpResponse:
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.ics"'
    return response


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Quartiere//Attivita dei laboratori//IT")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", str(timezone.get_current_timezone()))
    return cal


@public
def lab_ics(request: HttpRequest, lab_slug: str) -> HttpResponse:
    """The iCal feed of a lab's public sessions (the last three months and all to come)."""
    lab = next(
        iter(
            public_lab_list().select_related(None).filter(slug=lab_slug).only("id", "name", "slug")
        ),
        None,
    )
    if lab is None:
        raise Http404
    host = request.get_host()
    cal = _calendar(lab.name)
    since = timezone.now() - dt.timedelta(days=ICAL_PAST_DAYS)
    for session in selectors.public_lab_activity_sessions(lab_id=lab.pk, since=since):
        cal.add_component(_event(session, host))
    return _ics_response(cal, lab.slug)


@public
def activity_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Add to calendar": the sessions of one activity as an .ics file."""
    activity = _public_activity(pk)
    host = request.get_host()
    cal = _calendar(activity.title)
    for session in activity.all_sessions:  # type: ignore[attr-defined]
        session.activity = activity
        cal.add_component(_event(session, host))
    return _ics_response(cal, activity.slug or f"attivita-{activity.pk}")
