"""Back-office forms and actions: field errors, duplicate warning, imports, household work."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from quartiere.accounts.enums import Role
from quartiere.core.models import AuditEvent
from quartiere.people.enums import HouseholdRole
from quartiere.people.models import Consent, Household, Resident, Tenancy
from quartiere.people.services import tenancy_start
from quartiere.people.tests.factories import (
    ConsentFactory,
    HouseholdFactory,
    ResidentFactory,
    TenancyFactory,
)
from quartiere.territory.models import Unit
from quartiere.territory.tests.factories import BuildingFactory, UnitFactory

pytestmark = pytest.mark.django_db

CREATE = reverse("backoffice:resident_create")
VALID_CF = "RSSMRA85T10A562S"


def _resident_data(**overrides: str) -> dict[str, str]:
    data = {
        "first_name": "Mario",
        "last_name": "Rossi",
        "codice_fiscale": "",
        "birth_date": "",
        "gender": "",
        "citizenship": "",
        "residence_permit_expires_on": "",
        "phone": "",
        "email": "",
        "preferred_language": "it",
    }
    data.update(overrides)
    return data


# --- resident form ------------------------------------------------------------------------


def test_resident_create_registers_resident_and_redirects_when_form_valid(
    login, operator, lab
) -> None:
    response = login(operator).post(
        CREATE, _resident_data(codice_fiscale=VALID_CF.lower(), birth_date="1985-12-10")
    )

    resident = Resident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:resident_detail", args=[resident.pk])
    assert resident.lab == lab
    assert resident.codice_fiscale == VALID_CF
    assert AuditEvent.objects.filter(action="people.resident_create", actor=operator).exists()


def test_resident_create_shows_field_error_and_writes_nothing_when_code_invalid(
    login, operator
) -> None:
    response = login(operator).post(CREATE, _resident_data(codice_fiscale="RSSMRA85T10A562X"))

    assert response.status_code == 200
    assert "codice_fiscale" in response.context["form"].errors
    content = response.content.decode()
    assert 'id="id_codice_fiscale_error"' in content
    assert 'aria-invalid="true"' in content
    assert not Resident.objects.exists()


def test_resident_create_shows_field_error_when_birth_date_differs_from_code(
    login, operator
) -> None:
    response = login(operator).post(
        CREATE, _resident_data(codice_fiscale=VALID_CF, birth_date="1985-12-11")
    )

    assert "birth_date" in response.context["form"].errors
    assert not Resident.objects.exists()


def test_resident_create_shows_field_error_when_birth_date_in_future(login, operator) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=2)).isoformat()

    response = login(operator).post(CREATE, _resident_data(birth_date=tomorrow))

    assert "birth_date" in response.context["form"].errors
    assert not Resident.objects.exists()


def test_resident_create_shows_field_error_when_citizenship_not_two_letters(
    login, operator
) -> None:
    response = login(operator).post(CREATE, _resident_data(citizenship="1T"))

    assert "citizenship" in response.context["form"].errors


def test_resident_create_warns_and_writes_nothing_when_same_name_and_birth_date_exists(
    login, operator, lab
) -> None:
    existing = ResidentFactory(
        lab=lab,
        first_name="Mario",
        last_name="Rossi",
        birth_date=dt.date(1970, 5, 1),
        codice_fiscale="",
    )

    response = login(operator).post(CREATE, _resident_data(birth_date="1970-05-01"))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="duplicate-warning"' in content
    assert reverse("backoffice:resident_detail", args=[existing.pk]) in content
    assert 'type="checkbox" name="confirm_duplicate"' in content
    assert Resident.objects.count() == 1


def test_resident_create_saves_duplicate_when_confirmation_ticked(login, operator, lab) -> None:
    ResidentFactory(
        lab=lab,
        first_name="Mario",
        last_name="Rossi",
        birth_date=dt.date(1970, 5, 1),
        codice_fiscale="",
    )

    response = login(operator).post(
        CREATE, _resident_data(birth_date="1970-05-01", confirm_duplicate="on")
    )

    assert response.status_code == 302
    assert Resident.objects.filter(first_name="Mario", last_name="Rossi").count() == 2


def test_resident_create_warns_without_showing_details_when_duplicate_is_in_another_lab(
    login, operator, other_lab
) -> None:
    ResidentFactory(
        lab=other_lab,
        first_name="Mario",
        last_name="Rossi",
        codice_fiscale=VALID_CF,
        phone="+39 333 000 1111",
    )

    response = login(operator).post(CREATE, _resident_data(codice_fiscale=VALID_CF))

    content = response.content.decode()
    assert 'data-testid="duplicate-warning"' in content
    assert response.context["duplicates"]["elsewhere"] == 1
    assert "333 000 1111" not in content
    assert Resident.objects.count() == 1


def test_resident_edit_saves_changes_and_records_diff_when_form_valid(login, operator, lab) -> None:
    resident = ResidentFactory(lab=lab, codice_fiscale="", phone="111")
    data = _resident_data(
        first_name=resident.first_name,
        last_name=resident.last_name,
        birth_date=resident.birth_date.isoformat(),
        gender=resident.gender,
        citizenship="IT",
        phone="222",
    )

    response = login(operator).post(reverse("backoffice:resident_edit", args=[resident.pk]), data)

    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.phone == "222"
    event = AuditEvent.objects.get(action="people.resident_update")
    assert event.changes == {"phone": ["111", "222"]}


def test_resident_edit_shows_current_values_when_opened(login, operator, lab) -> None:
    resident = ResidentFactory(lab=lab, phone="0212345")

    response = login(operator).get(reverse("backoffice:resident_edit", args=[resident.pk]))

    assert response.context["form"].initial["phone"] == "0212345"
    assert "0212345" in response.content.decode()


def test_resident_create_redirects_to_dashboard_when_user_has_no_lab(login, make_user) -> None:
    official = make_user(Role.REGION_OFFICIAL, is_superuser=True)

    response = login(official).get(CREATE)

    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:dashboard")


def test_resident_list_searches_by_name_when_query_given(login, operator, lab) -> None:
    ResidentFactory(lab=lab, first_name="Mario", last_name="Rossi")
    ResidentFactory(lab=lab, first_name="Anna", last_name="Bianchi")

    response = login(operator).get(reverse("backoffice:resident_list"), {"q": "mario ross"})

    assert [r["name"] for r in response.context["rows"]] == ["Rossi Mario"]
    clear = f'<a class="btn btn-link mt-3" href="{reverse("backoffice:resident_list")}">'
    assert clear in response.content.decode()  # the search can be cleared
    unsearched = login(operator).get(reverse("backoffice:resident_list"))
    assert clear not in unsearched.content.decode()


# --- consents, households, tenancies ------------------------------------------------------


def test_consent_create_records_consent_when_posted(login, operator, lab) -> None:
    resident = ResidentFactory(lab=lab)

    response = login(operator).post(
        reverse("backoffice:consent_create", args=[resident.pk]),
        {"purpose": "communications", "legal_basis": "consent"},
    )

    assert response.status_code == 302
    assert Consent.objects.get(resident=resident).purpose == "communications"


def test_consent_withdraw_sets_withdrawal_when_posted(login, operator, lab) -> None:
    consent = ConsentFactory(resident=ResidentFactory(lab=lab))

    login(operator).post(
        reverse("backoffice:consent_withdraw", args=[consent.resident.pk, consent.pk])
    )

    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_household_create_makes_household_with_reference_when_posted(login, operator, lab) -> None:
    resident = ResidentFactory(lab=lab)

    response = login(operator).post(
        reverse("backoffice:household_create") + f"?reference={resident.pk}", {"label": "Rossi"}
    )

    household = Household.objects.get()
    assert response.status_code == 302
    assert household.lab == lab
    assert household.reference_person == resident


def test_household_member_add_and_remove_change_membership_when_posted(
    login, operator, lab
) -> None:
    household = HouseholdFactory(lab=lab)
    resident = ResidentFactory(lab=lab)
    client = login(operator)

    client.post(
        reverse("backoffice:household_member_add", args=[household.pk]),
        {"resident": resident.pk, "role": HouseholdRole.CHILD},
    )
    resident.refresh_from_db()
    assert resident.household == household

    client.post(reverse("backoffice:household_member_remove", args=[household.pk, resident.pk]))
    resident.refresh_from_db()
    assert resident.household is None


def test_household_member_add_changes_nothing_when_resident_of_another_lab(
    login, operator, lab, other_lab
) -> None:
    household = HouseholdFactory(lab=lab)
    stranger = ResidentFactory(lab=other_lab)

    login(operator).post(
        reverse("backoffice:household_member_add", args=[household.pk]),
        {"resident": stranger.pk, "role": HouseholdRole.OTHER},
    )

    stranger.refresh_from_db()
    assert stranger.household is None


def test_tenancy_start_and_end_record_tenancy_when_posted(login, operator, lab) -> None:
    household = HouseholdFactory(lab=lab)
    unit = UnitFactory(building=BuildingFactory(district=lab.district))
    client = login(operator)

    client.post(
        reverse("backoffice:tenancy_start", args=[household.pk]),
        {"unit": unit.pk, "kind": "regular", "starts_on": "2024-02-01"},
    )
    tenancy = Tenancy.objects.get(household=household)
    client.post(
        reverse("backoffice:tenancy_end", args=[household.pk, tenancy.pk]),
        {"ends_on": "2024-01-01"},
    )
    tenancy.refresh_from_db()
    assert tenancy.ends_on is None  # before the start: refused

    client.post(
        reverse("backoffice:tenancy_end", args=[household.pk, tenancy.pk]),
        {"ends_on": "2024-12-31"},
    )
    tenancy.refresh_from_db()
    assert tenancy.ends_on == dt.date(2024, 12, 31)


def test_tenancy_start_refuses_unit_when_outside_labs_district(
    login, operator, lab, other_lab
) -> None:
    household = HouseholdFactory(lab=lab)
    far_unit = UnitFactory(building=BuildingFactory(district=other_lab.district))

    login(operator).post(
        reverse("backoffice:tenancy_start", args=[household.pk]),
        {"unit": far_unit.pk, "kind": "regular", "starts_on": "2024-02-01"},
    )

    assert not Tenancy.objects.exists()


def test_household_detail_offers_only_district_vacant_units_when_household_has_no_home(
    login, operator, lab
) -> None:
    household = HouseholdFactory(lab=lab)
    building = BuildingFactory(district=lab.district)
    vacant = UnitFactory(building=building, status="vacant")
    UnitFactory(building=building, status="occupied")
    UnitFactory(status="vacant")  # another district

    response = login(operator).get(reverse("backoffice:household_detail", args=[household.pk]))

    assert response.context["units"] == [vacant]


def test_unit_detail_lists_tenants_when_unit_is_occupied(login, operator, lab) -> None:
    household = HouseholdFactory(lab=lab)
    resident = ResidentFactory(household=household, first_name="Inquilino")
    tenancy = TenancyFactory(
        household=household, unit=UnitFactory(building=BuildingFactory(district=lab.district))
    )

    response = login(operator).get(reverse("backoffice:unit_detail", args=[tenancy.unit.pk]))

    assert response.context["members"] == [resident]
    assert "Inquilino" in response.content.decode()


def test_building_detail_hides_tenants_when_user_cannot_view_residents(
    login, region_official, lab
) -> None:
    household = HouseholdFactory(lab=lab, label="Famiglia Nascosta")
    TenancyFactory(
        household=household, unit=UnitFactory(building=BuildingFactory(district=lab.district))
    )
    building = household.tenancies.get().unit.building

    response = login(region_official).get(reverse("backoffice:building_detail", args=[building.pk]))

    assert response.status_code == 200
    assert response.context["show_tenants"] is False
    assert "Famiglia Nascosta" not in response.content.decode()


# --- imports ------------------------------------------------------------------------------

UNITS_CSV = (
    b"building_code;street;number;stair;unit_code;floor;rooms;floor_area_m2\n"
    b"B1;Via Padova;10;A;1A;0;2;45\n"
    b"B1;Via Padova;10;A;2A;1;3;60\n"
)


def _upload(client, kind: str, content: bytes, name: str, dry_run: bool):  # type: ignore[no-untyped-def]
    data = {"kind": kind, "file": SimpleUploadedFile(name, content)}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("backoffice:import"), data)


def test_import_checks_file_and_writes_nothing_when_dry_run(login, coordinator, lab) -> None:
    response = _upload(login(coordinator), "units", UNITS_CSV, "units.csv", dry_run=True)

    assert response.status_code == 200
    assert response.context["report"].ok
    assert response.context["report"].total == 2
    assert not Unit.objects.exists()


def test_import_creates_units_when_not_dry_run(login, coordinator, lab) -> None:
    response = _upload(login(coordinator), "units", UNITS_CSV, "units.csv", dry_run=False)

    assert response.context["report"].created == 2
    assert Unit.objects.filter(building__district=lab.district).count() == 2


def test_import_lists_line_errors_and_writes_nothing_when_a_row_is_bad(
    login, coordinator, lab
) -> None:
    content = b"first_name,last_name,birth_date\nMario,Rossi,1980-01-01\nAnna,Bianchi,ieri\n"

    response = _upload(login(coordinator), "residents", content, "people.csv", dry_run=False)

    assert response.context["report"].errors[0][0] == 3
    assert 'data-testid="import-report"' in response.content.decode()
    assert not Resident.objects.exists()


def test_import_shows_file_error_when_file_type_is_wrong(login, coordinator) -> None:
    response = _upload(login(coordinator), "units", b"%PDF", "units.pdf", dry_run=True)

    assert "file" in response.context["form"].errors


def test_import_shows_file_error_when_columns_missing(login, coordinator) -> None:
    response = _upload(login(coordinator), "units", b"a,b\n1,2\n", "units.csv", dry_run=True)

    assert "file" in response.context["form"].errors
    assert response.context["report"] is None


def test_household_create_sends_user_to_choose_a_lab_when_none_is_chosen(login, make_user) -> None:
    admin_without_labs = make_user(is_superuser=True)

    response = login(admin_without_labs).get(reverse("backoffice:household_create"), follow=True)

    assert response.redirect_chain == [(reverse("backoffice:dashboard"), 302)]
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1
    assert "Scegli prima il laboratorio" in shown[0] or "Choose the lab" in shown[0]


def test_import_refuses_upload_when_user_is_not_member_of_any_lab(login, make_user) -> None:
    admin_without_labs = make_user(is_superuser=True)

    response = _upload(login(admin_without_labs), "units", UNITS_CSV, "units.csv", dry_run=False)

    assert response.status_code == 403
    assert not Unit.objects.exists()


def test_unit_status_changes_and_is_audited_when_unit_has_no_tenancy(login, make_user, lab) -> None:
    unit = UnitFactory(building__district=lab.district, status="vacant")
    housing = make_user(Role.HOUSING_STAFF, lab)

    response = login(housing).post(f"/backoffice/units/{unit.pk}/status/", {"status": "reserved"})

    assert response.status_code == 302
    assert Unit.objects.get(pk=unit.pk).status == "reserved"
    assert AuditEvent.objects.filter(action="territory.unit_set_status").exists()


def test_unit_status_refused_when_unit_has_open_tenancy(login, make_user, lab) -> None:
    unit = UnitFactory(building__district=lab.district, status="vacant")
    coordinator = make_user(Role.LAB_COORDINATOR, lab)
    tenancy_start(
        actor=coordinator,
        household=HouseholdFactory(lab=lab),
        unit=unit,
        kind="regular",
        starts_on=dt.date(2024, 1, 1),
    )

    login(coordinator).post(f"/backoffice/units/{unit.pk}/status/", {"status": "vacant"})

    assert Unit.objects.get(pk=unit.pk).status == "occupied"


def test_unit_status_refused_when_role_cannot_change_units(login, make_user, lab) -> None:
    unit = UnitFactory(building__district=lab.district)
    operator = make_user(Role.LAB_OPERATOR, lab)

    assert (
        login(operator)
        .post(f"/backoffice/units/{unit.pk}/status/", {"status": "reserved"})
        .status_code
        == 403
    )
