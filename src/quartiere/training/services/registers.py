"""Writes on attendance registers: entry, submission, validation (lock) and corrections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from quartiere.core import audit
from quartiere.core.exceptions import ApplicationError, InvalidTransitionError
from quartiere.training.enums import RegisterStatus
from quartiere.training.models import (
    AttendanceCorrection,
    AttendanceRecord,
    AttendanceRegister,
    Enrolment,
    TrainingSession,
)

MAX_MINUTES = 24 * 60
LINE_FIELDS = (
    "hours_present",
    "late_minutes",
    "early_leave_minutes",
    "justified_absence",
    "effective_hours",
)
# Register line field prefix -> the correction form's field.
CORRECTION_FIELDS = {
    "hours": "hours_present",
    "late": "late_minutes",
    "early": "early_leave_minutes",
    "justified": "justified_absence",
}


@dataclass(frozen=True)
class AttendanceEntry:
    """One line of a register as entered by the operator."""

    enrolment_id: int
    hours_present: Decimal
    late_minutes: int = 0
    early_leave_minutes: int = 0
    justified_absence: bool = False


def field_name(kind: str, enrolment_id: int) -> str:
    """The form field of one register line (``hours_12``, ``late_12``...)."""
    return f"{kind}_{enrolment_id}"


def session_day(session: TrainingSession) -> dt.date:
    return session.starts_at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def enrolled_on_day(enrolment: Enrolment, day: dt.date) -> bool:
    """Tell whether a participant was on the path that day (enrolled, not yet gone)."""
    if enrolment.enrolled_on > day:
        return False
    if enrolment.withdrawn_on is not None and enrolment.withdrawn_on < day:
        return False
    return not (enrolment.completed_on is not None and enrolment.completed_on < day)


def expected_enrolments(session: TrainingSession) -> list[Enrolment]:
    """The participants a session's register lists: those enrolled on the session's day."""
    day = session_day(session)
    return [
        e
        for e in Enrolment.objects.filter(path_id=session.path_id, enrolled_on__lte=day)
        .select_related("resident")
        .order_by("resident__last_name", "resident__first_name", "pk")
        if enrolled_on_day(e, day)
    ]


@transaction.atomic
def register_open(*, actor: Any, session: TrainingSession) -> AttendanceRegister:
    """Return the session's register, creating an empty draft the first time."""
    register, created = AttendanceRegister.objects.get_or_create(
        session=session, defaults={"lab_id": session.path.lab_id, "entered_by": actor}
    )
    if created:
        audit.record(actor=actor, action="training.register_open", target=register)
    return register


def _check_entry(
    entry: AttendanceEntry, session: TrainingSession, enrolment: Enrolment | None, day: dt.date
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    hours_field = field_name("hours", entry.enrolment_id)
    if enrolment is None or not enrolled_on_day(enrolment, day):
        errors[hours_field] = [_("This person is not enrolled on the path on the session's day.")]
        return errors
    if entry.hours_present < 0:
        errors[hours_field] = [_("Hours cannot be negative.")]
    elif entry.hours_present > session.hours:
        errors[hours_field] = [
            _("At most %(hours)s hours: the session is not longer.") % {"hours": session.hours}
        ]
    else:
        absent_minutes = entry.late_minutes + entry.early_leave_minutes
        possible = session.hours - Decimal(absent_minutes) / Decimal(60)
        if absent_minutes and entry.hours_present > possible.quantize(Decimal("0.01")):
            errors[hours_field] = [
                _(
                    "With the late arrival and early leave recorded, at most %(hours)s hours "
                    "are possible."
                )
                % {"hours": max(possible, Decimal(0)).quantize(Decimal("0.01"))}
            ]
    if entry.justified_absence and entry.hours_present > 0:
        errors[field_name("justified", entry.enrolment_id)] = [
            _("A justified absence cannot have hours present.")
        ]
    for kind, value in (("late", entry.late_minutes), ("early", entry.early_leave_minutes)):
        if not 0 <= value <= MAX_MINUTES:
            errors[field_name(kind, entry.enrolment_id)] = [_("Enter minutes between 0 and 1440.")]
    return errors


def _locked_register(register: AttendanceRegister) -> AttendanceRegister:
    return (
        AttendanceRegister.objects.select_for_update()
        .select_related("session__path")
        .get(pk=register.pk)
    )


@transaction.atomic
def register_save(
    *, actor: Any, register: AttendanceRegister, entries: Sequence[AttendanceEntry]
) -> AttendanceRegister:
    """Save the lines of a draft register: all of them or none.

    Raises ApplicationError with one error per field when hours exceed the session's length (or
    its length minus late arrival and early leave), when a person was not enrolled on the day,
    or when the register is no longer a draft.
    """
    register = _locked_register(register)
    if register.status != RegisterStatus.DRAFT:
        raise InvalidTransitionError(
            _("This register was submitted: it can no longer be changed here.")
        )
    session = register.session
    day = session_day(session)
    enrolments = {
        e.pk: e
        for e in Enrolment.objects.filter(
            pk__in=[x.enrolment_id for x in entries], path_id=session.path_id
        )
    }
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    for entry in entries:
        if entry.enrolment_id in seen:
            raise ApplicationError(_("A person appears twice in the register."))
        seen.add(entry.enrolment_id)
        errors.update(_check_entry(entry, session, enrolments.get(entry.enrolment_id), day))
    if errors:
        raise ApplicationError(_("Some lines are not valid: nothing was saved."), fields=errors)
    existing = {r.enrolment_id: r for r in register.records.all()}
    month = day.replace(day=1)
    to_create, to_update = [], []
    for entry in entries:
        values = {
            "hours_present": entry.hours_present,
            "late_minutes": entry.late_minutes,
            "early_leave_minutes": entry.early_leave_minutes,
            "justified_absence": entry.justified_absence,
            "effective_hours": entry.hours_present,
        }
        record = existing.get(entry.enrolment_id)
        if record is None:
            to_create.append(
                AttendanceRecord(
                    register=register,
                    enrolment_id=entry.enrolment_id,
                    scheduled_hours=session.hours,
                    lab_id=register.lab_id,
                    month=month,
                    is_validated=False,
                    **values,
                )
            )
        else:
            for name, value in values.items():
                setattr(record, name, value)
            record.updated_at = timezone.now()
            to_update.append(record)
    AttendanceRecord.objects.bulk_create(to_create)
    if to_update:
        AttendanceRecord.objects.bulk_update(to_update, [*LINE_FIELDS, "updated_at"])
    register.entered_by = actor
    register.save(update_fields=["entered_by", "updated_at"])
    audit.record(
        actor=actor,
        action="training.register_save",
        target=register,
        changes={"lines": [len(existing), len(entries)]},
    )
    return register


@transaction.atomic
def register_submit(*, actor: Any, register: AttendanceRegister) -> AttendanceRegister:
    """Send a draft register for validation; every expected participant must have a line."""
    register = _locked_register(register)
    if register.status != RegisterStatus.DRAFT:
        raise InvalidTransitionError(_("Only a draft register can be submitted."))
    expected = {e.pk for e in expected_enrolments(register.session)}
    entered = set(register.records.values_list("enrolment_id", flat=True))
    if not expected <= entered:
        raise ApplicationError(
            _("Enter a line for every participant before submitting (%(n)s missing).")
            % {"n": len(expected - entered)}
        )
    if register.session.starts_at > timezone.now():
        raise ApplicationError(_("A register cannot be submitted before its session starts."))
    register.status = RegisterStatus.SUBMITTED
    register.submitted_by, register.submitted_at = actor, timezone.now()
    register.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    audit.record(
        actor=actor,
        action="training.register_submit",
        target=register,
        changes={"status": [RegisterStatus.DRAFT, RegisterStatus.SUBMITTED]},
    )
    return register


@transaction.atomic
def register_return(*, actor: Any, register: AttendanceRegister, reason: str) -> AttendanceRegister:
    """Send a submitted register back to the operator as a draft, with a reason."""
    register = _locked_register(register)
    if register.status != RegisterStatus.SUBMITTED:
        raise InvalidTransitionError(_("Only a submitted register can be sent back."))
    if not reason.strip():
        raise ApplicationError(
            _("Please correct the errors below."),
            fields={"reason": [_("Say what the operator must fix.")]},
        )
    register.status = RegisterStatus.DRAFT
    register.submitted_by, register.submitted_at = None, None
    register.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    audit.record(
        actor=actor,
        action="training.register_return",
        target=register,
        changes={"status": [RegisterStatus.SUBMITTED, RegisterStatus.DRAFT], "reason": reason},
    )
    return register


@transaction.atomic
def register_validate(*, actor: Any, register: AttendanceRegister) -> AttendanceRegister:
    """Validate a submitted register, which locks it; the validator cannot be its submitter.

    From now on its hours count for the allowance; changes are corrections with a reason.
    """
    register = _locked_register(register)
    if register.status != RegisterStatus.SUBMITTED:
        raise InvalidTransitionError(_("Only a submitted register can be validated."))
    if actor is not None and actor.pk in {register.submitted_by_id, register.entered_by_id}:
        raise ApplicationError(
            _("A register is validated by someone other than the person who entered it.")
        )
    register.status = RegisterStatus.VALIDATED
    register.validated_by, register.validated_at = actor, timezone.now()
    register.save(update_fields=["status", "validated_by", "validated_at", "updated_at"])
    register.records.update(is_validated=True)
    audit.record(
        actor=actor,
        action="training.register_validate",
        target=register,
        changes={"status": [RegisterStatus.SUBMITTED, RegisterStatus.VALIDATED]},
    )
    return register


@transaction.atomic
def attendance_correct(
    *,
    actor: Any,
    record: AttendanceRecord,
    hours_present: Decimal,
    reason: str,
    late_minutes: int = 0,
    early_leave_minutes: int = 0,
    justified_absence: bool = False,
) -> AttendanceCorrection:
    """Correct a line of a validated register with a new audited entry and a reason.

    The original line is kept; the latest correction's hours are the ones that count.
    """
    record = (
        AttendanceRecord.objects.select_for_update()
        .select_related("register__session", "enrolment")
        .get(pk=record.pk)
    )
    if record.register.status != RegisterStatus.VALIDATED:
        raise InvalidTransitionError(
            _("Only lines of a validated register are corrected; edit the draft instead.")
        )
    entry = AttendanceEntry(
        enrolment_id=record.enrolment_id,
        hours_present=hours_present,
        late_minutes=late_minutes,
        early_leave_minutes=early_leave_minutes,
        justified_absence=justified_absence,
    )
    session = record.register.session
    raw = _check_entry(entry, session, record.enrolment, session_day(session))
    fields = {CORRECTION_FIELDS[k.rsplit("_", 1)[0]]: v for k, v in raw.items()}
    if not reason.strip():
        fields["reason"] = [_("Give the reason for the correction.")]
    if fields:
        raise ApplicationError(_("Please correct the errors below."), fields=fields)
    correction = AttendanceCorrection.objects.create(
        record=record,
        hours_present=hours_present,
        late_minutes=late_minutes,
        early_leave_minutes=early_leave_minutes,
        justified_absence=justified_absence,
        previous_hours=record.effective_hours,
        reason=reason.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    old = record.effective_hours
    record.effective_hours = hours_present
    record.justified_absence = justified_absence
    record.save(update_fields=["effective_hours", "justified_absence", "updated_at"])
    audit.record(
        actor=actor,
        action="training.attendance_correct",
        target=record,
        lab_id=record.lab_id,
        changes={"effective_hours": [old, hours_present], "reason": reason.strip()},
    )
    return correction
