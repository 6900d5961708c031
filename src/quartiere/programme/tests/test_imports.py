"""CSV/XLSX import of actions and allocations: line-level errors, nothing written on failure."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import Workbook

from quartiere.core.importing import read_rows
from quartiere.core.models import AuditEvent
from quartiere.programme import services
from quartiere.programme.models import Action, Allocation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    """Messages are compared in English (the catalogue translates them for the pages)."""
    with translation.override("en"):
        yield


ALLOCATIONS_OK = b"""action,source,amount,committed_amount,committed_on
c1,POR FESR,180000,150000,2021-03-01
c2,POR FESR,"10.000,00",0,
"""


def _rows(text: bytes, name: str = "file.csv"):  # type: ignore[no-untyped-def]
    return read_rows(text, name)


def test_unknown_source_rejects_the_file_and_writes_nothing(tree, programme, operator) -> None:
    lines = [
        "action,source,amount",
        "c1,POR FESR,200000",
        "c1,Comune,100000",
        "c2,Comune,80000",
        "leaf,POR FESR,50000",
        "parent,Comune,0",
        "leaf,POR FXX,1000",
    ]
    before = list(Allocation.objects.order_by("pk").values_list("pk", "amount"))
    report = services.allocations_import(
        actor=operator, programme=programme, rows=_rows("\n".join(lines).encode())
    )
    assert report.errors == [(7, "unknown source 'POR FXX'")]
    assert list(Allocation.objects.order_by("pk").values_list("pk", "amount")) == before
    assert not AuditEvent.objects.filter(action="programme.allocations_import").exists()


def test_allocations_import_updates_and_creates(tree, programme, operator) -> None:
    report = services.allocations_import(
        actor=operator, programme=programme, rows=_rows(ALLOCATIONS_OK)
    )
    assert report.errors == []
    assert (report.created, report.updated) == (1, 1)
    fesr_c1 = Allocation.objects.get(action=tree["c1"], source__code="POR FESR")
    assert fesr_c1.amount == Decimal("180000.00")
    new = Allocation.objects.get(action=tree["c2"], source__code="POR FESR")
    assert new.amount == Decimal("10000.00")
    tree["c1"].refresh_from_db()
    assert tree["c1"].last_updated_by == operator


def test_import_over_budget_names_the_row(tree, programme, operator) -> None:
    rows = _rows(b"action,source,amount\nc2,POR FESR,20000.01\n")
    report = services.allocations_import(actor=operator, programme=programme, rows=rows)
    assert len(report.errors) == 1
    assert report.errors[0][0] == 2
    assert "budget" in report.errors[0][1]
    assert not Allocation.objects.filter(action=tree["c2"], source__code="POR FESR").exists()


def test_dry_run_writes_nothing(tree, programme, operator) -> None:
    report = services.allocations_import(
        actor=operator, programme=programme, rows=_rows(ALLOCATIONS_OK), dry_run=True
    )
    assert report.ok
    assert report.created == 1
    assert not Allocation.objects.filter(action=tree["c2"], source__code="POR FESR").exists()


def test_actions_import_from_xlsx_creates_children_after_parents(tree, programme, operator) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(
        ["key", "line", "title_it", "parent", "budget_amount", "status", "cup", "planned_start_on"]
    )
    ws.append(["child-new", "B", "Figlia", "parent-new", "1000", "design", "", "2022-01-01"])
    ws.append(
        ["parent-new", "B", "Madre", "", "5000", "in_progress", "b41b16000230007", "01/01/2021"]
    )
    ws.append(["leaf", "B", "Foglia rinominata", "", "", "", "", ""])
    buffer = io.BytesIO()
    wb.save(buffer)
    report = services.actions_import(
        actor=operator, programme=programme, rows=_rows(buffer.getvalue(), "azioni.xlsx")
    )
    assert report.errors == []
    assert (report.created, report.updated) == (2, 1)
    child = Action.objects.get(programme=programme, key="child-new")
    assert child.parent.key == "parent-new"
    assert child.parent.cup == "B41B16000230007"
    assert Action.objects.get(pk=tree["leaf"].pk).title_it == "Foglia rinominata"


def test_actions_import_reports_every_bad_row(tree, programme, operator) -> None:
    rows = _rows(
        b"key,line,title_it,status,cup,planned_start_on,budget_amount\n"
        b"ok-one,A,Buona,,,,\n"
        b"bad-line,Z,Linea sbagliata,,,,\n"
        b"bad-status,A,Stato,finished,,,\n"
        b"bad-cup,A,Cup,,123,,\n"
        b"bad-date,A,Data,,,31/02/2020,\n"
        b"c1,A,Budget,,,,10\n"
    )
    report = services.actions_import(actor=operator, programme=programme, rows=rows)
    assert [line for line, _ in report.errors] == [3, 4, 5, 6, 7]
    assert "unknown action line 'Z'" in report.errors[0][1]
    assert not Action.objects.filter(key="ok-one").exists()
