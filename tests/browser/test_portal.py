"""The public portal end to end: home -> programme -> action, the slides, axe and phone width.

The data come from the tiny demo (the Lorenteggio programme of the programme seeds). Every page
fails the test on a console error, which is how a Content Security Policy violation shows up
(inline chart styles, a script without its nonce, a cached page with a stale nonce).
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import translation
from playwright.sync_api import Page, expect

from quartiere.programme.models import Action

from .conftest import DESKTOP, PHONES

pytestmark = pytest.mark.browser

PROGRAMME = "lorenteggio"
LAB = "milo-lab-lorenteggio"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def _action() -> Action:
    """A published Lorenteggio action with milestones (its page has the timeline)."""
    action = (
        Action.objects.filter(
            programme__slug=PROGRAMME, is_published=True, milestones__isnull=False
        )
        .order_by("pk")
        .first()
    )
    assert action is not None, "the demo has no Lorenteggio action with milestones"
    return action


def _pages() -> list[str]:
    return [
        "/",
        f"/laboratori/{LAB}/",
        f"/programma/{PROGRAMME}/",
        f"/programma/{PROGRAMME}/azioni/{_action().key}/",
        f"/programma/{PROGRAMME}/presentazione/",
        "/cerca/?q=giambellino",
    ]


def test_visitor_reaches_an_action_from_the_home_page(server: str, page: Page) -> None:
    page.goto(f"{server}/")
    page.get_by_test_id("programme-highlights").get_by_role(
        "link", name=re.compile("Lorenteggio")
    ).click()
    expect(page.get_by_test_id("programme-title")).to_be_visible()
    expect(page.get_by_test_id("chart-sources").locator("svg")).to_be_visible()

    page.locator("#lines table tbody a").first.click()

    expect(page.get_by_test_id("action-title")).to_be_visible()
    expect(page.get_by_test_id("last-updated")).to_be_visible()
    expect(page.locator("nav.breadcrumb-container")).to_contain_text("Lorenteggio")


def test_cached_programme_page_runs_its_scripts_when_served_again(server: str, page: Page) -> None:
    url = f"{server}/programma/{PROGRAMME}/"
    page.goto(url)
    page.goto(url)  # from the page cache: the nonce must be this request's

    expect(page.locator("#programme-map.leaflet-container")).to_be_visible()


def test_slides_move_with_the_arrow_keys(server: str, page: Page) -> None:
    page.goto(f"{server}/programma/{PROGRAMME}/presentazione/")
    slides = page.get_by_test_id("slide")
    expect(slides.nth(0)).to_be_visible()
    expect(slides.nth(1)).to_be_hidden()

    page.keyboard.press("ArrowRight")

    expect(slides.nth(1)).to_be_visible()
    expect(slides.nth(0)).to_be_hidden()
    assert page.url.endswith("#slide-totals")
    page.keyboard.press("ArrowRight")
    expect(slides.nth(2)).to_be_visible()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(slides.nth(0)).to_be_visible()
    page.keyboard.press("End")
    expect(slides.last).to_be_visible()


def test_slides_are_one_long_page_when_javascript_is_off(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{server}/programma/{PROGRAMME}/presentazione/")

    for index in range(page.get_by_test_id("slide").count()):
        expect(page.get_by_test_id("slide").nth(index)).to_be_visible()
    context.close()


def _violations(axe: Axe, page: Page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("load")
    results = axe.run(page, options=AXE_OPTIONS)
    return [
        f"{url} [{page.viewport_size}]: {v['id']} ({v['impact']}) {v['help']} -> "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONES[1]], ids=lambda v: f"{v['width']}")
def test_portal_pages_have_no_wcag_violations(
    server: str, page: Page, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    axe = Axe()
    found: list[str] = []

    for path in _pages():
        found += _violations(axe, page, f"{server}{path}")

    assert not found, "axe-core found WCAG 2.1 A/AA violations:\n" + "\n".join(found)


def test_portal_pages_fit_360_pixels(server: str, page: Page) -> None:
    page.set_viewport_size(PHONES[1])
    too_wide = []

    for path in _pages():
        page.goto(f"{server}{path}")
        page.wait_for_load_state("load")
        widths = page.evaluate(
            "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
        )
        if widths["scroll"] > widths["inner"]:
            too_wide.append(f"{path}: {widths}")

    assert not too_wide, "pages overflow sideways at 360 px:\n" + "\n".join(too_wide)


def test_programme_page_reads_in_english_when_english_is_chosen(server: str, page: Page) -> None:
    page.goto(f"{server}/programma/{PROGRAMME}/")
    page.get_by_test_id("lang-en").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    with translation.override("en"):
        expect(page.locator("#lines-title")).to_have_text("Actions by line")
