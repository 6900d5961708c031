import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from quartiere.core.exceptions import ApplicationError
from quartiere.core.importing import read_rows
from quartiere.core.models import AuditEvent
from quartiere.people import services
from quartiere.people.enums import ConsentPurpose, HouseholdRole, LegalBasis, TenancyKind
from quartiere.people.models import Consent, Household, Resident, SensitiveProfile, Tenancy
from quartiere.people.tests.factories import (
    ConsentFactory,
    HouseholdFactory,
    ResidentFactory,
    TenancyFactory,
)
from quartiere.territory.enums import UnitStatus
from quartiere.territory.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

VALID_CF = "RSSMRA85T10A562S"


def _counts() -> tuple[int, int, int]:
    return Resident.objects.count(), Household.objects.count(), AuditEvent.objects.count()


# --- residents ---------------------------------------------------------------------------


def test_resident_create_saves_normalised_code_and_audits_when_data_valid(operator, lab) -> None:
    resident = services.resident_create(
        actor=operator,
        lab=lab,
        first_name="Mario",
        last_name="Rossi",
        codice_fiscale="rssmra85t10a562s",
        birth_date=dt.date(1985, 12, 10),
        citizenship="it",
    )

    resident.refresh_from_db()
    assert resident.codice_fiscale == VALID_CF
    assert resident.citizenship == "IT"
    assert resident.name_key == "ROSSI MARIO"
    assert resident.name_key_reversed == "MARIO ROSSI"
    event = AuditEvent.objects.get(action="people.resident_create")
    assert event.actor == operator
    assert event.target_id == str(resident.pk)
    assert event.lab_id == lab.pk
    assert event.changes["codice_fiscale"] == VALID_CF
    assert event.changes["birth_date"] == "1985-12-10"


def test_resident_create_raises_field_error_and_writes_nothing_when_code_invalid(
    operator, lab
) -> None:
    before = _counts()

    with pytest.raises(ApplicationError) as caught:
        services.resident_create(
            actor=operator,
            lab=lab,
            first_name="Mario",
            last_name="Rossi",
            codice_fiscale="RSSMRA85T10A562X",
        )

    assert "codice_fiscale" in caught.value.fields
    assert _counts() == before


def test_resident_create_refuses_birth_date_when_in_the_future(operator, lab) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    with pytest.raises(ApplicationError) as caught:
        services.resident_create(
            actor=operator, lab=lab, first_name="Mario", last_name="Rossi", birth_date=tomorrow
        )

    assert "birth_date" in caught.value.fields
    assert not Resident.objects.exists()


def test_resident_create_refuses_bad_email_when_field_validation_fails(operator, lab) -> None:
    with pytest.raises(ApplicationError) as caught:
        services.resident_create(
            actor=operator, lab=lab, first_name="Mario", last_name="Rossi", email="not-an-email"
        )

    assert "email" in caught.value.fields


def test_resident_update_records_before_and_after_when_fields_change(operator, lab) -> None:
    resident = ResidentFactory(lab=lab, phone="111", first_name="Mario")

    services.resident_update(actor=operator, resident=resident, phone="222", first_name="Marco")

    resident.refresh_from_db()
    assert resident.phone == "222"
    assert resident.name_key_reversed.startswith("MARCO ")
    event = AuditEvent.objects.get(action="people.resident_update")
    assert event.actor == operator
    assert event.changes == {"phone": ["111", "222"], "first_name": ["Mario", "Marco"]}


def test_resident_update_writes_no_audit_when_nothing_changed(operator, lab) -> None:
    resident = ResidentFactory(lab=lab, phone="111")

    services.resident_update(actor=operator, resident=resident, phone="111")

    assert not AuditEvent.objects.filter(action="people.resident_update").exists()


def test_resident_update_keeps_old_values_when_new_code_invalid(operator, lab) -> None:
    resident = ResidentFactory(lab=lab)
    old = resident.codice_fiscale

    with pytest.raises(ApplicationError):
        services.resident_update(actor=operator, resident=resident, codice_fiscale="XXX")

    resident.refresh_from_db()
    assert resident.codice_fiscale == old


# --- households ---------------------------------------------------------------------------


def test_household_create_makes_reference_person_first_member_when_given(operator, lab) -> None:
    resident = ResidentFactory(lab=lab)

    household = services.household_create(
        actor=operator, lab=lab, label=" Rossi ", reference_person=resident
    )

    resident.refresh_from_db()
    assert household.label == "Rossi"
    assert household.reference_person == resident
    assert resident.household == household
    assert resident.household_role == HouseholdRole.REFERENCE


def test_household_create_refuses_when_label_is_blank(operator, lab) -> None:
    with pytest.raises(ApplicationError) as caught:
        services.household_create(actor=operator, lab=lab, label="  ")

    assert "label" in caught.value.fields
    assert not Household.objects.exists()


def test_household_add_member_demotes_previous_reference_when_new_reference_added(
    operator, lab
) -> None:
    household = HouseholdFactory(lab=lab)
    first, second = ResidentFactory(lab=lab), ResidentFactory(lab=lab)
    services.household_add_member(
        actor=operator, household=household, resident=first, role=HouseholdRole.REFERENCE
    )

    services.household_add_member(
        actor=operator, household=household, resident=second, role=HouseholdRole.REFERENCE
    )

    household.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert household.reference_person == second
    assert second.household_role == HouseholdRole.REFERENCE
    assert first.household_role == HouseholdRole.OTHER
    assert household.members.filter(household_role=HouseholdRole.REFERENCE).count() == 1


def test_household_add_member_audits_old_and_new_household_when_member_added(operator, lab) -> None:
    household = HouseholdFactory(lab=lab)
    resident = ResidentFactory(lab=lab)

    services.household_add_member(
        actor=operator, household=household, resident=resident, role=HouseholdRole.CHILD
    )

    event = AuditEvent.objects.get(action="people.household_add_member")
    assert event.changes == {
        "resident": resident.pk,
        "household": [None, household.pk],
        "role": ["", "child"],
    }
    assert event.lab_id == lab.pk


def test_household_add_member_refuses_resident_when_of_another_lab(
    operator, lab, other_lab
) -> None:
    household = HouseholdFactory(lab=lab)
    stranger = ResidentFactory(lab=other_lab)

    with pytest.raises(ApplicationError):
        services.household_add_member(
            actor=operator, household=household, resident=stranger, role=HouseholdRole.OTHER
        )

    stranger.refresh_from_db()
    assert stranger.household is None


def test_household_add_member_refuses_role_when_unknown(operator, lab) -> None:
    with pytest.raises(ApplicationError):
        services.household_add_member(
            actor=operator,
            household=HouseholdFactory(lab=lab),
            resident=ResidentFactory(lab=lab),
            role="cousin",
        )


def test_household_remove_member_clears_reference_when_reference_removed(operator, lab) -> None:
    resident = ResidentFactory(lab=lab)
    household = services.household_create(
        actor=operator, lab=lab, label="Rossi", reference_person=resident
    )
    resident.refresh_from_db()

    services.household_remove_member(actor=operator, household=household, resident=resident)

    household.refresh_from_db()
    resident.refresh_from_db()
    assert household.reference_person is None
    assert resident.household is None
    assert resident.household_role == ""


def test_household_remove_member_refuses_when_resident_not_a_member(operator, lab) -> None:
    with pytest.raises(ApplicationError):
        services.household_remove_member(
            actor=operator, household=HouseholdFactory(lab=lab), resident=ResidentFactory(lab=lab)
        )


# --- tenancies ----------------------------------------------------------------------------


def test_tenancy_start_creates_open_tenancy_and_audits_when_unit_is_free(operator, lab) -> None:
    household = HouseholdFactory(lab=lab)
    unit = UnitFactory()

    tenancy = services.tenancy_start(
        actor=operator,
        household=household,
        unit=unit,
        kind=TenancyKind.REGULAR,
        starts_on=dt.date(2024, 5, 1),
    )

    assert tenancy.ends_on is None
    event = AuditEvent.objects.get(action="people.tenancy_start")
    assert event.lab_id == lab.pk
    assert event.changes == {"unit": unit.pk, "kind": "regular", "starts_on": "2024-05-01"}


def test_tenancy_start_marks_unit_occupied_when_started(operator, lab) -> None:
    unit = UnitFactory(status=UnitStatus.VACANT)

    services.tenancy_start(
        actor=operator,
        household=HouseholdFactory(lab=lab),
        unit=unit,
        kind=TenancyKind.REGULAR,
        starts_on=dt.date(2024, 5, 1),
    )

    unit.refresh_from_db()
    assert unit.status == UnitStatus.OCCUPIED
    event = AuditEvent.objects.get(action="territory.unit_set_status")
    assert event.lab_id == lab.pk
    assert event.changes == {"status": ["vacant", "occupied"]}


def test_tenancy_end_marks_unit_vacant_when_ended(operator, lab) -> None:
    tenancy = TenancyFactory(
        household=HouseholdFactory(lab=lab), unit=UnitFactory(status=UnitStatus.OCCUPIED)
    )

    services.tenancy_end(actor=operator, tenancy=tenancy, ends_on=dt.date(2024, 6, 1))

    tenancy.unit.refresh_from_db()
    assert tenancy.unit.status == UnitStatus.VACANT


def test_tenancy_start_refuses_second_open_tenancy_when_unit_is_occupied(operator, lab) -> None:
    unit = UnitFactory()
    TenancyFactory(unit=unit, household=HouseholdFactory(lab=lab))

    with pytest.raises(ApplicationError) as caught:
        services.tenancy_start(
            actor=operator,
            household=HouseholdFactory(lab=lab),
            unit=unit,
            kind=TenancyKind.REGULAR,
            starts_on=dt.date(2024, 1, 1),
        )

    assert "unit" in caught.value.fields
    assert Tenancy.objects.filter(unit=unit).count() == 1


def test_tenancy_start_refuses_when_household_already_has_open_tenancy(operator, lab) -> None:
    household = HouseholdFactory(lab=lab)
    TenancyFactory(household=household)

    with pytest.raises(ApplicationError):
        services.tenancy_start(
            actor=operator,
            household=household,
            unit=UnitFactory(),
            kind=TenancyKind.REGULAR,
            starts_on=dt.date(2024, 1, 1),
        )


def test_tenancy_start_refuses_kind_when_unknown(operator, lab) -> None:
    with pytest.raises(ApplicationError):
        services.tenancy_start(
            actor=operator,
            household=HouseholdFactory(lab=lab),
            unit=UnitFactory(),
            kind="squat",
            starts_on=dt.date(2024, 1, 1),
        )


def test_tenancy_start_allowed_when_previous_tenancy_of_unit_has_ended(operator, lab) -> None:
    unit = UnitFactory()
    TenancyFactory(unit=unit, ends_on=dt.date(2021, 1, 1))

    tenancy = services.tenancy_start(
        actor=operator,
        household=HouseholdFactory(lab=lab),
        unit=unit,
        kind=TenancyKind.TEMPORARY,
        starts_on=dt.date(2022, 1, 1),
    )

    assert tenancy.pk


def test_tenancy_constraint_refuses_second_open_tenancy_when_created_directly(lab) -> None:
    unit = UnitFactory()
    TenancyFactory(unit=unit, household=HouseholdFactory(lab=lab))

    with pytest.raises(IntegrityError), transaction.atomic():
        Tenancy.objects.create(
            household=HouseholdFactory(lab=lab),
            unit=unit,
            kind=TenancyKind.REGULAR,
            starts_on=dt.date(2024, 1, 1),
        )


def test_tenancy_constraint_refuses_end_before_start_when_saved_directly(lab) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        TenancyFactory(starts_on=dt.date(2024, 1, 2), ends_on=dt.date(2024, 1, 1))


def test_tenancy_end_refuses_date_when_before_start(operator, lab) -> None:
    tenancy = TenancyFactory(household=HouseholdFactory(lab=lab), starts_on=dt.date(2024, 3, 1))

    with pytest.raises(ApplicationError) as caught:
        services.tenancy_end(actor=operator, tenancy=tenancy, ends_on=dt.date(2024, 2, 28))

    assert "ends_on" in caught.value.fields
    tenancy.refresh_from_db()
    assert tenancy.ends_on is None


def test_tenancy_end_closes_tenancy_and_audits_when_date_valid(operator, lab) -> None:
    tenancy = TenancyFactory(household=HouseholdFactory(lab=lab), starts_on=dt.date(2024, 3, 1))

    services.tenancy_end(actor=operator, tenancy=tenancy, ends_on=dt.date(2024, 3, 1))

    tenancy.refresh_from_db()
    assert tenancy.ends_on == dt.date(2024, 3, 1)
    event = AuditEvent.objects.get(action="people.tenancy_end")
    assert event.changes == {"ends_on": [None, "2024-03-01"]}
    assert event.lab_id == lab.pk


def test_tenancy_end_refuses_when_already_ended(operator, lab) -> None:
    tenancy = TenancyFactory(household=HouseholdFactory(lab=lab), ends_on=dt.date(2024, 6, 1))

    with pytest.raises(ApplicationError):
        services.tenancy_end(actor=operator, tenancy=tenancy, ends_on=dt.date(2024, 7, 1))


# --- consents -----------------------------------------------------------------------------


def test_consent_record_creates_active_consent_and_audits_when_none_active(operator, lab) -> None:
    resident = ResidentFactory(lab=lab)

    consent = services.consent_record(
        actor=operator,
        resident=resident,
        purpose=ConsentPurpose.IMAGES,
        legal_basis=LegalBasis.CONSENT,
    )

    assert consent.is_active
    assert consent.recorded_by == operator
    event = AuditEvent.objects.get(action="people.consent_record")
    assert event.lab_id == lab.pk
    assert event.changes == {"purpose": "images", "legal_basis": "consent"}


def test_consent_record_refuses_duplicate_when_same_purpose_is_active(operator, lab) -> None:
    consent = ConsentFactory(resident=ResidentFactory(lab=lab), purpose=ConsentPurpose.IMAGES)

    with pytest.raises(ApplicationError):
        services.consent_record(
            actor=operator,
            resident=consent.resident,
            purpose=ConsentPurpose.IMAGES,
            legal_basis=LegalBasis.CONSENT,
        )


def test_consent_record_allows_new_consent_when_previous_was_withdrawn(operator, lab) -> None:
    old = ConsentFactory(
        resident=ResidentFactory(lab=lab),
        purpose=ConsentPurpose.IMAGES,
        withdrawn_at=timezone.now(),
    )

    new = services.consent_record(
        actor=operator,
        resident=old.resident,
        purpose=ConsentPurpose.IMAGES,
        legal_basis=LegalBasis.CONSENT,
    )

    assert new.pk != old.pk
    assert new.is_active


def test_consent_withdraw_keeps_row_with_withdrawal_time_when_active(operator, lab) -> None:
    consent = ConsentFactory(resident=ResidentFactory(lab=lab))

    services.consent_withdraw(actor=operator, consent=consent)

    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert not consent.is_active
    assert AuditEvent.objects.filter(action="people.consent_withdraw", lab_id=lab.pk).exists()


def test_consent_withdraw_refuses_when_already_withdrawn(operator, lab) -> None:
    consent = ConsentFactory(resident=ResidentFactory(lab=lab), withdrawn_at=timezone.now())

    with pytest.raises(ApplicationError):
        services.consent_withdraw(actor=operator, consent=consent)


# --- sensitive profile --------------------------------------------------------------------


def _raw_profile_row(resident_id: int) -> tuple[str, str, str]:
    table = connection.ops.quote_name(SensitiveProfile._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT disability, health_notes, vulnerability FROM {table} "  # noqa: S608
            "WHERE resident_id = %s",
            [resident_id],
        )
        return cursor.fetchone()


def test_sensitive_profile_save_stores_ciphertext_when_values_given(coordinator, lab) -> None:
    resident = ResidentFactory(lab=lab)

    services.sensitive_profile_save(
        actor=coordinator,
        resident=resident,
        disability="Cecità parziale",
        health_notes="Insulina due volte al giorno",
        vulnerability="Vive da sola",
    )

    raw = _raw_profile_row(resident.pk)
    assert "Cecità" not in raw[0]
    assert "Insulina" not in raw[1]
    assert "sola" not in raw[2]
    profile = SensitiveProfile.objects.get(resident=resident)
    assert profile.disability == "Cecità parziale"
    assert profile.health_notes == "Insulina due volte al giorno"
    assert profile.updated_by == coordinator


def test_sensitive_profile_save_audits_field_names_not_values_when_saved_twice(
    coordinator, lab
) -> None:
    resident = ResidentFactory(lab=lab)
    services.sensitive_profile_save(
        actor=coordinator,
        resident=resident,
        disability="",
        health_notes="Asma",
        vulnerability="",
    )

    services.sensitive_profile_save(
        actor=coordinator,
        resident=resident,
        disability="",
        health_notes="Asma grave",
        vulnerability="",
    )

    first, second = AuditEvent.objects.filter(action="people.sensitive_profile_save").order_by("id")
    assert first.changes == {"fields_changed": ["health_notes"], "created": True}
    assert second.changes == {"fields_changed": ["health_notes"], "created": False}
    assert "Asma" not in str(second.changes)
    assert SensitiveProfile.objects.filter(resident=resident).count() == 1


# --- import -------------------------------------------------------------------------------


HEADER = "first_name,last_name,codice_fiscale,birth_date,gender,household,household_role\n"


def _rows(*lines: str) -> list[tuple[int, dict[str, str]]]:
    return read_rows((HEADER + "\n".join(lines) + "\n").encode(), "residents.csv")


def test_residents_import_creates_residents_and_households_when_file_is_good(
    coordinator, lab
) -> None:
    rows = _rows(
        f"Mario,Rossi,{VALID_CF},10/12/1985,M,Rossi,reference",
        "Anna,Rossi,,2010-05-04,F,Rossi,child",
        "Ahmed,Ben Ali,12345670017,,M,,",
    )

    report = services.residents_import(actor=coordinator, lab=lab, rows=rows)

    assert report.ok
    assert report.created == 3
    assert Resident.objects.filter(lab=lab).count() == 3
    household = Household.objects.get(lab=lab, label="Rossi")
    mario = Resident.objects.get(codice_fiscale=VALID_CF)
    assert household.reference_person == mario
    assert mario.birth_date == dt.date(1985, 12, 10)
    assert mario.name_key == "ROSSI MARIO"
    assert set(household.members.values_list("household_role", flat=True)) == {
        "reference",
        "child",
    }
    assert Resident.objects.get(first_name="Ahmed").household is None
    event = AuditEvent.objects.get(action="people.residents_import")
    assert event.changes == {"created": 3, "households": 1}
    assert event.lab_id == lab.pk


def test_residents_import_writes_nothing_when_dry_run(coordinator, lab) -> None:
    before = _counts()

    report = services.residents_import(
        actor=coordinator, lab=lab, rows=_rows("Mario,Rossi,,,,Rossi,reference"), dry_run=True
    )

    assert report.ok
    assert report.dry_run
    assert report.created == 0
    assert _counts() == before


@pytest.mark.parametrize(
    ("bad_line", "fragment"),
    [
        ("Luca,Verdi,RSSMRA85T10A562X,,,,", "codice_fiscale"),
        ("Luca,Verdi,,31/02/1990,,,", "birth_date"),
        ("Luca,Verdi,,2999-01-01,,,", "birth_date"),
        ("Luca,Verdi,,,Q,,", "gender"),
        (",Verdi,,,,,", "first_name"),
        ("Luca,Verdi,,,,Verdi,boss", "household_role"),
    ],
    ids=["bad-cf", "bad-date", "future-date", "bad-gender", "no-first-name", "bad-role"],
)
def test_residents_import_reports_line_and_writes_nothing_when_one_row_is_bad(
    coordinator, lab, bad_line: str, fragment: str
) -> None:
    rows = _rows("Mario,Rossi,,,,Rossi,reference", bad_line, "Anna,Bianchi,,,,,")
    before = _counts()

    report = services.residents_import(actor=coordinator, lab=lab, rows=rows)

    assert [line for line, _ in report.errors] == [3]
    assert report.errors[0][1].startswith(fragment)
    assert report.created == 0
    assert _counts() == before


def test_residents_import_reports_repeat_when_code_appears_twice_in_file(coordinator, lab) -> None:
    rows = _rows(f"Mario,Rossi,{VALID_CF},,,,", "Anna,Bianchi,,,,,", f"Mario,Rossi,{VALID_CF},,,,")
    before = _counts()

    report = services.residents_import(actor=coordinator, lab=lab, rows=rows)

    assert report.errors == [(4, "codice_fiscale: repeats line 2")]
    assert _counts() == before


def test_residents_import_reports_line_when_code_is_already_registered(
    coordinator, lab, other_lab
) -> None:
    ResidentFactory(lab=other_lab, codice_fiscale=VALID_CF)
    rows = _rows("Anna,Bianchi,,,,,", f"Mario,Rossi,{VALID_CF.lower()},,,,")
    before = _counts()

    report = services.residents_import(actor=coordinator, lab=lab, rows=rows)

    assert report.errors == [(3, "codice_fiscale: already registered (duplicate resident)")]
    assert _counts() == before


def test_residents_import_reports_every_bad_line_in_order_when_several_rows_are_bad(
    coordinator, lab
) -> None:
    ResidentFactory(lab=lab, codice_fiscale=VALID_CF)
    rows = _rows(f"Mario,Rossi,{VALID_CF},,,,", "Anna,Bianchi,,not a date,,,", "Ok,Row,,,,,")

    report = services.residents_import(actor=coordinator, lab=lab, rows=rows)

    assert [line for line, _ in report.errors] == [2, 3]


# --- bulk creation (seeding) --------------------------------------------------------------


def test_people_bulk_create_saves_rows_keys_and_references_when_seeding(lab) -> None:
    household = Household(lab=lab, label="Rossi")
    reference = Resident(
        lab=lab,
        first_name="Mario",
        last_name="Rossi",
        household=household,
        household_role=HouseholdRole.REFERENCE,
    )
    child = Resident(
        lab=lab,
        first_name="Anna",
        last_name="Rossi",
        household=household,
        household_role=HouseholdRole.CHILD,
    )
    unit = UnitFactory()
    tenancy = Tenancy(
        household=household, unit=unit, kind=TenancyKind.REGULAR, starts_on=dt.date(2020, 1, 1)
    )
    consent = Consent(
        resident=reference,
        purpose=ConsentPurpose.SERVICES,
        legal_basis=LegalBasis.CONSENT,
        given_at=timezone.now(),
    )

    services.people_bulk_create(
        actor=None,
        lab=lab,
        households=[household],
        residents=[reference, child],
        tenancies=[tenancy],
        consents=[consent],
    )

    stored = Household.objects.get(label="Rossi")
    assert stored.reference_person.first_name == "Mario"
    assert set(stored.members.values_list("name_key", flat=True)) == {"ROSSI MARIO", "ROSSI ANNA"}
    assert Tenancy.objects.get().household == stored
    assert Consent.objects.get().resident.first_name == "Mario"
    event = AuditEvent.objects.get(action="people.bulk_create")
    assert event.lab_id == lab.pk
    assert event.changes == {"households": 1, "residents": 2, "tenancies": 1, "consents": 1}


def test_resident_link_user_marks_resident_verified_and_refuses_second_link(lab, operator) -> None:
    from quartiere.accounts.tests.factories import UserFactory
    from quartiere.core.exceptions import ApplicationError
    from quartiere.people.selectors import resident_for_user
    from quartiere.people.services import resident_link_user
    from quartiere.people.tests.factories import ResidentFactory

    user = UserFactory()
    first = ResidentFactory(lab=lab)
    resident_link_user(actor=operator, resident=first, user=user)
    assert resident_for_user(user=user) == first
    with pytest.raises(ApplicationError):
        resident_link_user(actor=operator, resident=ResidentFactory(lab=lab), user=user)
