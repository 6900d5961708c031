"""`quartiere import units|residents FILE --lab SLUG [--dry-run]`."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from quartiere.people.models import Resident
from quartiere.territory.models import Unit

pytestmark = pytest.mark.django_db

UNITS_CSV = (
    "building_code,street,number,stair,unit_code,floor,rooms,floor_area_m2\n"
    "B-1,Via Segneri,9,Scala A,B-1-A001,0,2,48.5\n"
    "B-1,Via Segneri,9,Scala A,B-1-A101,1,3,61\n"
)


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_data", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_command_creates_units_when_file_is_valid(tmp_path, lab):
    path = tmp_path / "units.csv"
    path.write_text(UNITS_CSV)

    out, _ = _run("units", str(path), "--lab", lab.slug)

    assert "2 created" in out
    assert Unit.objects.filter(building__district=lab.district).count() == 2


def test_import_command_writes_nothing_when_dry_run(tmp_path, lab):
    path = tmp_path / "units.csv"
    path.write_text(UNITS_CSV)

    out, _ = _run("units", str(path), "--lab", lab.slug, "--dry-run")

    assert "dry run" in out
    assert not Unit.objects.exists()


def test_import_command_fails_with_line_errors_when_a_row_is_bad(tmp_path, lab):
    path = tmp_path / "residents.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["first_name", "last_name", "codice_fiscale", "birth_date"])
    sheet.append(["Anna", "Rossi", "", "1980-02-03"])
    sheet.append(["Luca", "Bianchi", "RSSMRA80A01F205Y", "1980-01-01"])  # wrong check letter
    book.save(path)
    err = io.StringIO()

    with pytest.raises(CommandError, match="nothing was written"):
        call_command(
            "import_data", "residents", str(path), "--lab", lab.slug, "--no-progress", stderr=err
        )

    assert "line 3: codice_fiscale" in err.getvalue()
    assert not Resident.objects.exists()


def test_import_command_fails_when_lab_unknown(tmp_path, db):
    path = tmp_path / "units.csv"
    path.write_text(UNITS_CSV)

    with pytest.raises(CommandError, match="No lab"):
        _run("units", str(path), "--lab", "nowhere")
