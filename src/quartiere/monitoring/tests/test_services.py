from datetime import date

import pytest

from quartiere.core.models import AuditEvent
from quartiere.monitoring.enums import OperationKind, SensitiveAnswer
from quartiere.monitoring.models import Participant, Participation
from quartiere.monitoring.services import (
    EntryData,
    participant_entry_data_record,
    participation_exit,
    participation_record,
)
from quartiere.people.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def test_participation_record_keeps_first_entry_date_when_re_entering(lab, operator) -> None:
    resident = ResidentFactory(lab=lab)
    first = participation_record(
        resident=resident,
        lab_id=lab.pk,
        kind=OperationKind.ACTIVITY,
        operation_key="activities.activity:1",
        operation_label="Italiano per donne",
        entered_on=date(2026, 2, 1),
        actor=operator,
        contacts=1,
    )
    participation_exit(
        resident=resident,
        operation_key="activities.activity:1",
        exited_on=date(2026, 3, 1),
        actor=operator,
    )
    again = participation_record(
        resident=resident,
        lab_id=lab.pk,
        kind=OperationKind.ACTIVITY,
        operation_key="activities.activity:1",
        operation_label="Italiano per donne",
        entered_on=date(2026, 5, 1),
        actor=operator,
        contacts=1,
    )
    assert again.pk == first.pk
    assert again.entered_on == date(2026, 2, 1)
    assert again.exited_on is None
    assert again.contact_count == 2
    assert Participation.objects.count() == 1


def test_participation_record_rejects_unknown_kind(lab, operator) -> None:
    with pytest.raises(ValueError, match="unknown operation kind"):
        participation_record(
            resident=ResidentFactory(lab=lab),
            lab_id=lab.pk,
            kind="party",
            operation_key="x",
            operation_label="x",
            entered_on=date(2026, 1, 1),
            actor=operator,
        )


def test_participant_entry_data_record_encrypts_sensitive_items_and_audits(lab, operator) -> None:
    resident = ResidentFactory(lab=lab)
    participant_entry_data_record(
        resident=resident,
        data=EntryData(
            employment_status="unemployed",
            education_level="isced_3_4",
            migrant_background=SensitiveAnswer.REFUSED,
            disability=SensitiveAnswer.NO,
        ),
        collected_on=date(2026, 1, 10),
        actor=operator,
    )
    participant = Participant.objects.get(resident=resident)
    assert participant.migrant_background == "refused"
    raw = Participant.objects.filter(pk=participant.pk).values_list("migrant_background", flat=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT migrant_background FROM monitoring_participant WHERE id = %s", [participant.pk]
        )
        stored = cursor.fetchone()[0]
    assert stored != "refused"
    assert len(stored) > 20
    assert list(raw) == ["refused"]
    event = AuditEvent.objects.get(action="monitoring.entry_data_record")
    assert "refused" not in str(event.changes)
