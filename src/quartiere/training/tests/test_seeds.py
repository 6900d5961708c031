"""The demo seeds load at the tiny scale through the real services."""

from __future__ import annotations

import random

import pytest
from django.core.management import call_command

from quartiere.training.models import AttendanceRecord, AttendanceRegister, Enrolment, Measure

pytestmark = pytest.mark.django_db


def test_seed_demo_tiny_builds_measures_paths_and_validated_registers():
    call_command("seed_demo", scale="tiny", seed=7, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Measure.objects.count() == 2
    assert Enrolment.objects.exists()
    assert AttendanceRegister.objects.filter(status="validated").exists()
    assert AttendanceRecord.objects.filter(is_validated=True).exists()
    random.Random(1)  # the command seeds its own generator
