"""Factories for districts, buildings, stairs and housing units."""

from __future__ import annotations

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from quartiere.accounts.enums import OrganisationKind
from quartiere.accounts.tests.factories import OrganisationFactory
from quartiere.territory.enums import BuildingStatus, UnitStatus
from quartiere.territory.models import Building, District, Entrance, Unit


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District

    municipality = "Milano"
    name = factory.Sequence(lambda n: f"Quartiere {n}")


class BuildingFactory(DjangoModelFactory):
    class Meta:
        model = Building

    district = factory.SubFactory(DistrictFactory)
    code = factory.Sequence(lambda n: f"B{n:04d}")
    street = "Via Padova"
    number = factory.Sequence(lambda n: str(n + 1))
    owner = factory.SubFactory(
        OrganisationFactory,
        name=factory.Sequence(lambda n: f"ALER Test {n}"),
        kind=OrganisationKind.ALER,
    )
    floors = 5
    status = BuildingStatus.INHABITED


class EntranceFactory(DjangoModelFactory):
    class Meta:
        model = Entrance
        django_get_or_create = ("building", "name")

    building = factory.SubFactory(BuildingFactory)
    name = "A"


class UnitFactory(DjangoModelFactory):
    """A unit; pass ``building`` (its stair "A" follows) or both ``building`` and ``entrance``."""

    class Meta:
        model = Unit

    building = factory.SubFactory(BuildingFactory)
    entrance = factory.SubFactory(EntranceFactory, building=factory.SelfAttribute("..building"))
    code = factory.Sequence(lambda n: f"U{n:05d}")
    floor = 1
    rooms = 3
    floor_area_m2 = Decimal("65.00")
    status = UnitStatus.VACANT
