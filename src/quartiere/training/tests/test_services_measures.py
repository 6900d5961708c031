"""Measures, rule versions, paths and weekly session schedules; role capabilities."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from quartiere.core.exceptions import ApplicationError
from quartiere.monitoring.services import EntryData
from quartiere.territory.tests.factories import BuildingFactory
from quartiere.training.enums import EnrolmentStatus, IncomeSupport
from quartiere.training.models import AllowanceRule, EligibilityCheck, TrainingSession
from quartiere.training.services import enrolment as enrolment_svc
from quartiere.training.services import measures as svc
from quartiere.training.tests.conftest import GOOD_IBAN, make_resident

pytestmark = pytest.mark.django_db


def test_measure_create_adds_default_rule(world):
    measure = svc.measure_create(actor=world.coordinator, lab=world.lab, name="PIL")
    rule = measure.rules.get()
    assert (rule.hourly_rate, rule.month_cap, rule.person_cap) == (
        Decimal("5.00"),
        Decimal("400.00"),
        Decimal("2000.00"),
    )
    assert rule.min_attendance_ratio == Decimal("0.750")


def test_measure_refuses_buildings_of_another_district(world):
    with pytest.raises(ApplicationError) as exc:
        svc.measure_update(
            actor=world.coordinator, measure=world.measure, target_buildings=[BuildingFactory()]
        )
    assert "target_buildings" in exc.value.fields


def test_allowance_rule_add_closes_previous_version(world):
    svc.allowance_rule_add(
        actor=world.coordinator,
        measure=world.measure,
        valid_from=dt.date(2025, 7, 1),
        hourly_rate=Decimal("6.00"),
        month_cap=Decimal("450.00"),
        person_cap=Decimal("2000.00"),
        min_attendance_ratio=None,
    )
    old, new = AllowanceRule.objects.filter(measure=world.measure).order_by("valid_from")
    assert old.valid_to == dt.date(2025, 6, 30)
    assert new.valid_to is None
    assert new.min_attendance_ratio is None


def test_allowance_rule_add_refuses_date_before_latest(world):
    with pytest.raises(ApplicationError) as exc:
        svc.allowance_rule_add(
            actor=world.coordinator,
            measure=world.measure,
            valid_from=dt.date(2024, 12, 1),
            hourly_rate=Decimal("6.00"),
            month_cap=Decimal("450.00"),
            person_cap=Decimal("2000.00"),
            min_attendance_ratio=Decimal("0.75"),
        )
    assert "valid_from" in exc.value.fields


def test_sessions_generate_creates_weekly_sessions_once(world):
    kwargs = {
        "actor": world.coordinator,
        "path": world.path,
        "weekdays": [0, 2],
        "start_time": dt.time(9),
        "end_time": dt.time(12, 30),
        "first_day": dt.date(2025, 4, 1),
        "last_day": dt.date(2025, 4, 30),
    }
    created = svc.training_sessions_generate(**kwargs)
    assert len(created) == 9  # Mondays and Wednesdays of April 2025
    assert all(s.hours == Decimal("3.50") for s in created)
    assert svc.training_sessions_generate(**kwargs) == []


def test_sessions_generate_refuses_empty_week(world):
    with pytest.raises(ApplicationError) as exc:
        svc.training_sessions_generate(
            actor=world.coordinator,
            path=world.path,
            weekdays=[],
            start_time=dt.time(9),
            end_time=dt.time(8),
        )
    assert {"weekdays", "end_time"} <= set(exc.value.fields)
    assert TrainingSession.objects.count() == 1


def test_path_places_cannot_fall_below_enrolled(world):
    from quartiere.training.tests.conftest import enrol

    enrol(world)
    with pytest.raises(ApplicationError) as exc:
        svc.training_path_update(actor=world.coordinator, path=world.path, places=0)
    assert "places" in exc.value.fields


def _row(resident, **changes):
    data = {
        "resident": resident,
        "checked_on": dt.date(2025, 2, 10),
        "unemployed_since": dt.date(2024, 1, 1),
        "isee_value": Decimal("9000"),
        "isee_date": dt.date(2025, 1, 10),
        "income_support": IncomeSupport.NONE,
        "planned_hours": Decimal("100"),
        "objectives": "Lavoro",
        "iban": GOOD_IBAN,
        "entry_data": EntryData(employment_status="unemployed"),
        "started_on": dt.date(2025, 2, 15),
        **changes,
    }
    return enrolment_svc.EnrolmentLoad(**data)


def test_enrolments_bulk_load_keeps_checks_and_skips_failed_gates(world):
    other = make_resident(world.lab, world.building, first_name="Sara", last_name="Neri")
    third = make_resident(world.lab, world.building, first_name="Ugo", last_name="Bassi")
    loaded = enrolment_svc.enrolments_bulk_load(
        actor=world.coordinator,
        path=world.path,
        rows=[
            _row(world.resident),
            _row(other, income_support=IncomeSupport.NASPI),
            _row(third, withdrawn_on=dt.date(2025, 3, 1), withdrawal_reason="Lavoro"),
        ],
    )
    assert [e.resident_id for e in loaded] == [world.resident.pk, third.pk]
    assert loaded[1].status == EnrolmentStatus.WITHDRAWN
    assert EligibilityCheck.objects.filter(passed=False).count() == 1


def test_role_capabilities_granted_by_migration(db):
    def perms(role):
        return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))

    assert {"validate_register", "change_measure", "export_enrolments"} <= perms("lab_coordinator")
    assert "enter_register" in perms("training_operator")
    assert "validate_register" not in perms("training_operator")
    assert "view_own_training" in perms("resident")
    assert "change_measure" not in perms("lab_operator")
