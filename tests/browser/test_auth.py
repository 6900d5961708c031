"""Logging in, the lock-out after repeated failures, lab isolation and the friendly 404."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from quartiere.accounts.models import Lab
from quartiere.people.models import Household, Resident
from quartiere.territory.models import Building, Unit

from .conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def _number(text: str) -> int:
    """A count as the page prints it, whatever the locale's thousand separator."""
    return int(re.sub(r"\D", "", text))


def _submit_login(page: Page, username: str, password: str) -> None:
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form button[type=submit]").last.click()


def test_login_lands_on_dashboard_with_counts_when_credentials_are_right(
    server: str, page: Page
) -> None:
    lab = Lab.objects.get(slug="milo-lab-lorenteggio")

    page.goto(f"{server}/accounts/login/")
    _submit_login(page, "coord.lorenteggio", DEMO_PASSWORD)

    expect(page).to_have_url(f"{server}/backoffice/")
    expect(page.get_by_role("heading", level=1)).to_have_text(lab.name)
    counts = {
        "residents": Resident.objects.filter(lab=lab).count(),
        "households": Household.objects.filter(lab=lab).count(),
        "buildings": Building.objects.filter(district=lab.district).count(),
        "units": Unit.objects.filter(building__district=lab.district).count(),
    }
    assert all(counts.values()), counts
    for name, expected in counts.items():
        assert _number(page.get_by_test_id(f"count-{name}").inner_text()) == expected, name


def test_login_shows_error_then_locks_account_when_password_is_wrong_five_times(
    server: str, page: Page
) -> None:
    login_url = f"{server}/accounts/login/"
    page.browser_errors.expect_status(login_url, 429)  # type: ignore[attr-defined]
    page.goto(login_url)

    for _attempt in range(4):
        _submit_login(page, "coord.lorenteggio", "not-the-password")
        expect(page.get_by_test_id("form-errors")).to_be_visible()
        expect(page).to_have_url(login_url)
    _submit_login(page, "coord.lorenteggio", "not-the-password")

    expect(page.get_by_test_id("locked-out")).to_be_visible()

    # Even the right password is refused while the account is locked.
    page.goto(login_url)
    _submit_login(page, "coord.lorenteggio", DEMO_PASSWORD)
    expect(page.get_by_test_id("locked-out")).to_be_visible()
    page.goto(f"{server}/backoffice/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))


def test_resident_page_is_404_when_resident_belongs_to_another_lab(
    server: str, login, page: Page
) -> None:
    resident = Resident.objects.filter(lab__slug="milo-lab-lorenteggio").first()
    assert resident is not None
    url = f"{server}/backoffice/residents/{resident.pk}/"
    page.browser_errors.expect_status(url, 404)  # type: ignore[attr-defined]
    login("coord.bollate")

    response = page.goto(url)

    assert response is not None
    assert response.status == 404
    expect(page.get_by_test_id("not-found")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(resident.last_name)
    expect(page.locator("main")).not_to_contain_text(resident.codice_fiscale or resident.first_name)


def test_unknown_url_shows_friendly_404_when_page_does_not_exist(server: str, page: Page) -> None:
    url = f"{server}/questa-pagina-non-esiste/"
    page.browser_errors.expect_status(url, 404)  # type: ignore[attr-defined]

    response = page.goto(url)

    assert response is not None
    assert response.status == 404
    expect(page.get_by_test_id("not-found")).to_be_visible()
    expect(page.locator("main a[href='/']")).to_be_visible()
    # The friendly page keeps the site's styles (static files are served).
    expect(page.locator("header.it-header-wrapper")).to_be_visible()
