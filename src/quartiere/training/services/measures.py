"""Writes on measures, allowance rule versions, accredited operators, paths and sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from quartiere.core import audit
from quartiere.core.exceptions import ApplicationError
from quartiere.training.enums import PathStatus
from quartiere.training.models import (
    AccreditedOperator,
    AllowanceRule,
    Measure,
    TrainingPath,
    TrainingSession,
)

MEASURE_FIELDS = (
    "name",
    "description",
    "allowance_budget",
    "is_active",
    "gate_age",
    "min_age",
    "gate_residence",
    "gate_unemployed",
    "min_unemployed_months",
    "gate_permit",
    "gate_isee",
    "isee_threshold",
    "isee_max_age_months",
    "gate_income_support",
)
PATH_FIELDS = (
    "title",
    "description",
    "hours",
    "places",
    "trainer",
    "starts_on",
    "ends_on",
    "status",
    "operator",
)
MAX_GENERATED_SESSIONS = 200


@transaction.atomic
def measure_create(
    *,
    actor: Any,
    lab: Any,
    name: str,
    target_buildings: Iterable[Any] = (),
    first_rule_from: dt.date | None = None,
    **fields: Any,
) -> Measure:
    """Create a measure and its first allowance rule version (the defaults unless given)."""
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise TypeError(f"unknown measure fields: {sorted(unknown)}")
    measure = Measure.objects.create(lab=lab, name=name, **fields)
    buildings = list(target_buildings)
    _check_buildings(measure, buildings)
    measure.target_buildings.set(buildings)
    AllowanceRule.objects.create(measure=measure, valid_from=first_rule_from or lab.starts_on)
    audit.record(actor=actor, action="training.measure_create", target=measure)
    return measure


def _check_buildings(measure: Measure, buildings: list[Any]) -> None:
    district_id = measure.lab.district_id
    if any(b.district_id != district_id for b in buildings):
        raise ApplicationError(
            _("The target area can only list buildings of the lab's district."),
            fields={"target_buildings": [_("Choose buildings of the lab's district.")]},
        )


@transaction.atomic
def measure_update(
    *, actor: Any, measure: Measure, target_buildings: Iterable[Any] | None = None, **fields: Any
) -> Measure:
    """Change a measure's description, budget and gates; every change is audited."""
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise TypeError(f"unknown measure fields: {sorted(unknown)}")
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    before = audit.snapshot(measure, fields)
    for name, value in fields.items():
        setattr(measure, name, value)
    measure.save()
    changes = audit.diff(before, audit.snapshot(measure, fields))
    if target_buildings is not None:
        buildings = list(target_buildings)
        _check_buildings(measure, buildings)
        old = sorted(measure.target_buildings.values_list("pk", flat=True))
        new = sorted(b.pk for b in buildings)
        if old != new:
            measure.target_buildings.set(buildings)
            changes["target_buildings"] = [old, new]
    audit.record(actor=actor, action="training.measure_update", target=measure, changes=changes)
    return measure


@transaction.atomic
def allowance_rule_add(
    *,
    actor: Any,
    measure: Measure,
    valid_from: dt.date,
    hourly_rate: Decimal,
    month_cap: Decimal,
    person_cap: Decimal,
    min_attendance_ratio: Decimal | None,
) -> AllowanceRule:
    """Add a new rule version from a date; the open version before it ends the day before.

    Versions are never edited in place: a rule that applied to paid months must stay readable.
    Raises ApplicationError when the date does not follow the latest version's start.
    """
    Measure.objects.select_for_update().get(pk=measure.pk)
    latest = measure.rules.order_by("-valid_from").first()
    if latest is not None and valid_from <= latest.valid_from:
        raise ApplicationError(
            _("A new version must start after the latest one (%(date)s).")
            % {"date": latest.valid_from.isoformat()},
            fields={"valid_from": [_("Choose a later date.")]},
        )
    if min_attendance_ratio is not None and not (0 < min_attendance_ratio <= 1):
        raise ApplicationError(
            _("The minimum attendance share must be between 0 and 1."),
            fields={"min_attendance_ratio": [_("Enter a share between 0 and 1, e.g. 0.75.")]},
        )
    if latest is not None and (latest.valid_to is None or latest.valid_to >= valid_from):
        latest.valid_to = valid_from - dt.timedelta(days=1)
        latest.save(update_fields=["valid_to", "updated_at"])
    rule = AllowanceRule.objects.create(
        measure=measure,
        valid_from=valid_from,
        hourly_rate=hourly_rate,
        month_cap=month_cap,
        person_cap=person_cap,
        min_attendance_ratio=min_attendance_ratio,
    )
    audit.record(
        actor=actor,
        action="training.allowance_rule_add",
        target=rule,
        lab_id=measure.lab_id,
        changes={
            "valid_from": ["", valid_from],
            "hourly_rate": ["", hourly_rate],
            "month_cap": ["", month_cap],
            "person_cap": ["", person_cap],
            "min_attendance_ratio": ["", min_attendance_ratio],
        },
    )
    return rule


@transaction.atomic
def accredited_operator_create(
    *,
    actor: Any,
    organisation: Any,
    lab: Any,
    staff: Iterable[Any] = (),
    responsibles: Iterable[Any] = (),
) -> AccreditedOperator:
    """Register an accredited organisation as a training operator of a lab."""
    if not organisation.is_accredited:
        raise ApplicationError(
            _("The organisation is not accredited for labour/training services."),
            fields={"organisation": [_("Choose an accredited organisation.")]},
        )
    operator, _created = AccreditedOperator.objects.get_or_create(
        organisation=organisation, lab=lab
    )
    operator.staff.add(*staff)
    operator.responsibles.add(*responsibles)
    audit.record(actor=actor, action="training.operator_create", target=operator, lab_id=lab.pk)
    return operator


def _clean_path(fields: dict[str, Any], measure: Measure) -> None:
    errors: dict[str, list[str]] = {}
    starts, ends = fields.get("starts_on"), fields.get("ends_on")
    if starts and ends and ends < starts:
        errors["ends_on"] = [_("The end date must not be before the start date.")]
    operator = fields.get("operator")
    if operator is not None and operator.lab_id != measure.lab_id:
        errors["operator"] = [_("Choose an operator working for this lab.")]
    if fields.get("hours") is not None and fields["hours"] <= 0:
        errors["hours"] = [_("Enter a number of hours above zero.")]
    if fields.get("places") is not None and fields["places"] <= 0:
        errors["places"] = [_("Enter at least one place.")]
    if errors:
        raise ApplicationError(_("Please correct the errors below."), fields=errors)


@transaction.atomic
def training_path_create(*, actor: Any, measure: Measure, **fields: Any) -> TrainingPath:
    """Create a path of a measure, run by one of the lab's accredited operators."""
    unknown = set(fields) - set(PATH_FIELDS)
    if unknown:
        raise TypeError(f"unknown path fields: {sorted(unknown)}")
    _clean_path(fields, measure)
    path = TrainingPath.objects.create(measure=measure, lab_id=measure.lab_id, **fields)
    audit.record(actor=actor, action="training.path_create", target=path)
    return path


@transaction.atomic
def training_path_update(*, actor: Any, path: TrainingPath, **fields: Any) -> TrainingPath:
    """Change a path's details; places cannot fall below the active enrolments."""
    unknown = set(fields) - set(PATH_FIELDS)
    if unknown:
        raise TypeError(f"unknown path fields: {sorted(unknown)}")
    path = TrainingPath.objects.select_for_update().select_related("measure").get(pk=path.pk)
    merged = {
        "starts_on": path.starts_on,
        "ends_on": path.ends_on,
        **fields,
    }
    _clean_path(merged, path.measure)
    from quartiere.training.enums import ACTIVE_ENROLMENT_STATUSES

    active = path.enrolments.filter(status__in=ACTIVE_ENROLMENT_STATUSES).count()
    if "places" in fields and fields["places"] < active:
        raise ApplicationError(
            _("Please correct the errors below."),
            fields={
                "places": [_("%(n)s people are enrolled: places cannot be fewer.") % {"n": active}]
            },
        )
    before = audit.snapshot(path, fields)
    for name, value in fields.items():
        setattr(path, name, value)
    path.save()
    audit.record(
        actor=actor,
        action="training.path_update",
        target=path,
        changes=audit.diff(before, audit.snapshot(path, fields)),
    )
    return path


def _local(day: dt.date, at: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, at, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _session_hours(start: dt.datetime, end: dt.datetime) -> Decimal:
    minutes = int((end - start).total_seconds() // 60)
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"))


@transaction.atomic
def training_session_add(
    *,
    actor: Any,
    path: TrainingPath,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    location: str = "",
) -> TrainingSession:
    """Add one session within the path's dates; its hours are its length."""
    _check_session(path, starts_at, ends_at)
    session = TrainingSession.objects.create(
        path=path,
        starts_at=starts_at,
        ends_at=ends_at,
        hours=_session_hours(starts_at, ends_at),
        location=location,
    )
    audit.record(actor=actor, action="training.session_add", target=session, lab_id=path.lab_id)
    return session


def _check_session(path: TrainingPath, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if ends_at <= starts_at:
        raise ApplicationError(
            _("A session must end after it starts."),
            fields={"ends_at": [_("Choose a time after the start.")]},
        )
    local_day = starts_at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    if not (path.starts_on <= local_day <= path.ends_on):
        raise ApplicationError(
            _("The session falls outside the path's dates."),
            fields={"starts_at": [_("Choose a day between the path's start and end dates.")]},
        )


@transaction.atomic
def training_sessions_generate(
    *,
    actor: Any,
    path: TrainingPath,
    weekdays: Iterable[int],
    start_time: dt.time,
    end_time: dt.time,
    first_day: dt.date | None = None,
    last_day: dt.date | None = None,
    location: str = "",
) -> list[TrainingSession]:
    """Create weekly sessions on the given weekdays (0 = Monday) between two dates.

    Days that already have a session of the path are skipped, so running it twice adds nothing.
    Raises ApplicationError on an empty or inverted schedule.
    """
    days = sorted(set(weekdays))
    first = max(first_day or path.starts_on, path.starts_on)
    last = min(last_day or path.ends_on, path.ends_on)
    errors: dict[str, list[str]] = {}
    if not days:
        errors["weekdays"] = [_("Choose at least one day of the week.")]
    if end_time <= start_time:
        errors["end_time"] = [_("Choose a time after the start.")]
    if last < first:
        errors["last_day"] = [_("The last day must be on or after the first day.")]
    if errors:
        raise ApplicationError(_("Please correct the errors below."), fields=errors)
    tz = ZoneInfo(settings.TIME_ZONE)
    existing = {s.astimezone(tz).date() for s in path.sessions.values_list("starts_at", flat=True)}
    to_create: list[TrainingSession] = []
    day = first
    while day <= last:
        if day.weekday() in days and day not in existing:
            start, end = _local(day, start_time), _local(day, end_time)
            to_create.append(
                TrainingSession(
                    path=path,
                    starts_at=start,
                    ends_at=end,
                    hours=_session_hours(start, end),
                    location=location,
                )
            )
        day += dt.timedelta(days=1)
    if len(to_create) > MAX_GENERATED_SESSIONS:
        raise ApplicationError(
            _("That schedule would create %(n)s sessions: at most %(max)s at a time.")
            % {"n": len(to_create), "max": MAX_GENERATED_SESSIONS},
            fields={"last_day": [_("Choose an earlier last day.")]},
        )
    created = TrainingSession.objects.bulk_create(to_create)
    audit.record(
        actor=actor,
        action="training.sessions_generate",
        target=path,
        changes={"sessions": [0, len(created)]},
    )
    return created


@transaction.atomic
def training_session_delete(*, actor: Any, session: TrainingSession) -> None:
    """Delete a session that has no register yet; refuse otherwise."""
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    if hasattr(session, "register"):
        raise ApplicationError(_("This session already has an attendance register."))
    audit.record(
        actor=actor,
        action="training.session_delete",
        target=session,
        lab_id=session.path.lab_id,
    )
    session.delete()


def path_status_set(*, actor: Any, path: TrainingPath, status: str) -> TrainingPath:
    """Move a path to another status (draft, open, running, closed)."""
    if status not in PathStatus.values:
        raise ApplicationError(_("Unknown status."))
    return training_path_update(actor=actor, path=path, status=status)
