"""The import page: a file with one bad row is refused whole, with the row's line number."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from quartiere.people.models import Resident

pytestmark = pytest.mark.browser

CSV = (
    "first_name,last_name,codice_fiscale,gender\n"
    "Ottavia,Brambillasca,,F\n"
    "Teodoro,,,M\n"  # line 3: no surname
    "Ilario,Vezzoli,,X\n"
)


def test_import_lists_bad_line_and_writes_nothing_when_one_row_is_wrong(
    server: str, login, page: Page
) -> None:
    before = Resident.objects.count()
    login("coord.lorenteggio")
    page.goto(f"{server}/backoffice/imports/")

    page.locator("#id_kind").select_option("residents")
    page.locator("#id_file").set_input_files(
        files=[{"name": "abitanti.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    # A real import, not only a check (Bootstrap Italia draws the box on the label).
    page.locator("label[for=id_dry_run]").click()
    expect(page.locator("#id_dry_run")).not_to_be_checked()
    page.locator("main form button[type=submit]").click()

    report = page.get_by_test_id("import-report")
    expect(report).to_be_visible()
    errors = page.get_by_test_id("import-error")
    expect(errors).to_have_count(1)
    expect(errors.locator("td").first).to_have_text("3")
    expect(errors.locator("td").nth(1)).to_contain_text("last_name")
    expect(page.locator(".alert-danger")).to_be_visible()
    assert Resident.objects.count() == before
    assert not Resident.objects.filter(last_name__in=["Brambillasca", "Vezzoli"]).exists()
