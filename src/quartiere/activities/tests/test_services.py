"""Activities, sessions, registrations with the waiting list, attendance and messages."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from quartiere.activities import services
from quartiere.activities.enums import (
    ActivityKind,
    ActivityPlaceKind,
    ActivityStatus,
    MessageKind,
    RegistrationChannel,
    RegistrationStatus,
    SessionStatus,
)
from quartiere.activities.models import ActivityMessage, Attendance
from quartiere.activities.tests.factories import (
    ActivityFactory,
    ActivitySessionFactory,
)
from quartiere.core.exceptions import ApplicationError, InvalidTransitionError
from quartiere.core.models import AuditEvent
from quartiere.monitoring.models import Participation
from quartiere.people.tests.factories import ResidentFactory
from quartiere.territory.tests.factories import BuildingFactory

pytestmark = pytest.mark.django_db
ROME = zoneinfo.ZoneInfo("Europe/Rome")


def _activity(lab, capacity=None):
    activity = ActivityFactory(lab=lab, capacity=capacity)
    ActivitySessionFactory(activity=activity)
    return activity


def _register(activity, name, email=""):
    return services.registration_create(
        actor=None,
        activity=activity,
        channel=RegistrationChannel.DESK,
        contact_name=name,
        contact_phone="021234",
        contact_email=email,
    )


def test_activity_create_makes_an_audited_draft(operator, lab):
    activity = services.activity_create(
        actor=operator,
        lab=lab,
        title_it="Italiano per donne",
        title_en="Italian for women",
        kind=ActivityKind.EDUCATIONAL,
        capacity=12,
    )
    assert activity.status == ActivityStatus.DRAFT
    assert activity.slug == "italiano-per-donne"
    assert AuditEvent.objects.filter(action="activities.activity_create").count() == 1


def test_activity_create_refuses_common_room_without_building(operator, lab):
    with pytest.raises(ApplicationError) as exc:
        services.activity_create(
            actor=operator,
            lab=lab,
            title_it="Merenda",
            kind=ActivityKind.PARTY,
            place_kind=ActivityPlaceKind.COMMON_ROOM,
        )
    assert "building" in exc.value.fields


def test_activity_create_refuses_building_of_another_district(operator, lab):
    with pytest.raises(ApplicationError) as exc:
        services.activity_create(
            actor=operator,
            lab=lab,
            title_it="Merenda",
            kind=ActivityKind.PARTY,
            place_kind=ActivityPlaceKind.COMMON_ROOM,
            building=BuildingFactory(),
        )
    assert "building" in exc.value.fields


def test_activity_title_follows_active_language(lab):
    activity = ActivityFactory(lab=lab, title_it="Festa", title_en="Party")
    from django.utils import translation

    with translation.override("en"):
        assert activity.title == "Party"
    with translation.override("it"):
        assert activity.title == "Festa"


def test_sessions_schedule_weekly_skips_holidays(operator, lab):
    activity = ActivityFactory(lab=lab, status=ActivityStatus.DRAFT)
    # Tuesdays from 2 Dec 2025 to 6 Jan 2026: 30 Dec is fine, 6 Jan (Epiphany) is a holiday.
    first = dt.datetime(2025, 12, 2, 15, 0, tzinfo=ROME)
    sessions = services.activity_sessions_schedule(
        actor=operator,
        activity=activity,
        first_start=first,
        duration=dt.timedelta(hours=2),
        weekly_until=dt.date(2026, 1, 6),
    )
    days = [timezone.localtime(s.starts_at, ROME).date() for s in sessions]
    assert dt.date(2026, 1, 6) not in days
    assert dt.date(2025, 12, 30) in days
    assert len(days) == 5  # 2, 9, 16, 30 Dec, and 23 Dec; 6 Jan skipped
    assert all(timezone.localtime(s.starts_at, ROME).hour == 15 for s in sessions)


def test_sessions_schedule_keeps_local_time_across_dst(operator, lab):
    activity = ActivityFactory(lab=lab, status=ActivityStatus.DRAFT)
    first = dt.datetime(2026, 3, 17, 15, 0, tzinfo=ROME)
    sessions = services.activity_sessions_schedule(
        actor=operator,
        activity=activity,
        first_start=first,
        duration=dt.timedelta(hours=2),
        weekly_until=dt.date(2026, 4, 7),
        skip_holidays=False,
    )
    assert [timezone.localtime(s.starts_at, ROME).hour for s in sessions] == [15, 15, 15, 15]


def test_sessions_schedule_twice_does_not_double(operator, lab):
    activity = ActivityFactory(lab=lab, status=ActivityStatus.DRAFT)
    kwargs = {
        "actor": operator,
        "activity": activity,
        "first_start": dt.datetime(2026, 2, 3, 15, 0, tzinfo=ROME),
        "duration": dt.timedelta(hours=2),
        "weekly_until": dt.date(2026, 2, 24),
    }
    services.activity_sessions_schedule(**kwargs)
    again = services.activity_sessions_schedule(**kwargs)
    assert again == []
    assert activity.sessions.count() == 4


def test_activity_publish_needs_a_session(operator, lab):
    activity = ActivityFactory(lab=lab, status=ActivityStatus.DRAFT)
    with pytest.raises(ApplicationError):
        services.activity_publish(actor=operator, activity=activity)


def test_activity_publish_twice_is_refused(operator, lab):
    activity = ActivityFactory(lab=lab, status=ActivityStatus.DRAFT)
    ActivitySessionFactory(activity=activity)
    services.activity_publish(actor=operator, activity=activity)
    with pytest.raises(InvalidTransitionError):
        services.activity_publish(actor=operator, activity=activity)


def test_registration_goes_to_waitlist_when_full(lab):
    activity = _activity(lab, capacity=1)
    first = _register(activity, "Anna Rossi")
    second = _register(activity, "Bruno Verdi")
    assert first.status == RegistrationStatus.CONFIRMED
    assert second.status == RegistrationStatus.WAITLISTED


def test_registration_cancel_promotes_first_waitlisted_and_tells_them(
    lab, django_capture_on_commit_callbacks
):
    activity = _activity(lab, capacity=1)
    first = _register(activity, "Anna Rossi")
    second = _register(activity, "Bruno Verdi", email="bruno@example.org")
    third = _register(activity, "Carla Neri", email="carla@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=None, registration=first)
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == RegistrationStatus.CONFIRMED
    assert second.promoted_at is not None
    assert third.status == RegistrationStatus.WAITLISTED
    assert [m.to for m in mail.outbox] == [["bruno@example.org"]]


def test_registration_cancel_of_waitlisted_promotes_nobody(lab):
    activity = _activity(lab, capacity=1)
    _register(activity, "Anna Rossi")
    second = _register(activity, "Bruno Verdi")
    third = _register(activity, "Carla Neri")
    services.registration_cancel(actor=None, registration=second)
    third.refresh_from_db()
    assert third.status == RegistrationStatus.WAITLISTED


def test_activity_update_with_more_places_promotes_waitlist(operator, lab):
    activity = _activity(lab, capacity=1)
    _register(activity, "Anna Rossi")
    second = _register(activity, "Bruno Verdi")
    services.activity_update(actor=operator, activity=activity, capacity=2)
    second.refresh_from_db()
    assert second.status == RegistrationStatus.CONFIRMED


def test_activity_update_refuses_fewer_places_than_confirmed(operator, lab):
    activity = _activity(lab, capacity=2)
    _register(activity, "Anna Rossi")
    _register(activity, "Bruno Verdi")
    with pytest.raises(ApplicationError) as exc:
        services.activity_update(actor=operator, activity=activity, capacity=1)
    assert "capacity" in exc.value.fields


def test_registration_of_same_resident_twice_is_refused(lab):
    activity = _activity(lab)
    resident = ResidentFactory(lab=lab)
    services.registration_create(
        actor=None, activity=activity, channel=RegistrationChannel.PORTAL, resident=resident
    )
    with pytest.raises(ApplicationError):
        services.registration_create(
            actor=None, activity=activity, channel=RegistrationChannel.PORTAL, resident=resident
        )
    assert activity.registrations.count() == 1


def test_registration_of_same_unregistered_person_twice_is_refused(lab):
    activity = _activity(lab)
    _register(activity, "Anna Rossi")
    with pytest.raises(ApplicationError):
        _register(activity, "anna rossi")


def test_registration_without_contact_is_refused_per_field(lab):
    activity = _activity(lab)
    with pytest.raises(ApplicationError) as exc:
        services.registration_create(
            actor=None, activity=activity, channel=RegistrationChannel.DESK, contact_name="Anna"
        )
    assert "contact_phone" in exc.value.fields


def test_registration_refused_when_closed(lab):
    activity = _activity(lab)
    activity.is_registration_open = False
    activity.save()
    with pytest.raises(ApplicationError):
        _register(activity, "Anna Rossi")


def test_registration_survives_mail_failure(lab, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "quartiere.reports.tests.failing_backend.EmailBackend"
    activity = _activity(lab)
    with django_capture_on_commit_callbacks(execute=True):
        registration = _register(activity, "Anna Rossi", email="anna@example.org")
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert ActivityMessage.objects.get(registration=registration).status == "failed"


def test_activity_cancel_tells_registered_and_cancels_future_sessions(
    operator, lab, django_capture_on_commit_callbacks
):
    activity = _activity(lab)
    _register(activity, "Anna Rossi", email="anna@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_cancel(actor=operator, activity=activity, reason="Sala inagibile")
    assert activity.sessions.filter(status=SessionStatus.SCHEDULED).count() == 0
    assert len(mail.outbox) == 1
    assert "Sala inagibile" in mail.outbox[0].body


def test_activity_cancel_needs_reason(operator, lab):
    activity = _activity(lab)
    with pytest.raises(ApplicationError) as exc:
        services.activity_cancel(actor=operator, activity=activity, reason=" ")
    assert "reason" in exc.value.fields


def test_session_cancel_tells_confirmed(operator, lab, django_capture_on_commit_callbacks):
    activity = _activity(lab)
    _register(activity, "Anna Rossi", email="anna@example.org")
    mail.outbox.clear()
    session = activity.sessions.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(actor=operator, session=session, reason="Sciopero")
    assert len(mail.outbox) == 1


def test_reminders_sent_once_per_registration_and_session(lab):
    activity = _activity(lab)
    _register(activity, "Anna Rossi", email="anna@example.org")
    session = activity.sessions.get()
    now = session.starts_at - dt.timedelta(hours=5)
    assert services.session_reminders_send(now=now) == 1
    assert services.session_reminders_send(now=now) == 0
    assert ActivityMessage.objects.filter(kind=MessageKind.REMINDER).count() == 1


def test_reminders_skip_sessions_further_than_a_day(lab):
    activity = _activity(lab)
    _register(activity, "Anna Rossi", email="anna@example.org")
    session = activity.sessions.get()
    assert services.session_reminders_send(now=session.starts_at - dt.timedelta(days=2)) == 0


def test_attendance_of_resident_counts_once_in_monitoring(operator, lab):
    activity = _activity(lab)
    resident = ResidentFactory(lab=lab)
    registration = services.registration_create(
        actor=None, activity=activity, channel=RegistrationChannel.DESK, resident=resident
    )
    session = activity.sessions.get()
    with time_machine.travel(session.starts_at, tick=False):
        services.attendance_mark(actor=operator, session=session, registration=registration)
        services.attendance_mark(actor=operator, session=session, registration=registration)
    participation = Participation.objects.get(operation_key=f"activities.activity:{activity.pk}")
    assert participation.contact_count == 1
    assert Attendance.objects.filter(session=session).count() == 1


def test_attendance_refused_before_session_day(operator, lab):
    activity = _activity(lab)
    registration = _register(activity, "Anna Rossi")
    session = activity.sessions.get()
    with pytest.raises(ApplicationError):
        services.attendance_mark(actor=operator, session=session, registration=registration)


def test_walk_in_by_name_is_not_doubled(operator, lab):
    activity = _activity(lab)
    session = activity.sessions.get()
    with time_machine.travel(session.starts_at, tick=False):
        services.attendance_walk_in_add(actor=operator, session=session, name="Mario  Bianchi")
        services.attendance_walk_in_add(actor=operator, session=session, name="mario bianchi")
    assert Attendance.objects.filter(session=session).count() == 1


def test_walk_in_resident_already_registered_uses_registration(operator, lab):
    activity = _activity(lab)
    resident = ResidentFactory(lab=lab)
    registration = services.registration_create(
        actor=None, activity=activity, channel=RegistrationChannel.DESK, resident=resident
    )
    session = activity.sessions.get()
    with time_machine.travel(session.starts_at, tick=False):
        attendance = services.attendance_walk_in_add(
            actor=operator, session=session, resident=resident
        )
    assert attendance.registration == registration
