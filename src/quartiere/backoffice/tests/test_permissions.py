"""The role matrix: what each role may open or do in the back office."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quartiere.accounts.enums import Role
from quartiere.core.models import AccessEvent, AccessOutcome
from quartiere.core.tests.factories import AccessEventFactory, AuditEventFactory
from quartiere.people.models import Resident, SensitiveProfile
from quartiere.people.services import resident_create
from quartiere.people.tests.factories import (
    HouseholdFactory,
    ResidentFactory,
    SensitiveProfileFactory,
)
from quartiere.territory.tests.factories import BuildingFactory, UnitFactory

pytestmark = pytest.mark.django_db

NEW_RESIDENT = {
    "first_name": "Nuova",
    "last_name": "Persona",
    "preferred_language": "it",
    "codice_fiscale": "",
    "birth_date": "",
}


@pytest.fixture
def objects(lab):  # type: ignore[no-untyped-def]
    household = HouseholdFactory(lab=lab)
    resident = ResidentFactory(household=household)
    building = BuildingFactory(district=lab.district)
    unit = UnitFactory(building=building)
    return {"resident": resident, "household": household, "building": building, "unit": unit}


ROLES = (
    Role.LAB_OPERATOR,
    Role.LAB_COORDINATOR,
    Role.HOUSING_STAFF,
    Role.REGION_OFFICIAL,
    Role.RESIDENT,
)
# fmt: off
MATRIX = [
    # url name                        object       operator coord housing region resident
    ("backoffice:dashboard",          None,        200,     200,  200,    200,   200),
    ("backoffice:resident_list",      None,        200,     200,  200,    403,   403),
    ("backoffice:resident_create",    None,        200,     200,  403,    403,   403),
    ("backoffice:resident_detail",    "resident",  200,     200,  200,    403,   403),
    ("backoffice:resident_edit",      "resident",  200,     200,  403,    403,   403),
    ("backoffice:resident_sensitive", "resident",  403,     200,  403,    403,   403),
    ("backoffice:household_list",     None,        200,     200,  200,    403,   403),
    ("backoffice:household_create",   None,        200,     200,  403,    403,   403),
    ("backoffice:household_detail",   "household", 200,     200,  200,    403,   403),
    ("backoffice:building_list",      None,        200,     200,  200,    200,   403),
    ("backoffice:building_map",       None,        200,     200,  200,    200,   403),
    ("backoffice:building_detail",    "building",  200,     200,  200,    200,   403),
    ("backoffice:unit_detail",        "unit",      200,     200,  200,    200,   403),
    ("backoffice:audit",              None,        403,     200,  403,    200,   403),
    ("backoffice:import",             None,        403,     200,  403,    403,   403),
]
# fmt: on
CASES = [
    (name, obj, role, status)
    for name, obj, *statuses in MATRIX
    for role, status in zip(ROLES, statuses, strict=True)
]


@pytest.mark.parametrize(
    ("url_name", "obj", "role", "expected"),
    CASES,
    ids=[f"{n.split(':')[1]}-{r}" for n, _, r, _ in CASES],
)
def test_page_answers_expected_status_when_user_holds_role(
    make_user, login, lab, objects, url_name: str, obj: str | None, role: str, expected: int
) -> None:
    user = make_user(role) if role == Role.REGION_OFFICIAL else make_user(role, lab)
    args = [objects[obj].pk] if obj else []

    response = login(user).get(reverse(url_name, args=args))

    assert response.status_code == expected


def test_forbidden_page_renders_friendly_403_template_when_capability_missing(
    login, housing_staff
) -> None:
    response = login(housing_staff).get(reverse("backoffice:resident_create"))

    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]


def test_resident_create_refuses_post_and_writes_nothing_when_user_is_housing_staff(
    login, housing_staff
) -> None:
    response = login(housing_staff).post(reverse("backoffice:resident_create"), NEW_RESIDENT)

    assert response.status_code == 403
    assert not Resident.objects.exists()


def test_sensitive_page_is_refused_without_logging_a_read_when_user_is_lab_operator(
    login, operator, lab
) -> None:
    resident = ResidentFactory(lab=lab)
    SensitiveProfileFactory(resident=resident, health_notes="Diabete")

    response = login(operator).get(reverse("backoffice:resident_sensitive", args=[resident.pk]))

    assert response.status_code == 403
    assert b"Diabete" not in response.content
    assert not AccessEvent.objects.filter(outcome=AccessOutcome.GRANTED).exists()


def test_sensitive_page_shows_profile_and_logs_granted_read_when_user_is_coordinator(
    login, coordinator, lab
) -> None:
    resident = ResidentFactory(lab=lab)
    SensitiveProfileFactory(resident=resident, health_notes="Diabete di tipo 1")
    url = reverse("backoffice:resident_sensitive", args=[resident.pk])

    response = login(coordinator).get(url)

    assert response.status_code == 200
    assert "Diabete di tipo 1" in response.content.decode()
    event = AccessEvent.objects.get()
    assert event.actor == coordinator
    assert event.outcome == AccessOutcome.GRANTED
    assert event.target_type == "people.sensitiveprofile"
    assert event.target_id == str(resident.pk)
    assert event.lab_id == lab.pk
    assert event.path == url


def test_sensitive_page_saves_encrypted_profile_when_coordinator_posts(
    login, coordinator, lab
) -> None:
    resident = ResidentFactory(lab=lab)
    url = reverse("backoffice:resident_sensitive", args=[resident.pk])

    response = login(coordinator).post(
        url, {"disability": "Sedia a rotelle", "health_notes": "", "vulnerability": ""}
    )

    assert response.status_code == 302
    assert SensitiveProfile.objects.get(resident=resident).disability == "Sedia a rotelle"


def test_audit_page_shows_only_own_labs_events_when_user_is_coordinator(
    login, coordinator, lab, other_lab
) -> None:
    AuditEventFactory(lab_id=lab.pk, action="test.visible_in_a")
    AuditEventFactory(lab_id=other_lab.pk, action="test.hidden_in_b")

    response = login(coordinator).get(reverse("backoffice:audit"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "test.visible_in_a" in content
    assert "test.hidden_in_b" not in content


def test_audit_page_shows_every_labs_events_when_user_is_region_official(
    login, region_official, lab, other_lab
) -> None:
    AuditEventFactory(lab_id=lab.pk, action="test.visible_in_a")
    AuditEventFactory(lab_id=other_lab.pk, action="test.visible_in_b")

    content = login(region_official).get(reverse("backoffice:audit")).content.decode()

    assert "test.visible_in_a" in content
    assert "test.visible_in_b" in content


def test_audit_page_access_tab_shows_only_own_labs_refusals_when_coordinator(
    login, coordinator, lab, other_lab
) -> None:
    AccessEventFactory(lab_id=lab.pk, target_type="people.visible_a")
    AccessEventFactory(lab_id=other_lab.pk, target_type="people.hidden_b")

    response = login(coordinator).get(reverse("backoffice:audit"), {"view": "access"})

    content = response.content.decode()
    assert "people.visible_a" in content
    assert "people.hidden_b" not in content


def test_audit_page_filters_by_action_when_filter_given(login, coordinator, lab) -> None:
    AuditEventFactory(lab_id=lab.pk, action="test.wanted")
    AuditEventFactory(lab_id=lab.pk, action="test.other")

    response = login(coordinator).get(reverse("backoffice:audit"), {"action": "test.wanted"})

    assert [e.action for e in response.context["page"].object_list] == ["test.wanted"]


def test_dashboard_counts_only_current_lab_when_lab_staff(login, operator, lab, other_lab) -> None:
    ResidentFactory(lab=lab)
    ResidentFactory.create_batch(2, lab=other_lab)

    response = login(operator).get(reverse("backoffice:dashboard"))

    assert response.context["people"]["residents"] == 1


def test_dashboard_counts_every_lab_when_region_official(
    login, region_official, lab, other_lab
) -> None:
    ResidentFactory(lab=lab)
    ResidentFactory.create_batch(2, lab=other_lab)

    response = login(region_official).get(reverse("backoffice:dashboard"))

    assert response.context["people"]["residents"] == 3
    assert {lab_.pk for lab_ in response.context["labs"]} == {lab.pk, other_lab.pk}


def test_dashboard_counts_current_lab_only_when_region_official_asks_for_lab_scope(
    login, region_official, lab, other_lab
) -> None:
    ResidentFactory(lab=lab)
    ResidentFactory.create_batch(2, lab=other_lab)

    client = login(region_official)
    unpicked = client.get(reverse("backoffice:dashboard"), {"scope": "lab"})
    assert unpicked.context["people"]["residents"] == 3  # no lab picked yet: every lab

    client.post(reverse("accounts:lab_switch"), {"lab": other_lab.pk})
    response = client.get(reverse("backoffice:dashboard"), {"scope": "lab"})

    assert response.context["people"]["residents"] == 2  # the picked lab, lab B


def test_dashboard_shows_lab_contacts_without_figures_when_user_is_resident(
    login, make_user, lab
) -> None:
    ResidentFactory(lab=lab, last_name="Contato")
    resident_user = make_user(Role.RESIDENT, lab)

    response = login(resident_user).get(reverse("backoffice:dashboard"))

    assert response.status_code == 200
    assert "backoffice/resident_home.html" in [t.name for t in response.templates]
    assert "people" not in response.context
    assert response.context["lab"] == lab


def test_audit_log_hides_personal_changes_when_role_cannot_read_residents(
    login, region_official, make_user, lab
) -> None:
    coordinator = make_user(Role.LAB_COORDINATOR, lab)
    resident_create(actor=coordinator, lab=lab, first_name="Giuseppina", last_name="Segreti")

    as_region = login(region_official).get(reverse("backoffice:audit")).content.decode()
    as_coordinator = login(coordinator).get(reverse("backoffice:audit")).content.decode()

    assert "Segreti" not in as_region
    assert 'data-testid="redacted"' in as_region
    assert "Segreti" in as_coordinator
