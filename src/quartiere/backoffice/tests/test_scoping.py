"""Lab A's staff get 404 on every object of lab B, and each refusal is logged."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quartiere.core.models import AccessEvent, AccessOutcome
from quartiere.people.models import Consent, Household, Resident, Tenancy
from quartiere.people.tests.factories import HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def _get_pages(w):  # type: ignore[no-untyped-def]
    """(url, logged target type, logged target id) for lab B's object pages."""
    return [
        (
            reverse("backoffice:resident_detail", args=[w.resident.pk]),
            "people.resident",
            w.resident.pk,
        ),
        (
            reverse("backoffice:resident_edit", args=[w.resident.pk]),
            "people.resident",
            w.resident.pk,
        ),
        (
            reverse("backoffice:household_detail", args=[w.household.pk]),
            "people.household",
            w.household.pk,
        ),
        (
            reverse("backoffice:building_detail", args=[w.building.pk]),
            "territory.building",
            w.building.pk,
        ),
        (reverse("backoffice:unit_detail", args=[w.unit.pk]), "territory.unit", w.unit.pk),
    ]


def _post_actions(w):  # type: ignore[no-untyped-def]
    return [
        (
            reverse("backoffice:resident_edit", args=[w.resident.pk]),
            {"first_name": "Hacked", "last_name": "Bi", "preferred_language": "it"},
        ),
        (
            reverse("backoffice:consent_create", args=[w.resident.pk]),
            {"purpose": "images", "legal_basis": "consent"},
        ),
        (reverse("backoffice:consent_withdraw", args=[w.resident.pk, w.consent.pk]), {}),
        (
            reverse("backoffice:household_member_add", args=[w.household.pk]),
            {"resident": w.resident.pk, "role": "other"},
        ),
        (reverse("backoffice:household_member_remove", args=[w.household.pk, w.resident.pk]), {}),
        (
            reverse("backoffice:tenancy_start", args=[w.household.pk]),
            {"unit": w.unit.pk, "kind": "regular", "starts_on": "2024-01-01"},
        ),
        (
            reverse("backoffice:tenancy_end", args=[w.household.pk, w.tenancy.pk]),
            {"ends_on": "2024-12-31"},
        ),
        (
            reverse("backoffice:resident_sensitive", args=[w.resident.pk]),
            {"disability": "x", "health_notes": "x", "vulnerability": "x"},
        ),
    ]


def _snapshot(w):  # type: ignore[no-untyped-def]
    return (
        list(Resident.objects.filter(pk=w.resident.pk).values()),
        list(Household.objects.filter(pk=w.household.pk).values()),
        list(Tenancy.objects.values()),
        list(Consent.objects.values()),
    )


@pytest.mark.parametrize("role_fixture", ["operator", "coordinator"])
def test_object_pages_answer_404_and_log_denial_when_object_belongs_to_another_lab(
    request, login, lab_b_world, role_fixture: str
) -> None:
    user = request.getfixturevalue(role_fixture)
    client = login(user)

    for url, target_type, target_id in _get_pages(lab_b_world):
        response = client.get(url)

        assert response.status_code == 404, url
        assert AccessEvent.objects.filter(
            actor=user,
            outcome=AccessOutcome.DENIED,
            target_type=target_type,
            target_id=str(target_id),
            path=url,
        ).exists(), url


def test_sensitive_page_answers_404_and_logs_denial_when_resident_of_another_lab(
    login, coordinator, lab_b_world
) -> None:
    url = reverse("backoffice:resident_sensitive", args=[lab_b_world.resident.pk])

    response = login(coordinator).get(url)

    assert response.status_code == 404
    assert b"Riservato B" not in response.content
    assert AccessEvent.objects.filter(
        actor=coordinator,
        outcome=AccessOutcome.DENIED,
        target_type="people.resident",
        target_id=str(lab_b_world.resident.pk),
    ).exists()
    assert not AccessEvent.objects.filter(outcome=AccessOutcome.GRANTED).exists()


def test_actions_answer_404_and_change_nothing_when_object_belongs_to_another_lab(
    login, coordinator, lab_b_world
) -> None:
    client = login(coordinator)
    before = _snapshot(lab_b_world)

    for url, data in _post_actions(lab_b_world):
        response = client.post(url, data)

        assert response.status_code == 404, url

    assert _snapshot(lab_b_world) == before


@pytest.mark.parametrize("role_fixture", ["operator", "coordinator"])
def test_api_detail_answers_404_when_object_belongs_to_another_lab(
    request, login, lab_b_world, role_fixture: str
) -> None:
    client = login(request.getfixturevalue(role_fixture))

    resident = client.get(f"/api/v1/people/residents/{lab_b_world.resident.pk}/")
    building = client.get(f"/api/v1/territory/buildings/{lab_b_world.building.pk}/")

    assert resident.status_code == 404
    assert building.status_code == 404
    assert b"Segreto" not in resident.content


def test_object_page_answers_404_without_logging_when_object_does_not_exist(
    login, operator
) -> None:
    response = login(operator).get(reverse("backoffice:resident_detail", args=[999999]))

    assert response.status_code == 404
    assert not AccessEvent.objects.exists()


def test_lists_hide_other_labs_rows_when_lab_staff(login, operator, lab_b_world) -> None:
    client = login(operator)

    pages = [
        client.get(reverse("backoffice:resident_list")),
        client.get(reverse("backoffice:resident_list"), {"q": "segreto"}),
        client.get(reverse("backoffice:household_list")),
        client.get(reverse("backoffice:building_list")),
        client.get("/api/v1/people/residents/"),
    ]

    for response in pages:
        assert response.status_code == 200
        assert b"Segreto" not in response.content
        assert lab_b_world.household.label.encode() not in response.content
    assert pages[-1].json()["count"] == 0


def test_household_search_offers_only_own_lab_residents_when_adding_members(
    login, operator, lab, lab_b_world
) -> None:
    household = HouseholdFactory(lab=lab)
    ResidentFactory(lab=lab, first_name="Segreto", last_name="Amico")

    response = login(operator).get(
        reverse("backoffice:household_detail", args=[household.pk]), {"q": "segreto"}
    )

    assert [r.last_name for r in response.context["candidates"]] == ["Amico"]
