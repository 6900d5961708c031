"""Writes of the activities context: activities and sessions, registrations with a waiting
list, attendance registers and the outbox of e-mails.

Capacity is enforced by locking the activity row (``select_for_update``) before counting the
confirmed places, so two people clicking at once are served one after the other: the one who
finds the activity full goes to the waiting list. E-mails are written to the outbox in the same
transaction and sent after commit by a task, so a mail failure never loses a registration.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

import holidays
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from quartiere.activities import workflow
from quartiere.activities.enums import (
    ACTIVE_REGISTRATION_STATUSES,
    ActivityPlaceKind,
    ActivityStatus,
    MessageKind,
    MessageStatus,
    RegistrationChannel,
    RegistrationStatus,
    SessionStatus,
)
from quartiere.activities.models import (
    Activity,
    ActivityMessage,
    ActivitySession,
    Attendance,
    Registration,
)
from quartiere.core import audit
from quartiere.core.exceptions import ApplicationError
from quartiere.monitoring.enums import OperationKind
from quartiere.monitoring.services import participation_record

logger = logging.getLogger("quartiere.activities")

ACTIVITY_FIELDS = (
    "title_it",
    "title_en",
    "description_it",
    "description_en",
    "kind",
    "audience",
    "place_kind",
    "building",
    "place_name",
    "place_address",
    "organiser",
    "capacity",
    "is_registration_open",
    "is_public",
)
MAX_SESSIONS_PER_SCHEDULE = 120


def _fail(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, fields={field: [message]})


# --- Activities -------------------------------------------------------------------------------


def _check_activity(activity: Activity) -> None:
    if not (activity.title_it or "").strip():
        raise _fail("title_it", _("Give the activity a title in Italian."))
    if activity.capacity is not None and activity.capacity < 1:
        raise _fail("capacity", _("Places must be at least 1; leave empty for no limit."))
    if activity.place_kind == ActivityPlaceKind.COMMON_ROOM:
        if activity.building is None:
            raise _fail("building", _("Choose the building whose common room hosts it."))
        if activity.building.district_id != activity.lab.district_id:
            raise _fail("building", _("The building is not in this lab's district."))
    elif (
        activity.place_kind in (ActivityPlaceKind.SCHOOL, ActivityPlaceKind.OTHER)
        and not (activity.place_name or "").strip()
        and not (activity.place_address or "").strip()
    ):
        raise _fail("place_name", _("Write the name or the address of the place."))


def _apply_fields(activity: Activity, fields: dict[str, Any]) -> Any:
    partners = fields.pop("partners", None)
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown activity fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(activity, name, value)
    if activity.place_kind != ActivityPlaceKind.COMMON_ROOM:
        activity.building = None
    activity.slug = slugify(activity.title_it)[:80] or "attivita"
    return partners


@transaction.atomic
def activity_create(*, actor: Any, lab: Any, **fields: Any) -> Activity:
    """Create a draft activity in a lab; raise ApplicationError (per field) on bad input.

    ``fields`` are the names in ``ACTIVITY_FIELDS`` plus ``partners`` (organisations).
    """
    activity = Activity(lab=lab, created_by=actor if _is_user(actor) else None)
    partners = _apply_fields(activity, dict(fields))
    _check_activity(activity)
    activity.save()
    if partners is not None:
        activity.partners.set(partners)
    audit.record(
        actor=actor,
        action="activities.activity_create",
        target=activity,
        changes=audit.snapshot(activity, ACTIVITY_FIELDS),
    )
    return activity


@transaction.atomic
def activity_update(*, actor: Any, activity: Activity, **fields: Any) -> Activity:
    """Change an activity; more places move people up from the waiting list.

    A cancelled activity cannot be changed (raises ApplicationError).
    """
    activity = Activity.objects.select_for_update().select_related("lab").get(pk=activity.pk)
    if activity.status == ActivityStatus.CANCELLED:
        raise ApplicationError(_("A cancelled activity cannot be changed."))
    before = audit.snapshot(activity, ACTIVITY_FIELDS)
    partners = _apply_fields(activity, dict(fields))
    _check_activity(activity)
    if activity.capacity is not None:
        confirmed = activity.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
        if activity.capacity < confirmed:
            raise _fail(
                "capacity",
                _("%(n)d people already hold a place: places cannot be fewer.") % {"n": confirmed},
            )
    activity.save()
    if partners is not None:
        activity.partners.set(partners)
    audit.record(
        actor=actor,
        action="activities.activity_update",
        target=activity,
        changes=audit.diff(before, audit.snapshot(activity, ACTIVITY_FIELDS)),
    )
    _promote_waitlisted(activity=activity, actor=actor)
    return activity


@transaction.atomic
def activity_publish(*, actor: Any, activity: Activity) -> Activity:
    """Publish a draft activity (on the public calendar when ``is_public``).

    Raises InvalidTransitionError unless it is a draft, ApplicationError without a session.
    """
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    workflow.ensure_transition(activity.status, ActivityStatus.PUBLISHED)
    if not activity.sessions.filter(status=SessionStatus.SCHEDULED).exists():
        raise ApplicationError(_("Schedule at least one session before publishing."))
    activity.status = ActivityStatus.PUBLISHED
    activity.published_at = timezone.now()
    activity.save(update_fields=["status", "published_at", "updated_at"])
    audit.record(actor=actor, action="activities.activity_publish", target=activity)
    return activity


@transaction.atomic
def activity_cancel(*, actor: Any, activity: Activity, reason: str) -> Activity:
    """Cancel an activity with a reason, cancel its sessions still to come and tell everyone
    registered; raise ApplicationError without a reason, InvalidTransitionError if already
    cancelled."""
    if not (reason or "").strip():
        raise _fail("reason", _("Say why the activity is cancelled."))
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    workflow.ensure_transition(activity.status, ActivityStatus.CANCELLED)
    now = timezone.now()
    activity.status = ActivityStatus.CANCELLED
    activity.cancelled_at = now
    activity.cancellation_reason = reason.strip()
    activity.is_registration_open = False
    activity.save(
        update_fields=[
            "status",
            "cancelled_at",
            "cancellation_reason",
            "is_registration_open",
            "updated_at",
        ]
    )
    activity.sessions.filter(status=SessionStatus.SCHEDULED, starts_at__gte=now).update(
        status=SessionStatus.CANCELLED,
        cancelled_at=now,
        cancellation_reason=reason.strip(),
        updated_at=now,
    )
    for registration in activity.registrations.filter(
        status__in=ACTIVE_REGISTRATION_STATUSES
    ).select_related("resident", "activity__lab"):
        _queue_message(registration, kind=MessageKind.ACTIVITY_CANCELLED, note=reason.strip())
    audit.record(
        actor=actor,
        action="activities.activity_cancel",
        target=activity,
        changes={"reason": reason.strip()},
    )
    return activity


# --- Sessions ---------------------------------------------------------------------------------


def _local_starts(
    first_start: dt.datetime, weekly_until: dt.date | None, skip_holidays: bool
) -> list[dt.datetime]:
    tz = timezone.get_current_timezone()
    local = timezone.localtime(first_start, tz) if timezone.is_aware(first_start) else first_start
    day, at = local.date(), local.time().replace(tzinfo=None)
    last = weekly_until or day
    years = list(range(day.year, last.year + 1))
    closed = holidays.country_holidays("IT", years=years) if skip_holidays else {}
    starts: list[dt.datetime] = []
    while day <= last:
        if day not in closed:
            starts.append(timezone.make_aware(dt.datetime.combine(day, at), tz))
        day += dt.timedelta(days=7)
    return starts


@transaction.atomic
def activity_sessions_schedule(
    *,
    actor: Any,
    activity: Activity,
    first_start: dt.datetime,
    duration: dt.timedelta,
    weekly_until: dt.date | None = None,
    skip_holidays: bool = True,
    capacity: int | None = None,
) -> list[ActivitySession]:
    """Add one session, or one a week from ``first_start`` until ``weekly_until`` (Italian
    public holidays skipped in a series unless ``skip_holidays`` is False). Sessions that
    already exist at the same start are kept, not doubled. Raises ApplicationError on a bad
    duration or range.
    """
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status == ActivityStatus.CANCELLED:
        raise ApplicationError(_("A cancelled activity cannot have new sessions."))
    if duration <= dt.timedelta(0) or duration > dt.timedelta(hours=24):
        raise _fail("duration", _("A session lasts more than zero and at most 24 hours."))
    if weekly_until is not None and weekly_until < timezone.localdate(first_start):
        raise _fail("weekly_until", _("The last date is before the first session."))
    if capacity is not None and capacity < 1:
        raise _fail("capacity", _("Places must be at least 1; leave empty for no limit."))
    # A single session keeps the date chosen, holiday or not; a series skips the holidays.
    series = weekly_until is not None
    starts = _local_starts(first_start, weekly_until, skip_holidays and series)
    if len(starts) > MAX_SESSIONS_PER_SCHEDULE:
        raise _fail(
            "weekly_until",
            _("At most %(n)d sessions at a time: choose an earlier last date.")
            % {"n": MAX_SESSIONS_PER_SCHEDULE},
        )
    existing = set(
        activity.sessions.filter(starts_at__in=starts).values_list("starts_at", flat=True)
    )
    new = [
        ActivitySession(
            activity=activity, starts_at=start, ends_at=start + duration, capacity=capacity
        )
        for start in starts
        if start not in existing
    ]
    ActivitySession.objects.bulk_create(new)
    created = list(
        activity.sessions.filter(starts_at__in=[s.starts_at for s in new]).order_by("starts_at")
    )
    audit.record(
        actor=actor,
        action="activities.sessions_schedule",
        target=activity,
        changes={
            "sessions": len(created),
            "first": first_start.isoformat(),
            "weekly_until": weekly_until.isoformat() if weekly_until else None,
        },
    )
    return created


@transaction.atomic
def session_update(
    *,
    actor: Any,
    session: ActivitySession,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int | None = None,
) -> ActivitySession:
    """Move a session or change its places; raise ApplicationError on a bad time range."""
    session = ActivitySession.objects.select_for_update().get(pk=session.pk)
    if ends_at <= starts_at:
        raise _fail("ends_at", _("The end must be after the start."))
    clash = (
        ActivitySession.objects.filter(activity_id=session.activity_id, starts_at=starts_at)
        .exclude(pk=session.pk)
        .exists()
    )
    if clash:
        raise _fail("starts_at", _("The activity already has a session at this time."))
    before = audit.snapshot(session, ("starts_at", "ends_at", "capacity"))
    session.starts_at, session.ends_at, session.capacity = starts_at, ends_at, capacity
    session.save(update_fields=["starts_at", "ends_at", "capacity", "updated_at"])
    audit.record(
        actor=actor,
        action="activities.session_update",
        target=session,
        lab_id=session.activity.lab_id,
        changes=audit.diff(before, audit.snapshot(session, ("starts_at", "ends_at", "capacity"))),
    )
    return session


@transaction.atomic
def session_cancel(*, actor: Any, session: ActivitySession, reason: str) -> ActivitySession:
    """Cancel one session with a reason and tell the people registered to the activity.

    Raises ApplicationError without a reason or when the session is already cancelled.
    """
    if not (reason or "").strip():
        raise _fail("reason", _("Say why the session is cancelled."))
    session = (
        ActivitySession.objects.select_for_update().select_related("activity").get(pk=session.pk)
    )
    if session.status == SessionStatus.CANCELLED:
        raise ApplicationError(_("This session is already cancelled."))
    session.status = SessionStatus.CANCELLED
    session.cancelled_at = timezone.now()
    session.cancellation_reason = reason.strip()
    session.save(update_fields=["status", "cancelled_at", "cancellation_reason", "updated_at"])
    if session.starts_at >= timezone.now():
        for registration in session.activity.registrations.filter(
            status=RegistrationStatus.CONFIRMED
        ).select_related("resident", "activity__lab"):
            _queue_message(
                registration,
                kind=MessageKind.SESSION_CANCELLED,
                session=session,
                note=reason.strip(),
            )
    audit.record(
        actor=actor,
        action="activities.session_cancel",
        target=session,
        lab_id=session.activity.lab_id,
        changes={"reason": reason.strip()},
    )
    return session


# --- Registrations ----------------------------------------------------------------------------


def _is_user(actor: Any) -> bool:
    return actor is not None and bool(getattr(actor, "is_authenticated", False))


def _lock_activity(activity_id: int) -> Activity:
    return Activity.objects.select_for_update().select_related("lab").get(pk=activity_id)


def _has_free_place(activity: Activity) -> bool:
    if activity.capacity is None:
        return True
    confirmed = Registration.objects.filter(
        activity_id=activity.pk, status=RegistrationStatus.CONFIRMED
    ).count()
    return confirmed < activity.capacity


def _check_contact(contact_name: str, contact_phone: str, contact_email: str) -> None:
    errors: dict[str, list[str]] = {}
    if not contact_name.strip():
        errors["contact_name"] = [_("Write the person's name.")]
    if not contact_phone.strip() and not contact_email.strip():
        errors["contact_phone"] = [_("Give a phone number or an e-mail address.")]
    if contact_email.strip():
        try:
            validate_email(contact_email.strip())
        except ValidationError:
            errors["contact_email"] = [_("Enter a valid e-mail address.")]
    if errors:
        raise ApplicationError(_("Some contact details are missing or not valid."), fields=errors)


def registration_create(
    *,
    actor: Any,
    activity: Activity,
    channel: str,
    resident: Any = None,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    language: str = "",
    note: str = "",
) -> Registration:
    """Register a resident, or an unregistered person with contact details, to an activity.

    Confirmed while places last, else on the waiting list; never overbooked, even for
    concurrent requests (the activity row is locked while counting). Raises ApplicationError
    when registrations are closed, the person is already registered or details are missing.
    """
    if channel not in RegistrationChannel.values:
        raise ValueError(f"unknown channel {channel!r}")
    try:
        return _registration_create(
            actor=actor,
            activity=activity,
            channel=channel,
            resident=resident,
            contact_name=contact_name.strip(),
            contact_phone=contact_phone.strip(),
            contact_email=contact_email.strip(),
            language=language,
            note=note.strip(),
        )
    except IntegrityError:
        # The partial unique index caught a double registration that raced the check.
        raise ApplicationError(_("This person is already registered to this activity.")) from None


@transaction.atomic
def _registration_create(
    *,
    actor: Any,
    activity: Activity,
    channel: str,
    resident: Any,
    contact_name: str,
    contact_phone: str,
    contact_email: str,
    language: str,
    note: str,
) -> Registration:
    activity = _lock_activity(activity.pk)
    if not workflow.accepts_registrations(
        status=activity.status, is_registration_open=activity.is_registration_open
    ):
        raise ApplicationError(_("Registrations to this activity are closed."))
    if not activity.sessions.filter(
        status=SessionStatus.SCHEDULED, ends_at__gte=timezone.now()
    ).exists():
        raise ApplicationError(_("This activity has no sessions still to come."))
    live = Registration.objects.filter(activity=activity, status__in=ACTIVE_REGISTRATION_STATUSES)
    if resident is not None:
        if live.filter(resident=resident).exists():
            raise ApplicationError(_("This person is already registered to this activity."))
        contact_name = contact_phone = contact_email = ""
        language = language or getattr(resident, "preferred_language", "") or "it"
    else:
        _check_contact(contact_name, contact_phone, contact_email)
        same = Q(contact_name__iexact=contact_name) & (
            (Q(contact_phone=contact_phone) & ~Q(contact_phone=""))
            | (Q(contact_email__iexact=contact_email) & ~Q(contact_email=""))
        )
        if live.filter(resident__isnull=True).filter(same).exists():
            raise ApplicationError(_("This person is already registered to this activity."))
    now = timezone.now()
    confirmed = _has_free_place(activity)
    registration = Registration.objects.create(
        activity=activity,
        resident=resident,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        language=(language or "it")[:8],
        status=RegistrationStatus.CONFIRMED if confirmed else RegistrationStatus.WAITLISTED,
        channel=channel,
        queued_at=now,
        confirmed_at=now if confirmed else None,
        registered_by=actor if _is_user(actor) else None,
        note=note[:300],
    )
    audit.record(
        actor=actor,
        action="activities.registration_create",
        target=registration,
        lab_id=activity.lab_id,
        changes={"status": registration.status, "channel": channel},
    )
    _queue_message(
        registration,
        kind=MessageKind.CONFIRMED if confirmed else MessageKind.WAITLISTED,
    )
    return registration


@transaction.atomic
def registration_cancel(
    *, actor: Any, registration: Registration, reason: str = ""
) -> Registration:
    """Cancel a registration; a freed place goes to the first person on the waiting list, who
    is told. Raises ApplicationError when it is already cancelled."""
    activity = _lock_activity(registration.activity_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == RegistrationStatus.CANCELLED:
        raise ApplicationError(_("This registration is already cancelled."))
    old = registration.status
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    audit.record(
        actor=actor,
        action="activities.registration_cancel",
        target=registration,
        lab_id=activity.lab_id,
        changes={"status": [old, registration.status], "reason": reason.strip()},
    )
    if old == RegistrationStatus.CONFIRMED:
        _promote_waitlisted(activity=activity, actor=actor)
    return registration


def _promote_waitlisted(*, activity: Activity, actor: Any) -> list[Registration]:
    """Confirm people from the waiting list, in order, while there are free places.

    The caller holds the lock on the activity row.
    """
    if activity.status != ActivityStatus.PUBLISHED:
        return []
    promoted: list[Registration] = []
    queue = (
        Registration.objects.select_for_update()
        .filter(activity_id=activity.pk, status=RegistrationStatus.WAITLISTED)
        .order_by("queued_at", "id")
    )
    while _has_free_place(activity):
        nxt = queue.first()
        if nxt is None:
            break
        now = timezone.now()
        nxt.status = RegistrationStatus.CONFIRMED
        nxt.confirmed_at = nxt.promoted_at = now
        nxt.save(update_fields=["status", "confirmed_at", "promoted_at", "updated_at"])
        audit.record(
            actor=actor,
            action="activities.registration_promote",
            target=nxt,
            lab_id=activity.lab_id,
            changes={"status": [RegistrationStatus.WAITLISTED, RegistrationStatus.CONFIRMED]},
        )
        _queue_message(nxt, kind=MessageKind.PROMOTED)
        promoted.append(nxt)
    return promoted


# --- Attendance -------------------------------------------------------------------------------


def _count_in_monitoring(attendance: Attendance, *, session: ActivitySession, actor: Any) -> None:
    """Count the resident's contact in the ESF records once per session (idempotent)."""
    if attendance.counted_in_monitoring_at is not None or not attendance.is_present:
        return
    resident = attendance.resident
    if resident is None and attendance.registration is not None:
        resident = attendance.registration.resident
    if resident is None:
        return
    activity = session.activity
    participation_record(
        resident=resident,
        lab_id=activity.lab_id,
        kind=OperationKind.ACTIVITY,
        operation_key=f"activities.activity:{activity.pk}",
        operation_label=activity.title_it,
        entered_on=timezone.localdate(session.starts_at),
        actor=actor,
        contacts=1,
    )
    attendance.counted_in_monitoring_at = timezone.now()
    attendance.save(update_fields=["counted_in_monitoring_at", "updated_at"])


def _lock_session(session_id: int) -> ActivitySession:
    session = (
        ActivitySession.objects.select_for_update()
        .select_related("activity", "activity__lab")
        .get(pk=session_id)
    )
    if session.status == SessionStatus.CANCELLED:
        raise ApplicationError(_("This session was cancelled: there is no register to keep."))
    if timezone.localdate(session.starts_at) > timezone.localdate():
        raise ApplicationError(_("The register opens on the day of the session."))
    return session


@transaction.atomic
def attendance_mark(
    *,
    actor: Any,
    session: ActivitySession,
    registration: Registration | None = None,
    resident: Any = None,
    is_present: bool = True,
) -> Attendance:
    """Mark a registered person or a resident present or absent at a session; marking again
    updates the same row. A present resident counts once in the ESF participant records.

    Raises ApplicationError for a cancelled or future session or a foreign registration.
    """
    session = _lock_session(session.pk)
    if registration is None and resident is None:
        raise ValueError("attendance_mark needs a registration or a resident")
    if registration is not None:
        if registration.activity_id != session.activity_id:
            raise ApplicationError(_("This registration is for another activity."))
        resident = registration.resident
    attendance = None
    if registration is not None:
        attendance = Attendance.objects.filter(session=session, registration=registration).first()
    if attendance is None and resident is not None:
        attendance = Attendance.objects.filter(session=session, resident=resident).first()
    created = attendance is None
    if attendance is None:
        attendance = Attendance(session=session, registration=registration, resident=resident)
    elif attendance.registration_id is None and registration is not None:
        attendance.registration = registration
    attendance.is_present = is_present
    attendance.recorded_by = actor if _is_user(actor) else None
    attendance.recorded_at = timezone.now()
    attendance.save()
    audit.record(
        actor=actor,
        action="activities.attendance_mark",
        target=attendance,
        lab_id=session.activity.lab_id,
        changes={"present": is_present, "created": created},
    )
    _count_in_monitoring(attendance, session=session, actor=actor)
    return attendance


@transaction.atomic
def attendance_walk_in_add(
    *, actor: Any, session: ActivitySession, resident: Any = None, name: str = ""
) -> Attendance:
    """Add someone who came without registering: a resident found by search, or a name.

    A resident already on the register is marked present rather than added twice.
    """
    if resident is not None:
        registration = (
            Registration.objects.filter(
                activity_id=session.activity_id,
                resident=resident,
                status__in=ACTIVE_REGISTRATION_STATUSES,
            )
            .order_by("id")
            .first()
        )
        return attendance_mark(
            actor=actor, session=session, registration=registration, resident=resident
        )
    name = " ".join((name or "").split())[:150]
    if not name:
        raise _fail("name", _("Write the name of the person, or find them among the residents."))
    session = _lock_session(session.pk)
    attendance = Attendance.objects.filter(
        session=session, resident__isnull=True, registration__isnull=True, walk_in_name__iexact=name
    ).first()
    if attendance is None:
        attendance = Attendance(session=session, walk_in_name=name)
    attendance.is_present = True
    attendance.recorded_by = actor if _is_user(actor) else None
    attendance.recorded_at = timezone.now()
    attendance.save()
    audit.record(
        actor=actor,
        action="activities.attendance_walk_in",
        target=attendance,
        lab_id=session.activity.lab_id,
    )
    return attendance


@transaction.atomic
def attendance_set(*, actor: Any, attendance: Attendance, is_present: bool) -> Attendance:
    """Mark an existing register line (e.g. a walk-in) present or absent."""
    session = _lock_session(attendance.session_id)
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    attendance.is_present = is_present
    attendance.recorded_by = actor if _is_user(actor) else None
    attendance.recorded_at = timezone.now()
    attendance.save(update_fields=["is_present", "recorded_by", "recorded_at", "updated_at"])
    audit.record(
        actor=actor,
        action="activities.attendance_mark",
        target=attendance,
        lab_id=session.activity.lab_id,
        changes={"present": is_present},
    )
    _count_in_monitoring(attendance, session=session, actor=actor)
    return attendance


# --- Messages ---------------------------------------------------------------------------------


def _queue_message(
    registration: Registration,
    *,
    kind: str,
    session: ActivitySession | None = None,
    note: str = "",
) -> ActivityMessage | None:
    """Write an e-mail to the outbox when the person has an address, and queue its sending."""
    recipient = registration.email
    if not recipient:
        return None
    activity = registration.activity
    with translation.override(registration.language or "it"):
        context = {
            "registration": registration,
            "activity": activity,
            "session": session,
            "kind": kind,
            "note": note,
            "lab": activity.lab,
            "activity_url": settings.QUARTIERE_PUBLIC_URL.rstrip("/") + activity.get_absolute_url(),
        }
        subject = render_to_string("activities/email/subject.txt", context).strip()
        body = render_to_string("activities/email/body.txt", context)
    message = ActivityMessage.objects.create(
        lab_id=activity.lab_id,
        registration=registration,
        session=session,
        kind=kind,
        recipient=recipient,
        subject=subject[:200],
        body=body,
    )
    _schedule_send(message.pk)
    return message


def _schedule_send(message_id: int) -> None:
    """Queue the e-mail with the transaction (database queue) or after commit (immediate)."""
    if settings.TASKS_MODE == "database":
        from quartiere.activities.tasks import activity_message_send_task

        activity_message_send_task.enqueue(message_id)
    else:
        transaction.on_commit(lambda: _enqueue_send(message_id))


def _enqueue_send(message_id: int) -> None:
    from quartiere.activities.tasks import activity_message_send_task

    try:
        activity_message_send_task.enqueue(message_id)
    except Exception:  # the outbox row stays pending; the reminder command retries it
        logger.exception("could not enqueue activity message %s", message_id)


def activity_message_send(*, message_id: int) -> ActivityMessage:
    """Send one outbox e-mail; a failure is recorded on the row, never on the registration."""
    with transaction.atomic():
        message = ActivityMessage.objects.select_for_update().get(pk=message_id)
        if message.status == MessageStatus.SENT:
            return message
        message.attempt_count += 1
        try:
            send_mail(
                message.subject,
                message.body,
                settings.DEFAULT_FROM_EMAIL,
                [message.recipient],
                fail_silently=False,
            )
        except Exception as exc:
            message.status = MessageStatus.FAILED
            message.last_error = f"{type(exc).__name__}: {exc}"[:300]
            logger.warning("activity message %s failed (%s)", message.pk, type(exc).__name__)
        else:
            message.status = MessageStatus.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
        message.save(
            update_fields=["status", "attempt_count", "last_error", "sent_at", "updated_at"]
        )
        return message


def session_reminders_send(
    *, now: dt.datetime | None = None, hours_ahead: int = 24, actor: Any = None
) -> int:
    """Queue a reminder for each confirmed registration with an e-mail, for sessions starting
    within ``hours_ahead`` hours; each registration and session gets one reminder ever, however
    often this runs. Returns the number of reminders queued."""
    now = now or timezone.now()
    sessions = ActivitySession.objects.filter(
        status=SessionStatus.SCHEDULED,
        starts_at__gt=now,
        starts_at__lte=now + dt.timedelta(hours=hours_ahead),
        activity__status=ActivityStatus.PUBLISHED,
    ).select_related("activity", "activity__lab")
    queued = 0
    for session in sessions:
        already = set(
            ActivityMessage.objects.filter(session=session, kind=MessageKind.REMINDER).values_list(
                "registration_id", flat=True
            )
        )
        registrations: Iterable[Registration] = (
            session.activity.registrations.filter(status=RegistrationStatus.CONFIRMED)
            .exclude(pk__in=already)
            .select_related("resident")
        )
        for registration in registrations:
            registration.activity = session.activity
            try:
                with transaction.atomic():
                    if _queue_message(registration, kind=MessageKind.REMINDER, session=session):
                        queued += 1
            except IntegrityError:  # a concurrent run queued it first
                continue
    if queued:
        audit.record(
            actor=actor,
            action="activities.reminders_send",
            target_type="activities.activitysession",
            changes={"queued": queued},
        )
    return queued


def activity_messages_retry_failed(*, actor: Any = None) -> int:
    """Queue again the e-mails that failed or were never sent; returns how many."""
    ids = list(
        ActivityMessage.objects.filter(
            status__in=[MessageStatus.FAILED, MessageStatus.PENDING],
            created_at__lt=timezone.now() - dt.timedelta(minutes=5),
        ).values_list("pk", flat=True)[:500]
    )
    for message_id in ids:
        _enqueue_send(message_id)
    return len(ids)
