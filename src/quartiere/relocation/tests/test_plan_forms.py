"""The plan form (name, status, refusals, solver weights), units in the phase form, and the
pools recorded on plan versions for the comparison."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quartiere.core.exceptions import ApplicationError
from quartiere.core.models import AuditEvent
from quartiere.relocation import services
from quartiere.relocation.enums import PlanStatus
from quartiere.relocation.models import RelocationPhase, RelocationPlan
from quartiere.relocation.tests import factories as f

pytestmark = pytest.mark.django_db

WEIGHTS = {
    "weight_preference": "5",
    "weight_distance": "1.5",
    "weight_area_fit": "2",
    "weight_neighbours": "0",
    "weight_max_distance_km": "3",
}


def _plan_post(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Via Giambellino 150",
        "description": "",
        "status": PlanStatus.DRAFT,
        "refusals_allowed": "3",
        **WEIGHTS,
    }
    data.update(overrides)
    return data


def test_plan_create_stores_weights_when_coordinator_posts(coordinator, login) -> None:
    response = login(coordinator).post(reverse("relocation:plan_create"), _plan_post())

    plan = RelocationPlan.objects.get(name="Via Giambellino 150")
    assert response.status_code == 302
    assert (plan.status, plan.refusals_allowed) == (PlanStatus.DRAFT, 3)
    assert plan.weights == {
        "preference": 5.0,
        "distance": 1.5,
        "area_fit": 2.0,
        "neighbours": 0.0,
        "max_distance_km": 3.0,
    }


def test_plan_edit_updates_and_audits_weights_when_coordinator_posts(
    plan, coordinator, login
) -> None:
    url = reverse("relocation:plan_edit", args=[plan.pk])

    response = login(coordinator).post(url, _plan_post(name="Lorenteggio 181 bis"))

    plan.refresh_from_db()
    event = AuditEvent.objects.filter(action="relocation.plan_update").latest("pk")
    assert response.status_code == 302
    assert (plan.name, plan.weights["preference"]) == ("Lorenteggio 181 bis", 5.0)
    assert event.changes["weights"] == [{}, plan.weights]


def test_plan_edit_shows_current_weights_when_opened(plan, coordinator, login) -> None:
    services.relocation_plan_update(actor=None, plan=plan, weights={"distance": 7})

    response = login(coordinator).get(reverse("relocation:plan_edit", args=[plan.pk]))

    form = response.context["form"]
    assert form.initial["weight_distance"] == 7
    assert form.initial["weight_preference"] == 4
    assert 'data-testid="weights"' in response.content.decode()


def test_plan_edit_gives_field_error_when_weight_is_negative(plan, coordinator, login) -> None:
    url = reverse("relocation:plan_edit", args=[plan.pk])

    response = login(coordinator).post(url, _plan_post(weight_distance="-1"))

    plan.refresh_from_db()
    assert response.status_code == 200
    assert "weight_distance" in response.context["form"].errors
    assert plan.name == "Via Lorenteggio 181"


def test_plan_edit_is_forbidden_when_housing_staff_opens_it(plan, housing_staff, login) -> None:
    response = login(housing_staff).get(reverse("relocation:plan_edit", args=[plan.pk]))

    assert response.status_code == 403


def test_plan_edit_is_not_found_when_another_lab_opens_it(
    plan, make_user, other_lab, login
) -> None:
    from quartiere.accounts.enums import Role

    client = login(make_user(Role.LAB_COORDINATOR, other_lab, username="coord_b"))

    response = client.get(reverse("relocation:plan_edit", args=[plan.pk]))

    assert response.status_code == 404


def test_plan_update_refuses_zero_distance_with_field_error(plan) -> None:
    with pytest.raises(ApplicationError) as exc:
        services.relocation_plan_update(actor=None, plan=plan, weights={"max_distance_km": 0})

    assert "weight_max_distance_km" in exc.value.fields


def test_plan_solve_records_the_plan_weights_on_the_version(plan, origin, destination) -> None:
    services.relocation_plan_update(actor=None, plan=plan, weights={"preference": 9})
    f.make_need(plan, f.make_household(plan.lab, unit=f.make_unit(origin)))
    f.add_pool(plan, f.make_unit(destination))

    version = services.relocation_plan_solve(plan=plan, actor=None)

    assert version.weights["preference"] == 9.0
    assert version.weights["distance"] == 2.0


def test_phase_create_stores_single_units_when_posted(plan, origin, coordinator, login) -> None:
    first, _second = f.make_unit(origin), f.make_unit(origin)
    url = reverse("relocation:phase_create", args=[plan.pk])

    response = login(coordinator).post(
        url, {"name": "Scala A", "vacate_by": "2026-06-30", "units": [str(first.pk)]}
    )

    phase = RelocationPhase.objects.get(plan=plan)
    assert response.status_code == 302
    assert list(phase.units.all()) == [first]
    assert phase.buildings.count() == 0


def test_phase_form_lists_units_by_building_and_stair(plan, origin, coordinator, login) -> None:
    unit = f.make_unit(origin)

    response = login(coordinator).get(reverse("relocation:phase_create", args=[plan.pk]))

    groups = dict(response.context["form"].fields["units"].choices)
    label = f"Via Lorenteggio 181 · scala {unit.entrance.name}"
    assert [pk for pk, _ in groups[label]] == [unit.pk]


def test_phase_form_refuses_units_of_another_district(plan, other_lab, coordinator, login) -> None:
    foreign = f.make_unit(f.make_building(other_lab))
    url = reverse("relocation:phase_create", args=[plan.pk])

    response = login(coordinator).post(
        url, {"name": "Altrove", "vacate_by": "2026-06-30", "units": [str(foreign.pk)]}
    )

    assert response.status_code == 200
    assert "units" in response.context["form"].errors
    assert not RelocationPhase.objects.filter(plan=plan).exists()


def test_phase_form_runs_the_same_queries_whatever_the_units(
    plan, origin, destination, coordinator, login
) -> None:
    client = login(coordinator)
    url = reverse("relocation:phase_create", args=[plan.pk])
    f.make_unit(origin)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for building in (origin, destination):
        for _ in range(5):
            f.make_unit(building)
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(few)


def test_plan_solve_records_the_pool_on_the_version(plan, origin, destination) -> None:
    f.make_need(plan, f.make_household(plan.lab, unit=f.make_unit(origin)))
    units = [f.make_unit(destination), f.make_unit(destination)]
    for unit in units:
        f.add_pool(plan, unit)

    version = services.relocation_plan_solve(plan=plan, actor=None)

    assert version.pool_unit_ids == sorted(u.pk for u in units)


def test_compare_explains_pool_changes_when_a_unit_left_and_another_entered(
    plan, origin, destination, coordinator, login
) -> None:
    f.make_need(plan, f.make_household(plan.lab, unit=f.make_unit(origin), label="Rossi"))
    entry = f.add_pool(plan, f.make_unit(destination))
    services.relocation_plan_solve(plan=plan, actor=None)
    services.pool_unit_remove(actor=None, entry=entry)
    f.add_pool(plan, f.make_unit(destination), available_from=dt.date(2025, 2, 1))
    services.relocation_plan_solve(plan=plan, actor=None)

    with_lang = login(coordinator)
    with_lang.cookies["django_language"] = "en"
    response = with_lang.get(
        reverse("relocation:compare", args=[plan.pk]), headers={"accept-language": "en"}
    )

    (row,) = response.context["rows"]
    assert "its previous unit left the pool" in row["reasons"]
    assert "the new unit entered the pool" in row["reasons"]
