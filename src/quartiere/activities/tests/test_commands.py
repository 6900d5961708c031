"""The reminder command: one reminder per registration and session, however often it runs."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from quartiere.activities.enums import MessageKind
from quartiere.activities.models import ActivityMessage
from quartiere.activities.tests.factories import (
    ActivityFactory,
    ActivitySessionFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db


def test_activities_send_reminders_sends_once_when_run_twice(
    lab, django_capture_on_commit_callbacks
):
    activity = ActivityFactory(lab=lab)
    ActivitySessionFactory(activity=activity, starts_at=timezone.now() + dt.timedelta(hours=3))
    RegistrationFactory(activity=activity, contact_email="anna@example.org")
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("activities_send_reminders", stdout=out)
        call_command("activities_send_reminders", stdout=out)

    assert ActivityMessage.objects.filter(kind=MessageKind.REMINDER).count() == 1
    assert out.getvalue().startswith("1 reminders queued")
    assert len(mail.outbox) == 1


def test_reminders_periodic_job_sends_each_reminder_once_however_often_it_runs(
    lab, django_capture_on_commit_callbacks
):
    from quartiere.activities.tasks import session_reminders_job
    from quartiere.core import periodic

    activity = ActivityFactory(lab=lab)
    ActivitySessionFactory(activity=activity, starts_at=timezone.now() + dt.timedelta(hours=3))
    RegistrationFactory(activity=activity, contact_email="anna@example.org")
    RegistrationFactory(activity=activity, contact_email="karim@example.org")
    job = next(j for j in periodic.registered() if j.name == "activities.session_reminders")
    clock = [0.0]
    scheduler = periodic.Scheduler([job], clock=lambda: clock[0])

    with django_capture_on_commit_callbacks(execute=True):
        assert scheduler.run_due() == ["activities.session_reminders"]
        clock[0] += 3600
        assert scheduler.run_due() == ["activities.session_reminders"]  # an hour later
        session_reminders_job()  # and once more by hand

    assert ActivityMessage.objects.filter(kind=MessageKind.REMINDER).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@example.org", "karim@example.org"]
