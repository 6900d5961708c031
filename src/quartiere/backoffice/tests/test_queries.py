"""Every list runs a constant number of queries, whatever the number of rows on the page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quartiere.core.tests.factories import AccessEventFactory, AuditEventFactory
from quartiere.people.tests.factories import HouseholdFactory, ResidentFactory, TenancyFactory
from quartiere.territory.tests.factories import BuildingFactory, UnitFactory

pytestmark = pytest.mark.django_db

FEW, MANY = 3, 30  # MANY exceeds a page, so the page is full


def _query_count(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _assert_constant(client, url: str, add_rows: Callable[[int], None]) -> None:  # type: ignore[no-untyped-def]
    _query_count(client, url)  # warm-up: one-off caches (content types, templates)
    add_rows(FEW)
    few = _query_count(client, url)
    add_rows(MANY - FEW)
    many = _query_count(client, url)

    assert many == few, f"{url}: {few} queries for {FEW} rows, {many} for {MANY}"


def _residents_with_homes(lab):  # type: ignore[no-untyped-def]
    def add(n: int) -> None:
        for _ in range(n):
            household = HouseholdFactory(lab=lab)
            unit = UnitFactory(building=BuildingFactory(district=lab.district))
            TenancyFactory(household=household, unit=unit)
            ResidentFactory(household=household)
            ResidentFactory(household=household)

    return add


def test_resident_list_runs_constant_queries_when_rows_grow(login, coordinator, lab) -> None:
    _assert_constant(
        login(coordinator), reverse("backoffice:resident_list"), _residents_with_homes(lab)
    )


def test_resident_search_runs_constant_queries_when_rows_grow(login, coordinator, lab) -> None:
    url = reverse("backoffice:resident_list") + "?q=ross&has_household=yes"

    def add(n: int) -> None:
        for _ in range(n):
            household = HouseholdFactory(lab=lab)
            TenancyFactory(household=household)
            ResidentFactory(household=household, last_name="Rossi")

    _assert_constant(login(coordinator), url, add)


def test_household_list_runs_constant_queries_when_rows_grow(login, coordinator, lab) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            household = HouseholdFactory(lab=lab)
            TenancyFactory(household=household)
            resident = ResidentFactory(household=household)
            household.reference_person = resident
            household.save()

    _assert_constant(login(coordinator), reverse("backoffice:household_list"), add)


def test_building_list_runs_constant_queries_when_rows_grow(login, coordinator, lab) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            UnitFactory(building=BuildingFactory(district=lab.district))

    _assert_constant(login(coordinator), reverse("backoffice:building_list"), add)


def test_building_detail_runs_constant_queries_when_units_grow(login, coordinator, lab) -> None:
    building = BuildingFactory(district=lab.district)

    def add(n: int) -> None:
        for _ in range(n):
            unit = UnitFactory(building=building)
            TenancyFactory(household=HouseholdFactory(lab=lab), unit=unit)

    _assert_constant(
        login(coordinator), reverse("backoffice:building_detail", args=[building.pk]), add
    )


def test_audit_log_runs_constant_queries_when_rows_grow(login, coordinator, lab, make_user) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            AuditEventFactory(lab_id=lab.pk, actor=make_user(), changes={"a": [1, 2]})

    _assert_constant(login(coordinator), reverse("backoffice:audit"), add)


def test_access_log_runs_constant_queries_when_rows_grow(
    login, coordinator, lab, make_user
) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            AccessEventFactory(lab_id=lab.pk, actor=make_user())

    _assert_constant(login(coordinator), reverse("backoffice:audit") + "?view=access", add)


def test_api_resident_list_runs_constant_queries_when_rows_grow(login, coordinator, lab) -> None:
    _assert_constant(login(coordinator), "/api/v1/people/residents/", _residents_with_homes(lab))


def test_api_building_list_runs_constant_queries_when_rows_grow(login, coordinator, lab) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            UnitFactory(building=BuildingFactory(district=lab.district))

    _assert_constant(login(coordinator), "/api/v1/territory/buildings/", add)


def test_api_unit_list_runs_constant_queries_when_rows_grow(login, coordinator, lab) -> None:
    building = BuildingFactory(district=lab.district)

    def add(n: int) -> None:
        UnitFactory.create_batch(n, building=building)

    _assert_constant(login(coordinator), "/api/v1/territory/units/", add)


def test_resident_list_page_holds_a_full_page_when_many_rows(login, coordinator, lab) -> None:
    ResidentFactory.create_batch(MANY, lab=lab)

    response = login(coordinator).get(reverse("backoffice:resident_list"))

    assert len(response.context["page"].object_list) == 25
    assert response.context["page"].paginator.count == MANY
