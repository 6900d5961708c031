"""The demo seed: realistic, synthetic, consistent and deterministic."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from quartiere.accounts.models import Lab, Membership, User
from quartiere.core.models import AuditEvent
from quartiere.people import codice_fiscale
from quartiere.people.models import Household, Resident, Tenancy
from quartiere.territory.enums import UnitStatus
from quartiere.territory.models import Unit

pytestmark = pytest.mark.django_db


def _fingerprint() -> list[tuple[object, ...]]:
    # Sorted in Python: residents without a codice fiscale tie in any database ORDER BY.
    return sorted(
        Resident.objects.values_list("codice_fiscale", "last_name", "first_name", "birth_date")
    )


def test_seed_demo_is_deterministic_when_seed_is_the_same():
    with transaction.atomic():
        call_command("seed_demo", scale="tiny", seed=7)
        first = _fingerprint()
        transaction.set_rollback(True)
    with transaction.atomic():
        call_command("seed_demo", scale="tiny", seed=7)
        second = _fingerprint()
        transaction.set_rollback(True)
    with transaction.atomic():
        call_command("seed_demo", scale="tiny", seed=8)
        other = _fingerprint()
        transaction.set_rollback(True)
    assert first
    assert first == second
    assert first != other


def test_seed_demo_builds_consistent_synthetic_registry_when_tiny():
    call_command("seed_demo", scale="tiny", seed=1)
    assert set(Lab.objects.values_list("slug", flat=True)) == {
        "milo-lab-lorenteggio",
        "qrlab-bollate",
    }
    residents = list(Resident.objects.all())
    assert residents
    assert all(r.is_synthetic for r in residents)
    for r in residents:
        assert codice_fiscale.validate(r.codice_fiscale) == r.codice_fiscale
        encoded = codice_fiscale.birth_date(r.codice_fiscale)
        assert encoded is not None
        # the code carries the year's last two digits only
        assert (encoded.year % 100, encoded.month, encoded.day) == (
            r.birth_date.year % 100,
            r.birth_date.month,
            r.birth_date.day,
        )
    assert len({r.codice_fiscale for r in residents}) == len(residents)
    assert all(r.email.endswith("@example.org") for r in residents if r.email)
    # every open tenancy sits on an occupied unit, and no occupied unit is empty
    occupied = set(Unit.objects.filter(status=UnitStatus.OCCUPIED).values_list("id", flat=True))
    tenanted = set(Tenancy.objects.filter(ends_on=None).values_list("unit_id", flat=True))
    assert occupied == tenanted
    # every household has its reference person as a member
    for household in Household.objects.select_related("reference_person"):
        assert household.reference_person.household_id == household.pk
    # One bulk load per lab, plus the households of the relocation demo's via Lorenteggio 181.
    assert AuditEvent.objects.filter(action="people.bulk_create").count() == 3


def test_seed_demo_creates_one_user_per_role_when_run():
    call_command("seed_demo", scale="tiny", seed=1)
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {
        "region_official",
        "evaluator",
        "lab_coordinator",
        "lab_operator",
        "training_operator",
        "housing_staff",
        "resident",
    }
    coordinator = User.objects.get(username="coord.lorenteggio")
    assert coordinator.check_password("quartiere-demo")
    assert coordinator.has_perm("people.view_sensitive_profile")
    assert User.objects.get(username="admin").is_superuser


def test_seed_demo_refuses_when_database_holds_labs():
    call_command("seed_demo", scale="tiny", seed=1)
    with pytest.raises(CommandError):
        call_command("seed_demo", scale="tiny", seed=1)
    call_command("seed_demo", scale="tiny", seed=1, if_empty=True)  # no error, no change
    assert Lab.objects.count() == 2


def test_seed_demo_matches_lorenteggio_scale_when_district():
    call_command("seed_demo", scale="district", seed=2026)
    lorenteggio = Lab.objects.get(slug="milo-lab-lorenteggio")
    units = Unit.objects.filter(building__district=lorenteggio.district).count()
    residents = Resident.objects.count()
    # About 2,700 public flats in the quadrilateral, plus the relocation demo's via Lorenteggio 181.
    assert 2400 <= units <= 3200
    assert 7000 <= residents <= 9500
    assert Resident.objects.filter(lab__slug="qrlab-bollate").exists()
