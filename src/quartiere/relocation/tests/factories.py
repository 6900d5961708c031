"""Factories and small builders for relocation tests (plans made through the service)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from quartiere.accounts.models import Lab
from quartiere.people.models import Household
from quartiere.people.tests.factories import HouseholdFactory, ResidentFactory, TenancyFactory
from quartiere.relocation import services
from quartiere.relocation.enums import MoveKind, NeedStatus, PoolSource
from quartiere.relocation.models import PoolUnit, RelocationNeed, RelocationPlan
from quartiere.territory.enums import UnitStatus
from quartiere.territory.models import Building, Unit
from quartiere.territory.tests.factories import BuildingFactory, UnitFactory

TODAY = dt.date(2026, 1, 15)


def make_plan(lab: Lab, **fields: Any) -> RelocationPlan:
    """A plan of ``lab`` with the default rules."""
    return services.relocation_plan_create(
        actor=None, lab=lab, name=fields.pop("name", "Via Lorenteggio 181"), **fields
    )


def make_building(lab: Lab, **fields: Any) -> Building:
    """A building of the lab's district (with coordinates near Lorenteggio)."""
    fields.setdefault("latitude", Decimal("45.449000"))
    fields.setdefault("longitude", Decimal("9.135000"))
    return BuildingFactory(district=lab.district, **fields)


def make_unit(building: Building, *, area: int = 50, floor: int = 1, **fields: Any) -> Unit:
    fields.setdefault("status", UnitStatus.VACANT)
    return UnitFactory(building=building, floor_area_m2=Decimal(area), floor=floor, **fields)


def make_household(
    lab: Lab, *, members: int = 2, unit: Unit | None = None, language: str = "it", **kw: Any
) -> Household:
    """A household with ``members`` residents living in ``unit`` (a regular tenancy)."""
    household = HouseholdFactory(lab=lab, **kw)
    for i in range(members):
        resident = ResidentFactory(
            household=household,
            household_role="reference" if i == 0 else "child",
            preferred_language=language,
        )
        if i == 0:
            household.reference_person = resident
            household.save(update_fields=["reference_person"])
    if unit is not None:
        TenancyFactory(household=household, unit=unit, starts_on=dt.date(2010, 1, 1))
        unit.status = UnitStatus.OCCUPIED
        unit.save(update_fields=["status"])
    return household


def add_pool(
    plan: RelocationPlan,
    unit: Unit,
    *,
    kind: str = MoveKind.PERMANENT,
    available_from: dt.date = dt.date(2025, 1, 1),
) -> PoolUnit:
    return services.pool_unit_add(
        actor=None,
        plan=plan,
        unit=unit,
        available_from=available_from,
        move_kind=kind,
        source=PoolSource.VACANT,
    )


def make_need(
    plan: RelocationPlan,
    household: Household,
    *,
    assessed: bool = True,
    **fields: Any,
) -> RelocationNeed:
    need = services.need_create(actor=None, plan=plan, household=household, **fields)
    if assessed:
        need = services.need_assess(actor=None, need=need)
    assert need.status == (NeedStatus.ASSESSED if assessed else NeedStatus.TO_ASSESS)
    return need
