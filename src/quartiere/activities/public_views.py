"""Public calendar of the labs' activities: upcoming sessions, a month grid (with its list
alternative), each activity's page, iCal feeds, and registration for verified residents.

Pages marked ``@public`` show no personal data: titles, places, times and free places only.
Registering and cancelling need a logged-in verified resident (not public).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from html import escape as html_escape
from typing import Any, NamedTuple, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
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
from quartiere.core.shell import render_page
from quartiere.core.templatetags.paging import pagination
from quartiere.core.views import public
from quartiere.people.selectors import resident_for_user

PER_PAGE = 20
# What the calendar pages write out per request; everything else shapes the page (core.shell).
LIST_SLOTS = (
    "filters",
    "rows",
    "pagination",
    "lab_name",
    "lab_ics_url",
    "result_count",
    "home_url",
    "all_url",
    "month_url",
)
MONTH_SLOTS = (
    "filters",
    "month_label",
    "title",
    "caption",
    "home_url",
    "list_url",
    "list_query_url",
    "grid",
    "weekdays",
    "days",
    "session_count",
    "previous_url",
    "previous_label",
    "following_url",
    "following_label",
)
ICAL_PAST_DAYS = 90
MIN_YEAR, MAX_YEAR = 2000, 2100


LabRow = tuple[int, str, str]  # id, name, slug
_Weeks = tuple[tuple[tuple[dt.date, str], ...], ...]  # (day, cell) by week


class PublicLab(NamedTuple):
    """A lab as the calendar's filter shows it."""

    id: int
    name: str
    slug: str


_KINDS = frozenset(ActivityKind.values)
_AUDIENCES = frozenset(ActivityAudience.values)
_DAY = forms.DateField(required=False)


def _clean(data: QueryDict, labs: list[LabRow]) -> dict[str, Any] | None:
    """Validate the filters as ``PublicFilterForm`` does, without building the form (it is
    built only when the filter bar is not cached); None when any value is not valid."""
    slug = data.get("lab") or ""
    kind = data.get("kind") or ""
    audience = data.get("audience") or ""
    if (kind and kind not in _KINDS) or (audience and audience not in _AUDIENCES):
        return None
    lab = None
    if slug:
        lab = next((PublicLab(*row) for row in labs if row[2] == slug), None)
        if lab is None:
            return None
    day = None
    if data.get("day"):
        try:
            day = _DAY.clean(data.get("day"))
        except ValidationError:
            return None
    return {"lab": lab, "kind": kind, "audience": audience, "day": day}


def _render_filters(data: QueryDict | None, labs: Iterable[LabRow], action: str) -> str:
    form = PublicFilterForm(data, labs=[PublicLab(*row) for row in labs])
    return render_to_string(
        "activities/public/_filters.html", {"form": form, "filter_action": action}
    )


@lru_cache(maxsize=512)
def _cached_filters(
    language: str,
    labs: tuple[LabRow, ...],
    lab: str,
    kind: str,
    audience: str,
    action: str,
) -> str:
    """The filter bar for valid choices: the same labs, choices and language give the same
    HTML, so it is rendered once (the labs are part of the key: a new lab shows at once)."""
    data = QueryDict(mutable=True)
    for key, value in (("lab", lab), ("kind", kind), ("audience", audience)):
        if value:
            data[key] = value
    return _render_filters(data or None, labs, action)


def _filters(request: HttpRequest, *, action: str) -> tuple[str, dict[str, Any]]:
    """The filter bar's HTML and the chosen filters (none when a value is not valid)."""
    labs = selectors.public_lab_rows()  # (id, name, slug)
    cleaned = _clean(request.GET, labs)
    if cleaned is None:
        html = _render_filters(request.GET, labs, action)
        cleaned = {"lab": None, "kind": "", "audience": "", "day": None}
    else:
        lab = cleaned["lab"]
        html = _cached_filters(
            get_language() or "it",
            tuple(labs),
            lab.slug if lab else "",
            cleaned["kind"],
            cleaned["audience"],
            action,
        )
    cleaned["lab_id"] = cleaned["lab"].id if cleaned["lab"] else None
    return mark_safe(html), cleaned  # noqa: S308 - rendered by the template engine


def _query(values: dict[str, Any], *, with_day: bool = False) -> str:
    """The filters as a query string (as ``QueryDict.urlencode`` writes it)."""
    pairs = []
    if with_day and values.get("day"):
        pairs.append(("day", values["day"].isoformat()))
    if values["lab"]:
        pairs.append(("lab", values["lab"].slug))
    for key in ("kind", "audience"):
        if values[key]:
            pairs.append((key, values[key]))
    return urlencode(pairs)


def _day_range(day: dt.date | None) -> dict[str, Any]:
    if day is None:
        return {}
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return {"starts_from": start, "starts_before": start + dt.timedelta(days=1)}


class SessionRow(NamedTuple):
    """What the calendar shows of one session, as strings already escaped for HTML (each row
    is written twice in the month, and escaped once)."""

    url: str
    title: str
    day: dt.date
    date: str
    time: str
    details: str
    badge: str  # the "Cancelled" badge, or nothing


@lru_cache(maxsize=8)
def _labels(language: str) -> tuple[dict[str, str], dict[str, str], dict[str, str], str]:
    """The kinds, audiences and places in words, and "Common room", in one language (cached:
    the calendar would translate them again for every row)."""
    return (
        {k: str(v) for k, v in ActivityKind.choices},
        {k: str(v) for k, v in ActivityAudience.choices},
        {k: str(v) for k, v in ActivityPlaceKind.choices},
        str(_("Common room")),
    )


class _Names(NamedTuple):
    weekdays: tuple[str, ...]  # Monday first
    weekdays_short: tuple[str, ...]
    months: tuple[str, ...]  # January first

    def day_month(self, day: dt.date) -> str:
        """As the date filter's "j F"."""
        return f"{day.day} {self.months[day.month - 1]}"

    def weekday_day_month(self, day: dt.date) -> str:
        """As "l j F"."""
        return f"{self.weekdays[day.weekday()]} {day.day} {self.months[day.month - 1]}"

    def month_year(self, day: dt.date) -> str:
        """As "F Y"."""
        return f"{self.months[day.month - 1]} {day.year}"


@lru_cache(maxsize=8)
def _names(language: str) -> _Names:
    """The names of the weekdays and months in one language (the calendar writes dozens of
    dates: formatting each through the date filter cost more than its SQL)."""
    monday = dt.date(2024, 1, 1)
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    return _Names(
        tuple(formats.date_format(d, "l") for d in days),
        tuple(formats.date_format(d, "D") for d in days),
        tuple(formats.date_format(dt.date(2024, m, 1), "F") for m in range(1, 13)),
    )


@lru_cache(maxsize=64)
def _reverse(prefix: str, name: str, *args: Any) -> str:
    return reverse(name, args=args)


def _url(name: str, *args: Any) -> str:
    """``reverse`` once per script prefix, name and arguments."""
    return _reverse(get_script_prefix(), name, *args)


def _session_rows(
    sessions: Iterable[tuple[Any, ...]], *, with_lab: bool, with_date: bool = True
) -> list[SessionRow]:
    """Turn sessions (tuples of ``selectors.PUBLIC_ROW_FIELDS``) into rows once, in Python: the
    calendar shows hundreds of them and the template engine would look up every attribute and
    label of each one again."""
    tz = timezone.get_current_timezone()
    language = get_language() or "it"
    english = language.startswith("en")
    base = _url("activities_public:calendar")
    kinds, audiences, places, common_room = _labels(language)
    names = _names(language)
    badge = _badge()
    dates: dict[dt.date, str] = {}
    rows = []
    for (
        starts_at,
        ends_at,
        status,
        activity_id,
        slug,
        title_it,
        title_en,
        kind,
        audience,
        place_kind,
        building_id,
        place_name,
        activity_status,
        lab_name,
    ) in sessions:
        start = starts_at.astimezone(tz)
        end = ends_at.astimezone(tz)
        if place_name:
            place = place_name
        elif place_kind == ActivityPlaceKind.LAB:
            place = lab_name
        elif place_kind == ActivityPlaceKind.COMMON_ROOM and building_id:
            place = common_room
        else:
            place = places.get(place_kind, "")
        details = [kinds.get(kind, ""), audiences.get(audience, ""), place]
        if with_lab:
            details.append(lab_name)
        details = [d for d in details if d]
        day = start.date()
        date = dates.get(day, "")
        if with_date and not date:
            date = dates[day] = f"{names.weekday_day_month(day)} {day.year}"  # "l j F Y"
        cancelled = status == SessionStatus.CANCELLED or activity_status == ActivityStatus.CANCELLED
        rows.append(
            SessionRow(
                url=html_escape(f"{base}{activity_id}-{slug or 'attivita'}/"),
                title=html_escape((title_en if english else "") or title_it),
                day=day,
                date=html_escape(date),
                time=f"{start.hour:02d}:{start.minute:02d}\u2013{end.hour:02d}:{end.minute:02d}",
                details=html_escape(" · ".join(details)),
                badge=badge if cancelled else "",
            )
        )
    return rows


def _badge() -> str:
    return f' <span class="badge bg-danger">{html_escape(_("Cancelled"))}</span>'


def _list_html(rows: list[SessionRow]) -> SafeString:
    """The list's items, written in Python (the template would resolve each field again)."""
    return SafeString(  # every value is escaped
        "".join(
            f'<li class="mb-3" data-testid="calendar-session"><a href="{r.url}" '
            f'class="fw-semibold">{r.title}</a>{r.badge}'
            f"<br><span>{r.date}, {r.time}</span><br>"
            f"<small>{r.details}</small></li>"
            for r in rows
        )
    )


@public
def calendar_list(request: HttpRequest) -> HttpResponse:
    """The sessions still to come, soonest first, filtered by lab, kind and audience."""
    list_url = _url("activities_public:calendar")
    filters, values = _filters(request, action=list_url)
    day = values["day"]
    day_range = _day_range(day)
    sessions = selectors.public_session_rows(
        lab_id=values["lab_id"],
        kind=values["kind"],
        audience=values["audience"],
        starts_at_from=day_range.get("starts_from"),
        **day_range,
    )
    # compiled.PagedRows pages like a queryset: count() and slices.
    page: Page = Paginator(cast(Any, sessions), PER_PAGE).get_page(request.GET.get("page"))
    rows = _session_rows(page.object_list, with_lab=values["lab"] is None)
    today = timezone.localdate()
    n = page.paginator.count
    if day is not None:
        date = f"{_names(get_language() or 'it').weekday_day_month(day)} {day.year}"
        result_count = ngettext("%(n)s session on %(date)s", "%(n)s sessions on %(date)s", n) % {
            "n": n,
            "date": date,
        }
    else:
        result_count = ngettext("%(n)s session to come", "%(n)s sessions to come", n) % {"n": n}
    filter_query = _query(values)
    suffix = f"?{filter_query}" if filter_query else ""
    query = _query(values, with_day=True)
    lab = values["lab"]
    context = {
        "filters": filters,
        "rows": _list_html(rows),
        "pagination": pagination(page, query),
        "lab": lab is not None,
        "lab_name": lab.name if lab else "",
        "lab_ics_url": _url("activities_public:lab_ics", lab.slug) if lab else "",
        "day": day is not None,
        "result_count": result_count,
        "home_url": _url("portal:home"),
        "all_url": f"{list_url}{suffix}",
        "month_url": _url("activities_public:calendar_month", today.year, today.month) + suffix,
    }
    return render_page(request, "activities/public/calendar_list.html", context, slots=LIST_SLOTS)


def _grid_items(rows: list[SessionRow]) -> str:
    """A day's sessions as items of the month grid."""
    return "".join(f'<li><a href="{r.url}">{r.time} {r.title}</a>{r.badge}</li>' for r in rows)


def _list_items(rows: list[SessionRow]) -> str:
    """A day's sessions as items of the list under the grid."""
    return "".join(
        f'<li class="mb-2" data-testid="calendar-session"><a href="{r.url}" '
        f'class="fw-semibold">{r.title}</a>{r.badge}'
        f"<br><span>{r.time}</span> · <small>{r.details}</small></li>"
        for r in rows
    )


def _cell(number: str, content: str, *, in_month: bool) -> str:
    return (
        f'<td class="{"" if in_month else "other-month"}">\n'
        f'      <span class="fw-semibold">{number}</span>\n'
        f"      {content}\n    </td>"
    )


@lru_cache(maxsize=64)
def _empty_month(language: str, year: int, month: int) -> _Weeks:
    """The weeks of a month's grid as (day, its cell without sessions): most cells of a month
    are written the same for every request, so they are written once per language."""
    names = _names(language)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        cells = []
        for day in week:
            if day.month == month:
                number = str(day.day)
            else:
                number = (
                    f'<span class="visually-hidden">{html_escape(names.day_month(day))}</span>'
                    f'<span aria-hidden="true">{day.day}</span>'
                )
            cells.append((day, _cell(number, "", in_month=day.month == month)))
        weeks.append(tuple(cells))
    return tuple(weeks)


def _day_link(list_url: str, query: str) -> str:
    return f"{html_escape(list_url)}?{html_escape(query) + '&amp;' if query else ''}day="


def _grid_html(
    year: int,
    month: int,
    by_day: dict[dt.date, list[SessionRow]],
    counts: dict[dt.date, int],
    *,
    day_link: str,
    names: _Names,
    language: str,
) -> SafeString:
    """The rows of the month grid, written in Python: 42 cells of nested template tags cost
    more than the month's SQL."""
    html = []
    for week in _empty_month(language, year, month):
        cells = []
        for day, empty in week:
            shown = by_day.get(day) if day.month == month else None
            if not shown:
                cells.append(empty)
                continue
            content = f"<ul>{_grid_items(shown)}</ul>"
            more = counts.get(day, 0) - len(shown)
            if more > 0:
                text = ngettext("and %(n)s more", "and %(n)s more", more) % {"n": more}
                hidden = html_escape(names.day_month(day))
                content += (
                    f'<a href="{day_link}{day.isoformat()}">{html_escape(text)}'
                    f'<span class="visually-hidden"> {hidden}</span></a>'
                )
            cells.append(_cell(str(day.day), content, in_month=True))
        html.append("<tr>\n    " + "".join(cells) + "\n  </tr>")
    return SafeString("".join(html))  # every value is escaped


def _days_html(
    days: list[dt.date],
    by_day: dict[dt.date, list[SessionRow]],
    counts: dict[dt.date, int],
    *,
    day_link: str,
    names: _Names,
) -> SafeString:
    """The month's days with sessions, as the list under the grid (written in Python, as the
    grid is)."""
    html = []
    for day in days:
        shown = by_day.get(day, [])
        html.append(
            f'<h3 class="h5 mt-3">{html_escape(names.weekday_day_month(day))}</h3>\n'
            f'<ul class="list-unstyled mb-1" data-testid="month-list">{_list_items(shown)}</ul>\n'
        )
        count = counts[day]
        if count > len(shown):
            text = ngettext(
                "All %(n)s sessions of %(date)s", "All %(n)s sessions of %(date)s", count
            ) % {"n": count, "date": names.day_month(day)}
            html.append(f'<p><a href="{day_link}{day.isoformat()}">{html_escape(text)}</a></p>\n')
    return SafeString("".join(html))  # every value is escaped


@lru_cache(maxsize=8)
def _weekday_header(language: str) -> SafeString:
    names = _names(language)
    return SafeString(  # every value is escaped
        "".join(
            f'<th scope="col"><abbr title="{html_escape(long)}">{html_escape(short)}</abbr></th>'
            for long, short in zip(names.weekdays, names.weekdays_short, strict=True)
        )
    )


@public
def calendar_month(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """A month grid of the public sessions (hidden on narrow screens), and the same as a list."""
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        raise Http404
    filters, values = _filters(
        request, action=_url("activities_public:calendar_month", year, month)
    )
    tz = timezone.get_current_timezone()
    language = get_language() or "it"
    names = _names(language)
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
    for row in _session_rows(sessions, with_lab=values["lab"] is None, with_date=False):
        by_day[row.day].append(row)
    days = [day for day in sorted(counts) if day.month == month]
    query = _query(values)
    suffix = f"?{query}" if query else ""
    list_url = _url("activities_public:calendar")
    day_link = _day_link(list_url, query)
    session_count = sum(counts[day] for day in days)
    month_label = names.month_year(first)

    def url_of(day: dt.date) -> str:
        url = _url("activities_public:calendar_month", day.year, day.month)
        return f"{url}{suffix}"

    has_previous, has_following = previous.year >= MIN_YEAR, following.year <= MAX_YEAR
    context = {
        "filters": filters,
        "month_label": month_label,
        "title": _("Activities in %(month)s") % {"month": month_label},
        "caption": _("Calendar of %(month)s; the same sessions are listed by day below.")
        % {"month": month_label},
        "home_url": _url("portal:home"),
        "list_url": list_url,
        "list_query_url": f"{list_url}{suffix}",
        "grid": _grid_html(
            year, month, by_day, counts, day_link=day_link, names=names, language=language
        ),
        "weekdays": _weekday_header(language),
        "days": _days_html(days, by_day, counts, day_link=day_link, names=names),
        "session_count": ngettext(
            "%(n)s session this month", "%(n)s sessions this month", session_count
        )
        % {"n": session_count},
        "previous_url": url_of(previous) if has_previous else "",
        "previous_label": names.month_year(previous) if has_previous else "",
        "following_url": url_of(following) if has_following else "",
        "following_label": names.month_year(following) if has_following else "",
    }
    return render_page(request, "activities/public/calendar_month.html", context, slots=MONTH_SLOTS)


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
