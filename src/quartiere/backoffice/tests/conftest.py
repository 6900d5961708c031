"""A populated lab B (another district): the objects lab A's staff must never reach."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from quartiere.people.tests.factories import (
    ConsentFactory,
    HouseholdFactory,
    ResidentFactory,
    SensitiveProfileFactory,
    TenancyFactory,
)
from quartiere.territory.tests.factories import BuildingFactory, UnitFactory


@pytest.fixture
def lab_b_world(other_lab) -> SimpleNamespace:  # type: ignore[no-untyped-def]
    building = BuildingFactory(district=other_lab.district)
    unit = UnitFactory(building=building)
    household = HouseholdFactory(lab=other_lab)
    resident = ResidentFactory(household=household, first_name="Segreto", last_name="Bi")
    tenancy = TenancyFactory(household=household, unit=unit)
    consent = ConsentFactory(resident=resident)
    SensitiveProfileFactory(resident=resident, health_notes="Riservato B")
    return SimpleNamespace(
        lab=other_lab,
        building=building,
        unit=unit,
        household=household,
        resident=resident,
        tenancy=tenancy,
        consent=consent,
    )
