import pytest
from django.db import connection

from quartiere.people.models import Resident, SensitiveProfile, search_key
from quartiere.people.tests.factories import ResidentFactory, SensitiveProfileFactory

pytestmark = pytest.mark.django_db


def test_search_key_drops_accents_and_punctuation_when_building_key() -> None:
    assert search_key("D'Amico-Rè", "  Nicolò ") == "D AMICO RE NICOLO"


def test_resident_save_refreshes_search_keys_when_update_fields_given(lab) -> None:
    resident = ResidentFactory(lab=lab, first_name="Mario", last_name="Rossi")

    resident.last_name = "Verdi"
    resident.save(update_fields=["last_name"])

    stored = Resident.objects.get(pk=resident.pk)
    assert stored.name_key == "VERDI MARIO"
    assert stored.name_key_reversed == "MARIO VERDI"


def test_sensitive_profile_column_holds_ciphertext_when_read_raw(lab) -> None:
    profile = SensitiveProfileFactory(
        resident=ResidentFactory(lab=lab), health_notes="Epilessia", disability=""
    )
    table = connection.ops.quote_name(SensitiveProfile._meta.db_table)

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT health_notes, disability FROM {table} WHERE id = %s",  # noqa: S608
            [profile.pk],
        )
        health_notes, disability = cursor.fetchone()

    assert "Epilessia" not in health_notes
    assert health_notes.startswith("gAAAA")  # a Fernet token
    assert disability == ""
    assert SensitiveProfile.objects.get(pk=profile.pk).health_notes == "Epilessia"
