"""Reads of the activities context: back-office lists scoped to the user's labs, the public
calendar (no personal data) and the figures."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, TruncDate, TruncMonth
from django.utils import timezone

from quartiere.accounts.selectors import public_lab_list, user_scope
from quartiere.activities.enums import (
    ActivityAudience,
    ActivityKind,
    ActivityStatus,
    RegistrationStatus,
    SessionStatus,
)
from quartiere.activities.models import Activity, ActivitySession, Attendance, Registration
from quartiere.core import compiled
from quartiere.core.compiled import Statement, compile_query, run

PUBLIC_ACTIVITY_FIELDS = (
    "activity__id",
    "activity__slug",
    "activity__title_it",
    "activity__title_en",
    "activity__kind",
    "activity__audience",
    "activity__place_kind",
    "activity__building",
    "activity__place_name",
    "activity__place_address",
    "activity__status",
    "activity__capacity",
    "activity__is_registration_open",
    "activity__lab__id",
    "activity__lab__name",
    "activity__lab__slug",
    "activity__lab__address",
)
PUBLIC_SESSION_FIELDS = ("id", "starts_at", "ends_at", "status", "activity_id", "updated_at")


def _lab_ids(user: Any, perm: str = "activities.manage_activity") -> frozenset[int] | None:
    """Lab ids the user may work on; empty without the capability, None for every lab."""
    if not user.has_perm(perm):
        return frozenset()
    return user_scope(user).lab_filter


# --- Back office ------------------------------------------------------------------------------


def activity_list(
    *,
    user: Any,
    lab_id: int | None = None,
    kind: str = "",
    audience: str = "",
    status: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    q: str = "",
) -> QuerySet[Activity]:
    """List the activities of the user's labs, filtered, with session and place counts.

    A date range keeps the activities with at least one session in it.
    """
    labs = _lab_ids(user)
    qs = Activity.objects.select_related("lab", "organiser")
    if labs is not None:
        qs = qs.filter(lab_id__in=labs)
    if lab_id:
        qs = qs.filter(lab_id=lab_id)
    if kind:
        qs = qs.filter(kind=kind)
    if audience:
        qs = qs.filter(audience=audience)
    if status:
        qs = qs.filter(status=status)
    if q.strip():
        qs = qs.filter(Q(title_it__icontains=q.strip()) | Q(title_en__icontains=q.strip()))
    if date_from or date_to:
        sessions = ActivitySession.objects.filter(activity_id=OuterRef("pk"))
        if date_from:
            sessions = sessions.filter(starts_at__date__gte=date_from)
        if date_to:
            sessions = sessions.filter(starts_at__date__lte=date_to)
        qs = qs.filter(Exists(sessions))
    now = timezone.now()
    return qs.annotate(
        session_count=Count(
            "sessions", filter=Q(sessions__status=SessionStatus.SCHEDULED), distinct=True
        ),
        first_start=Min("sessions__starts_at"),
        next_start=Min(
            "sessions__starts_at",
            filter=Q(sessions__starts_at__gte=now, sessions__status=SessionStatus.SCHEDULED),
        ),
        confirmed_count=Count(
            "registrations",
            filter=Q(registrations__status=RegistrationStatus.CONFIRMED),
            distinct=True,
        ),
        waitlisted_count=Count(
            "registrations",
            filter=Q(registrations__status=RegistrationStatus.WAITLISTED),
            distinct=True,
        ),
    ).order_by(F("next_start").asc(nulls_last=True), "-first_start", "id")


def activity_get(*, user: Any, pk: int) -> Activity | None:
    """Return one activity of the user's labs, or None."""
    labs = _lab_ids(user)
    qs = Activity.objects.select_related("lab", "lab__district", "organiser", "building")
    if labs is not None:
        qs = qs.filter(lab_id__in=labs)
    return qs.prefetch_related("partners").filter(pk=pk).first()


def activity_session_list(*, activity: Activity) -> QuerySet[ActivitySession]:
    """List an activity's sessions with how many were present at each."""
    return activity.sessions.annotate(
        present_count=Count("attendances", filter=Q(attendances__is_present=True))
    ).order_by("starts_at", "id")


def session_get(*, user: Any, pk: int) -> ActivitySession | None:
    """Return one session of an activity of the user's labs, or None."""
    labs = _lab_ids(user)
    qs = ActivitySession.objects.select_related("activity", "activity__lab")
    if labs is not None:
        qs = qs.filter(activity__lab_id__in=labs)
    return qs.filter(pk=pk).first()


def registration_list(*, activity: Activity, status: str = "") -> QuerySet[Registration]:
    """List an activity's registrations: confirmed first, then the waiting list in order."""
    qs = activity.registrations.select_related("resident", "registered_by")
    if status:
        qs = qs.filter(status=status)
    order = {
        RegistrationStatus.CONFIRMED: 0,
        RegistrationStatus.WAITLISTED: 1,
        RegistrationStatus.CANCELLED: 2,
    }
    return qs.annotate(
        status_order=Case(
            *(When(status=k, then=Value(v)) for k, v in order.items()),
            output_field=IntegerField(),
        )
    ).order_by("status_order", "queued_at", "id")


def registration_get(*, user: Any, pk: int) -> Registration | None:
    """Return one registration to an activity of the user's labs, or None."""
    labs = _lab_ids(user)
    qs = Registration.objects.select_related("activity", "activity__lab", "resident")
    if labs is not None:
        qs = qs.filter(activity__lab_id__in=labs)
    return qs.filter(pk=pk).first()


@dataclass
class RegisterLine:
    """One line of a session's register: a registered person or a walk-in."""

    name: str
    registration_id: int | None
    attendance_id: int | None
    is_present: bool | None
    is_walk_in: bool
    is_resident: bool


def session_register(*, session: ActivitySession) -> list[RegisterLine]:
    """Lines of a session's register: confirmed registrations (alphabetical), then walk-ins.

    Two queries whatever the number of people.
    """
    registrations = list(
        Registration.objects.filter(
            activity_id=session.activity_id, status=RegistrationStatus.CONFIRMED
        ).select_related("resident")
    )
    attendances = list(
        Attendance.objects.filter(session=session).select_related("resident", "registration")
    )
    by_registration = {a.registration_id: a for a in attendances if a.registration_id}
    lines = []
    for reg in registrations:
        att = by_registration.get(reg.pk)
        lines.append(
            RegisterLine(
                name=reg.display_name,
                registration_id=reg.pk,
                attendance_id=att.pk if att else None,
                is_present=att.is_present if att else None,
                is_walk_in=False,
                is_resident=reg.resident_id is not None,
            )
        )
    lines.sort(key=lambda line: line.name.casefold())
    confirmed_ids = {r.pk for r in registrations}
    walk_ins = [
        a
        for a in attendances
        if a.registration_id is None or a.registration_id not in confirmed_ids
    ]
    walk_ins.sort(key=lambda a: a.display_name.casefold())
    for att in walk_ins:
        lines.append(
            RegisterLine(
                name=att.display_name,
                registration_id=att.registration_id,
                attendance_id=att.pk,
                is_present=att.is_present,
                is_walk_in=True,
                is_resident=att.resident_id is not None,
            )
        )
    return lines


def activity_export_rows(*, qs: QuerySet[Activity]) -> Any:
    """Rows for the CSV/XLSX export of an activity list (no personal data)."""
    for a in qs:
        extra: Any = a  # annotated by activity_list
        yield (
            a.pk,
            a.lab.name,
            a.title_it,
            a.get_kind_display(),
            a.get_audience_display(),
            a.get_status_display(),
            a.place_label,
            a.organiser.name if a.organiser else "",
            a.capacity if a.capacity is not None else "",
            extra.session_count,
            timezone.localtime(extra.next_start).strftime("%Y-%m-%d %H:%M")
            if extra.next_start
            else "",
            extra.confirmed_count,
            extra.waitlisted_count,
        )


# --- Public calendar --------------------------------------------------------------------------


def _public_sessions() -> QuerySet[ActivitySession]:
    return (
        ActivitySession.objects.filter(
            activity__is_public=True,
            activity__status__in=(ActivityStatus.PUBLISHED, ActivityStatus.CANCELLED),
        )
        .select_related("activity", "activity__lab")
        .only(*PUBLIC_SESSION_FIELDS, *PUBLIC_ACTIVITY_FIELDS)
    )


def public_session_list(
    *,
    lab_id: int | None = None,
    kind: str = "",
    audience: str = "",
    starts_from: dt.datetime | None = None,
    starts_before: dt.datetime | None = None,
) -> QuerySet[ActivitySession]:
    """List the public sessions in a time range (from now when no start is given), filtered by
    lab, kind and audience; cancelled ones included, marked by their status."""
    qs = _public_sessions().filter(ends_at__gte=starts_from or timezone.now())
    if starts_before is not None:
        qs = qs.filter(starts_at__lt=starts_before)
    if lab_id:
        qs = qs.filter(activity__lab_id=lab_id)
    if kind:
        qs = qs.filter(activity__kind=kind)
    if audience:
        qs = qs.filter(activity__audience=audience)
    return qs.order_by("starts_at", "id")


MONTH_DAY_LIMIT = 4

# What a calendar row shows, read as plain tuples (no model instances: the month and the list
# show hundreds of rows, and building three objects per row cost more than the SQL).
PUBLIC_ROW_FIELDS = (
    "starts_at",
    "ends_at",
    "status",
    "activity_id",
    "activity__slug",
    "activity__title_it",
    "activity__title_en",
    "activity__kind",
    "activity__audience",
    "activity__place_kind",
    "activity__building_id",
    "activity__place_name",
    "activity__status",
    "activity__lab__name",
)


# Values that the compiled SQL of a calendar read cannot contain by chance: they mark where
# each value of a call goes among the parameters.
_UTC = dt.UTC
_MARKS: dict[str, Any] = {
    "starts_from": dt.datetime(1901, 1, 1, 0, 0, 1, tzinfo=_UTC),
    "starts_before": dt.datetime(1901, 1, 1, 0, 0, 2, tzinfo=_UTC),
    "starts_at_from": dt.datetime(1901, 1, 1, 0, 0, 3, tzinfo=_UTC),
    "lab_id": -900_000_001,
    "kind": "\x00kind",
    "audience": "\x00audience",
}
_statements: dict[tuple[Any, ...], Statement] = {}


def _prepare(key: tuple[Any, ...], qs: QuerySet[Any], names: Iterable[str]) -> Statement:
    """Compile ``qs`` (built with the ``_MARKS`` of ``names``) once: the calendar's reads take
    longer to compile than to run (core/compiled.py)."""
    statement = compile_query(qs, {name: _MARKS[name] for name in names})
    _statements[key] = statement
    return statement


def _execute(statement: Statement, values: dict[str, Any], *, suffix: str = "") -> list[Any]:
    return run(statement, values, suffix=suffix)


def _filters_of(
    lab_id: int | None, kind: str, audience: str, **ranges: dt.datetime | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The values of a calendar read, and the same with marks in place of each given value."""
    given = {"lab_id": lab_id, "kind": kind, "audience": audience, **ranges}
    values = {name: value for name, value in given.items() if value}
    return values, {name: _MARKS[name] for name in values}


def _calendar_qs(marks: dict[str, Any]) -> QuerySet[ActivitySession]:
    qs = public_session_list(
        lab_id=marks.get("lab_id"),
        kind=marks.get("kind", ""),
        audience=marks.get("audience", ""),
        starts_from=marks["starts_from"],
        starts_before=marks.get("starts_before"),
    )
    if "starts_at_from" in marks:
        qs = qs.filter(starts_at__gte=marks["starts_at_from"])
    return qs


def public_lab_rows() -> list[tuple[int, str, str]]:
    """The labs of the calendar's filter, as (id, name, slug) tuples of
    ``accounts.selectors.public_lab_list`` (compiled once)."""
    key = ("public_labs", connection.vendor)
    statement = _statements.get(key)
    if statement is None:
        labs = public_lab_list().select_related(None).values_list("id", "name", "slug")
        statement = _prepare(key, labs, ())
    return _execute(statement, {})


def public_session_rows(
    *,
    lab_id: int | None = None,
    kind: str = "",
    audience: str = "",
    starts_from: dt.datetime | None = None,
    starts_before: dt.datetime | None = None,
    starts_at_from: dt.datetime | None = None,
) -> compiled.PagedRows:
    """The public sessions of ``public_session_list`` (also starting at or after
    ``starts_at_from`` when given) as tuples of ``PUBLIC_ROW_FIELDS``, soonest first, for a
    ``Paginator``: the count and a page each send one statement, compiled once per choice of
    filters (the ORM's compiling cost more than these small reads)."""
    return compiled.PagedRows(
        "activities.public_session_rows",
        _public_rows_qs,
        lab_id=lab_id,
        kind=kind,
        audience=audience,
        starts_from=starts_from or timezone.now(),
        starts_before=starts_before,
        starts_at_from=starts_at_from,
    )


def _public_rows_qs(**filters: Any) -> QuerySet[Any]:
    given = {name: value for name, value in filters.items() if value}
    return _calendar_qs(given).values_list(*PUBLIC_ROW_FIELDS)


def public_month_sessions(
    *,
    starts_from: dt.datetime,
    starts_before: dt.datetime,
    lab_id: int | None = None,
    kind: str = "",
    audience: str = "",
    per_day: int = MONTH_DAY_LIMIT,
) -> tuple[list[tuple[Any, ...]], dict[dt.date, int]]:
    """Return the first ``per_day`` public sessions of each day in a range (as tuples of
    ``PUBLIC_ROW_FIELDS``), and the number of sessions per day: one query (two windows over the
    day), however many labs and sessions the month holds; compiled once per choice of filters.
    """
    tz = timezone.get_current_timezone()
    values, marks = _filters_of(
        lab_id,
        kind,
        audience,
        starts_from=starts_from,
        starts_before=starts_before,
        starts_at_from=starts_from,
    )
    key = ("public_month", connection.vendor, str(tz), per_day, tuple(sorted(marks)))
    statement = _statements.get(key)
    if statement is None:
        day = TruncDate("starts_at", tzinfo=tz)
        ranked = (
            _calendar_qs(marks)
            .annotate(
                rank=Window(RowNumber(), partition_by=[day], order_by=[F("starts_at"), F("id")]),
                day_count=Window(Count("id"), partition_by=[day]),
            )
            .filter(rank__lte=per_day)
            .values_list(*PUBLIC_ROW_FIELDS, "day_count")
        )
        statement = _prepare(key, ranked, marks)
    first: list[tuple[Any, ...]] = []
    counts: dict[dt.date, int] = {}
    for row in _execute(statement, values):
        first.append(row[:-1])
        # Every day with sessions has its first one here, carrying the day's count.
        counts[row[0].astimezone(tz).date()] = row[-1]
    return first, counts


def activity_session_upcoming_public_list(
    *, lab_id: int | None = None, limit: int = 5
) -> list[ActivitySession]:
    """Return the next public sessions still to be held (for the portal home page).

    Each session has ``activity`` and ``activity.lab`` loaded; cancelled sessions are left out.
    One query.
    """
    qs = public_session_list(lab_id=lab_id).filter(
        status=SessionStatus.SCHEDULED, activity__status=ActivityStatus.PUBLISHED
    )
    return list(qs[:limit])


def activity_attendance_counts(*, activity_ids: Iterable[int]) -> dict[int, int]:
    """Return the present attendances (register lines marked present, every session) of each
    activity whose register has lines, by activity id: 0 when every line is an absence, left
    out when no register was ever taken (e.g. a meeting held before the register existed).
    One query.

    Public figures, no personal data: for the participation context's counts.
    """
    ids = list(activity_ids)
    if not ids:
        return {}
    return dict(
        Attendance.objects.filter(session__activity_id__in=ids)
        .order_by()
        .values_list("session__activity_id")
        .annotate(n=Count("id", filter=Q(is_present=True)))
    )


def public_activity_get(*, pk: int) -> Activity | None:
    """Return a published (or cancelled) public activity with its place and organisers."""
    return (
        Activity.objects.filter(
            pk=pk,
            is_public=True,
            status__in=(ActivityStatus.PUBLISHED, ActivityStatus.CANCELLED),
        )
        .select_related("lab", "organiser", "building")
        .prefetch_related(
            "partners",
            Prefetch(
                "sessions",
                queryset=ActivitySession.objects.order_by("starts_at", "id"),
                to_attr="all_sessions",
            ),
        )
        .first()
    )


def public_free_places(*, activity: Activity) -> int | None:
    """Return the places left (None for no limit); never below zero."""
    if activity.capacity is None:
        return None
    confirmed = activity.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
    return max(activity.capacity - confirmed, 0)


def public_lab_activity_sessions(*, lab_id: int, since: dt.datetime) -> QuerySet[ActivitySession]:
    """The sessions of a lab's public activities since a date (for its iCal feed)."""
    return (
        _public_sessions()
        .filter(activity__lab_id=lab_id, starts_at__gte=since)
        .order_by("starts_at", "id")
    )


def resident_registration_get(*, activity: Activity, resident: Any) -> Registration | None:
    """Return the live registration of a resident to an activity, or None."""
    if resident is None:
        return None
    return (
        activity.registrations.filter(
            resident=resident,
            status__in=(RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED),
        )
        .order_by("-id")
        .first()
    )


def waitlist_position(*, registration: Registration) -> int | None:
    """Return a waitlisted registration's place in the queue (1 = next), else None."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        activity_id=registration.activity_id, status=RegistrationStatus.WAITLISTED
    ).filter(
        Q(queued_at__lt=registration.queued_at)
        | Q(queued_at=registration.queued_at, id__lt=registration.pk)
    )
    return ahead.count() + 1


# --- Figures ----------------------------------------------------------------------------------


@dataclass
class FigureRow:
    """The figures of one group (a month, a kind or an audience)."""

    key: Any
    label: str
    activities: int = 0
    sessions: int = 0
    attendances: int = 0
    residents: int = 0


@dataclass
class ActivityFigures:
    """Activities held, sessions, attendances and distinct residents reached, by group."""

    year: int
    lab_id: int | None
    totals: FigureRow
    by_month: list[FigureRow] = field(default_factory=list)
    by_kind: list[FigureRow] = field(default_factory=list)
    by_audience: list[FigureRow] = field(default_factory=list)


def activity_figures(
    *, user: Any, lab_id: int | None = None, year: int | None = None
) -> ActivityFigures:
    """Count, for the user's labs (every lab for region-wide roles), the activities held
    (with a session held in the period), sessions held, attendances and distinct residents
    reached, by month, kind and audience. Cancelled sessions and future ones do not count."""
    labs = _lab_ids(user, "activities.view_activity_figures")
    year = year or timezone.localdate().year
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, 1, 1, tzinfo=tz)
    end = min(dt.datetime(year + 1, 1, 1, tzinfo=tz), timezone.now())
    sessions = ActivitySession.objects.filter(
        status=SessionStatus.SCHEDULED, starts_at__gte=start, starts_at__lt=end
    ).exclude(activity__status=ActivityStatus.DRAFT)
    if labs is not None:
        sessions = sessions.filter(activity__lab_id__in=labs)
    if lab_id:
        sessions = sessions.filter(activity__lab_id=lab_id)
    attendances = Attendance.objects.filter(session__in=sessions, is_present=True).annotate(
        who=Coalesce("resident_id", "registration__resident_id")
    )

    def grouped(group: str, att_group: str) -> dict[Any, FigureRow]:
        rows: dict[Any, FigureRow] = defaultdict(lambda: FigureRow(key=None, label=""))
        for r in sessions.values(group).annotate(
            n=Count("id"), a=Count("activity_id", distinct=True)
        ):
            row = rows[r[group]]
            row.sessions, row.activities = r["n"], r["a"]
        for r in attendances.values(att_group).annotate(
            n=Count("id"), p=Count("who", distinct=True)
        ):
            row = rows[r[att_group]]
            row.attendances, row.residents = r["n"], r["p"]
        return rows

    sessions = sessions.annotate(month=TruncMonth("starts_at", tzinfo=tz))
    attendances = attendances.annotate(month=TruncMonth("session__starts_at", tzinfo=tz))
    months = grouped("month", "month")
    by_month = []
    for m in range(1, 13):
        first = dt.date(year, m, 1)
        row = next(
            (v for k, v in months.items() if k is not None and _as_date(k) == first),
            FigureRow(key=None, label=""),
        )
        row.key, row.label = first, first.strftime("%Y-%m")
        by_month.append(row)
    kinds = grouped("activity__kind", "session__activity__kind")
    by_kind = [
        _labelled(kinds.get(value), value, label)
        for value, label in ActivityKind.choices
        if value in kinds
    ]
    audiences = grouped("activity__audience", "session__activity__audience")
    by_audience = [
        _labelled(audiences.get(value), value, label)
        for value, label in ActivityAudience.choices
        if value in audiences
    ]
    totals = FigureRow(key="total", label="")
    totals.sessions = sessions.count()
    totals.activities = sessions.order_by().values("activity_id").distinct().count()
    totals.attendances = attendances.count()
    totals.residents = attendances.exclude(who=None).order_by().values("who").distinct().count()
    return ActivityFigures(
        year=year,
        lab_id=lab_id,
        totals=totals,
        by_month=by_month,
        by_kind=by_kind,
        by_audience=by_audience,
    )


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value  # type: ignore[no-any-return]


def _labelled(row: FigureRow | None, key: str, label: Any) -> FigureRow:
    row = row or FigureRow(key=key, label="")
    row.key, row.label = key, str(label)
    return row
