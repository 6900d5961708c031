"""The demo programme: a year of activities with sessions, registrations, waiting lists and
registers, through the services for the demo labs."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from quartiere.accounts.models import Lab
from quartiere.activities.enums import ActivityStatus, RegistrationStatus
from quartiere.activities.models import Activity, ActivitySession, Attendance, Registration
from quartiere.core.models import AuditEvent
from quartiere.monitoring.models import Participation

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded() -> None:
    call_command("seed_demo", scale="tiny", seed=5)


def test_seed_demo_gives_each_lab_published_activities_with_past_and_future_sessions(seeded):
    from django.utils import timezone

    now = timezone.now()
    for lab in Lab.objects.all():
        activities = Activity.objects.filter(lab=lab, status=ActivityStatus.PUBLISHED)
        assert activities.count() >= 5
        sessions = ActivitySession.objects.filter(activity__lab=lab)
        assert sessions.filter(starts_at__lt=now).exists()
        assert sessions.filter(starts_at__gt=now).exists()


def test_seed_demo_has_waiting_lists_registers_participations_and_audit(seeded):
    assert Registration.objects.filter(status=RegistrationStatus.WAITLISTED).exists()
    assert Registration.objects.filter(promoted_at__isnull=False).exists()
    assert Attendance.objects.filter(walk_in_name__gt="").exists()
    assert Attendance.objects.filter(resident__isnull=False).exists()
    for activity in Activity.objects.exclude(capacity=None):
        confirmed = activity.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
        assert confirmed <= activity.capacity
    assert Participation.objects.filter(kind="activity").exists()
    assert AuditEvent.objects.filter(action="activities.activity_publish").exists()
    assert AuditEvent.objects.filter(action="activities.registration_create").exists()
    assert Activity.objects.filter(status=ActivityStatus.CANCELLED).exists()
    assert Activity.objects.filter(status=ActivityStatus.DRAFT).exists()
