"""A small training world: a lab's measure, an operator, a path, a session, an eligible resident."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation

from quartiere.accounts.enums import Role
from quartiere.accounts.models import User
from quartiere.monitoring.services import EntryData
from quartiere.people.tests.factories import HouseholdFactory, ResidentFactory, TenancyFactory
from quartiere.territory.tests.factories import BuildingFactory, UnitFactory
from quartiere.training.enums import IncomeSupport
from quartiere.training.seeds import italian_iban
from quartiere.training.services import enrolment as enrolment_services
from quartiere.training.tests.factories import (
    AccreditedOperatorFactory,
    AllowanceRuleFactory,
    MeasureFactory,
    TrainingPathFactory,
    TrainingSessionFactory,
)

TODAY = dt.date(2025, 2, 10)
GOOD_IBAN = italian_iban("05428", "11101", "000000123456")


@dataclass
class World:
    lab: Any
    measure: Any
    operator: Any
    path: Any
    session: Any
    resident: Any
    building: Any
    coordinator: User
    trainer: User
    responsible: User


def eligible_evidence() -> dict[str, Any]:
    return {
        "unemployed_since": dt.date(2024, 1, 1),
        "isee_value": Decimal("9500.00"),
        "isee_date": dt.date(2025, 1, 15),
        "income_support": IncomeSupport.NONE,
    }


def make_resident(lab: Any, building: Any, **fields: Any) -> Any:
    household = HouseholdFactory(lab=lab)
    TenancyFactory(household=household, unit=UnitFactory(building=building))
    return ResidentFactory(household=household, lab=lab, **fields)


def enrol(world: World, resident: Any = None, *, on: dt.date = TODAY, path: Any = None) -> Any:
    resident = resident or world.resident
    path = path or world.path
    check = enrolment_services.eligibility_check_run(
        actor=world.coordinator,
        measure=path.measure,
        resident=resident,
        checked_on=on,
        **eligible_evidence(),
    )
    return enrolment_services.enrolment_create(
        actor=world.coordinator,
        path=path,
        check=check,
        enrolled_on=on,
        planned_hours=Decimal("100"),
        objectives="Patente del computer",
        iban=GOOD_IBAN,
        account_holder=f"{resident.first_name} {resident.last_name}",
        entry_data=EntryData(employment_status="unemployed", education_level="isced_3_4"),
    )


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    """Service messages are compared in English whatever a previous request activated."""
    with translation.override("en"):
        yield


@pytest.fixture
def world(lab, make_user) -> World:  # type: ignore[no-untyped-def]
    building = BuildingFactory(district=lab.district)
    measure = MeasureFactory(lab=lab)
    measure.target_buildings.add(building)
    AllowanceRuleFactory(measure=measure, valid_from=dt.date(2025, 1, 1))
    coordinator = make_user(Role.LAB_COORDINATOR, lab, username="coord", first_name="Chiara")
    trainer = make_user(Role.TRAINING_OPERATOR, lab, username="trainer", first_name="Elena")
    responsible = make_user(Role.TRAINING_OPERATOR, lab, username="resp", first_name="Rita")
    responsible.user_permissions.add(
        Permission.objects.get(codename="validate_register", content_type__app_label="training")
    )
    responsible = User.objects.get(pk=responsible.pk)
    operator = AccreditedOperatorFactory(lab=lab)
    operator.staff.add(trainer)
    operator.responsibles.add(responsible)
    path = TrainingPathFactory(measure=measure, operator=operator, trainer=trainer)
    session = TrainingSessionFactory(path=path)
    resident = make_resident(
        lab, building, first_name="Mario", last_name="Rossi", birth_date=dt.date(1980, 5, 1)
    )
    return World(
        lab=lab,
        measure=measure,
        operator=operator,
        path=path,
        session=session,
        resident=resident,
        building=building,
        coordinator=coordinator,
        trainer=trainer,
        responsible=responsible,
    )
