"""Finding a resident by surname or codice fiscale and opening their page."""

from __future__ import annotations

import re

import pytest
from django.db.models import Count
from playwright.sync_api import Page, expect

from quartiere.people.models import Resident

pytestmark = pytest.mark.browser

LAB = "milo-lab-lorenteggio"


def _search(page: Page, server: str, text: str) -> None:
    page.goto(f"{server}/backoffice/residents/")
    page.locator("#id_q").fill(text)
    page.locator("#id_q").press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q="))


def test_resident_search_finds_resident_when_searching_by_surname(
    server: str, login, page: Page
) -> None:
    # The rarest plain-letter surname of the lab, so its residents fit on the first page.
    surname = (
        Resident.objects.filter(lab__slug=LAB, last_name__regex=r"^[A-Za-z]+$")
        .values("last_name")
        .annotate(n=Count("id"))
        .order_by("n", "last_name")
        .values_list("last_name", flat=True)
        .first()
    )
    assert surname
    expected = Resident.objects.filter(lab__slug=LAB, last_name__iexact=surname)
    resident = expected.first()
    assert resident is not None
    login("coord.lorenteggio")

    _search(page, server, surname.lower())

    rows = page.get_by_test_id("resident-row")
    expect(rows).to_have_count(expected.count())
    for row in rows.all():
        expect(row.locator("td").first).to_contain_text(surname)
    rows.get_by_role("link", name=f"{resident.last_name} {resident.first_name}").first.click()
    expect(page).to_have_url(re.compile(r"/backoffice/residents/\d+/$"))
    expect(page.get_by_test_id("resident-name")).to_have_text(
        f"{resident.first_name} {resident.last_name}"
    )


def test_resident_search_finds_one_resident_when_searching_by_codice_fiscale(
    server: str, login, page: Page
) -> None:
    resident = Resident.objects.filter(lab__slug=LAB).exclude(codice_fiscale="").last()
    assert resident is not None
    login("operatore.lorenteggio")

    _search(page, server, resident.codice_fiscale.lower())

    rows = page.get_by_test_id("resident-row")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(resident.codice_fiscale)
    rows.get_by_role("link", name=f"{resident.last_name} {resident.first_name}").click()
    expect(page).to_have_url(f"{server}/backoffice/residents/{resident.pk}/")
    expect(page.get_by_test_id("resident-name")).to_have_text(
        f"{resident.first_name} {resident.last_name}"
    )
    expect(page.locator("main")).to_contain_text(resident.codice_fiscale)
