"""The header's language switch: Italian by default, English on demand, and back."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

import quartiere

pytestmark = pytest.mark.browser


ITALIAN_CATALOGUE = Path(quartiere.__file__).parent / "locale" / "it" / "LC_MESSAGES" / "django.mo"


def _expected(language: str, message: str) -> str:
    """What the compiled catalogue says (English if the Italian is not compiled yet)."""
    with translation.override(language):
        return str(translation.gettext(message))


def test_language_switch_changes_html_lang_and_labels_when_switching_it_en_it(
    server: str, login, page: Page
) -> None:
    if ITALIAN_CATALOGUE.exists():  # `make test` compiles it: then the label must change
        assert _expected("it", "Residents") != "Residents"
    login("coord.lorenteggio")
    page.goto(f"{server}/backoffice/residents/")
    html = page.locator("html")
    nav = page.get_by_test_id("nav-residents")
    skip = page.get_by_test_id("skip-link")
    expect(html).to_have_attribute("lang", "it")
    expect(nav).to_have_text(_expected("it", "Residents"))
    expect(page.get_by_test_id("lang-it")).to_have_attribute("aria-current", "true")

    page.get_by_test_id("lang-en").click()

    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{server}/backoffice/residents/")
    expect(nav).to_have_text("Residents")
    expect(skip).to_have_text("Skip to main content")
    expect(page.get_by_test_id("lang-en")).to_have_attribute("aria-current", "true")
    # The choice sticks across pages.
    page.get_by_test_id("nav-buildings").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("nav-buildings")).to_have_text("Buildings")

    page.get_by_test_id("lang-it").click()

    expect(html).to_have_attribute("lang", "it")
    expect(page).to_have_url(f"{server}/backoffice/buildings/")
    expect(page.get_by_test_id("nav-residents")).to_have_text(_expected("it", "Residents"))
    expect(skip).to_have_text(_expected("it", "Skip to main content"))


def test_language_switch_works_when_visitor_is_not_logged_in(server: str, page: Page) -> None:
    page.goto(f"{server}/accessibilita/")
    expect(page.locator("html")).to_have_attribute("lang", "it")

    page.get_by_test_id("lang-en").click()

    expect(page).to_have_url(f"{server}/accessibilita/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("skip-link")).to_have_text("Skip to main content")
