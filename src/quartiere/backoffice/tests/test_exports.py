"""Exports of the residents list: scoped, filtered, audited, only for coordinators."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from quartiere.accounts.enums import Role
from quartiere.core.models import AuditEvent
from quartiere.people.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_resident_export_gives_own_lab_rows_when_coordinator_asks_csv(
    login, make_user, lab, other_lab
):
    ResidentFactory(lab=lab, last_name="Rossi", first_name="Anna")
    ResidentFactory(lab=lab, last_name="Bianchi", first_name="Luca")
    ResidentFactory(lab=other_lab, last_name="Rossini", first_name="Altro")
    coordinator = make_user(Role.LAB_COORDINATOR, lab)

    response = login(coordinator).get(reverse("backoffice:resident_export"), {"q": "ross"})

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.csv"')
    rows = _csv(response)
    assert rows[0][:3] == ["id", "last_name", "first_name"]
    assert [r[1] for r in rows[1:]] == ["Rossi"]
    event = AuditEvent.objects.get(action="people.residents_export")
    assert event.actor == coordinator
    assert event.changes["rows"] == 1
    assert "Rossi" not in str(event.changes)


def test_resident_export_gives_workbook_when_xlsx_requested(login, make_user, lab):
    ResidentFactory.create_batch(3, lab=lab)
    coordinator = make_user(Role.LAB_COORDINATOR, lab)

    response = login(coordinator).get(reverse("backoffice:resident_export"), {"format": "xlsx"})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 4  # header + 3 residents


def test_resident_export_refused_when_role_lacks_capability(login, make_user, lab):
    operator = make_user(Role.LAB_OPERATOR, lab)

    response = login(operator).get(reverse("backoffice:resident_export"))

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="people.residents_export").exists()
