"""WCAG 2.1 A/AA with axe-core on the main pages, at desktop and phone width, and the skip link."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from quartiere.people.models import Resident
from quartiere.territory.models import Building

from .conftest import DESKTOP, PHONES, PUBLIC_REPORT_PAGES, STAFF_REPORT_PAGES, report_page_ids

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
PUBLIC_PAGES = ["/", "/accounts/login/", "/accessibilita/"]


def _violations(axe: Axe, page: Page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("load")
    results = axe.run(page, options=AXE_OPTIONS)
    return [
        f"{url} [{page.viewport_size}]: {v['id']} ({v['impact']}) {v['help']} -> "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize(
    "viewport", [DESKTOP, PHONES[1]], ids=lambda v: f"{v['width']}x{v['height']}"
)
def test_pages_have_no_wcag_violations_when_checked_with_axe(
    server: str, login, page: Page, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    resident = Resident.objects.filter(lab__slug="milo-lab-lorenteggio").first()
    building = Building.objects.filter(district__labs__slug="milo-lab-lorenteggio").first()
    assert resident is not None
    assert building is not None
    axe = Axe()
    found: list[str] = []

    for path in PUBLIC_PAGES:
        found += _violations(axe, page, f"{server}{path}")
    login("coord.lorenteggio")
    for path in [
        "/backoffice/",
        "/backoffice/residents/",
        f"/backoffice/residents/{resident.pk}/",
        f"/backoffice/buildings/{building.pk}/",
    ]:
        found += _violations(axe, page, f"{server}{path}")

    assert not found, "axe-core found WCAG 2.1 A/AA violations:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "viewport", [DESKTOP, *PHONES], ids=lambda v: f"{v['width']}x{v['height']}"
)
def test_report_pages_have_no_wcag_violations_when_checked_with_axe(
    server: str, login, page: Page, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    ids = report_page_ids()
    axe = Axe()
    found: list[str] = []

    for path in PUBLIC_REPORT_PAGES:
        found += _violations(axe, page, f"{server}{path.format(**ids)}")
    login("coord.lorenteggio")
    for path in STAFF_REPORT_PAGES:
        found += _violations(axe, page, f"{server}{path.format(**ids)}")

    assert not found, "axe-core found WCAG 2.1 A/AA violations:\n" + "\n".join(found)


def test_skip_link_moves_focus_to_main_content_when_first_tab_then_enter(
    server: str, login, page: Page
) -> None:
    login("coord.lorenteggio")
    for path in ["/", "/backoffice/residents/"]:
        page.goto(f"{server}{path}")

        page.keyboard.press("Tab")

        skip = page.get_by_test_id("skip-link")
        expect(skip).to_be_focused()
        expect(skip).to_be_visible()  # visually hidden until focused
        page.keyboard.press("Enter")
        expect(page.locator("#main-content")).to_be_focused()
        assert page.evaluate("() => location.hash") == "#main-content"
