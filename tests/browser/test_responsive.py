"""Phone viewports: nothing scrolls sideways and the back-office menu still works."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from quartiere.people.models import Resident
from quartiere.reports.models import Category

from .conftest import PHONES, PUBLIC_REPORT_PAGES, STAFF_REPORT_PAGES, report_page_ids

pytestmark = pytest.mark.browser

NAV = ["nav-dashboard", "nav-residents", "nav-households", "nav-buildings", "nav-imports"]


def _assert_no_horizontal_overflow(page: Page) -> None:
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"], f"{page.url} overflows sideways: {widths}"


@pytest.mark.parametrize("viewport", PHONES, ids=lambda v: f"{v['width']}x{v['height']}")
def test_backoffice_fits_phone_width_when_viewed_on_a_phone(
    server: str, login, page: Page, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    login("coord.lorenteggio")

    page.goto(f"{server}/backoffice/")
    _assert_no_horizontal_overflow(page)
    for testid in NAV:
        link = page.get_by_test_id(testid)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box is not None
        assert box["x"] >= 0, testid
        assert box["x"] + box["width"] <= viewport["width"], testid
        assert box["height"] >= 24, f"{testid} is too small to tap: {box}"

    page.get_by_test_id("nav-residents").click()
    expect(page).to_have_url(f"{server}/backoffice/residents/")
    expect(page.get_by_test_id("resident-row").first).to_be_visible()
    _assert_no_horizontal_overflow(page)
    page.locator("#id_q").fill("a")
    page.locator("#id_q").press("Enter")
    expect(page.get_by_test_id("resident-row").first).to_be_visible()
    _assert_no_horizontal_overflow(page)


@pytest.mark.parametrize("viewport", PHONES, ids=lambda v: f"{v['width']}x{v['height']}")
def test_report_pages_fit_phone_width_when_viewed_on_a_phone(
    server: str, login, page: Page, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    ids = report_page_ids()
    resident = Resident.objects.filter(lab__slug="milo-lab-lorenteggio").first()
    category = Category.objects.filter(lab__slug="milo-lab-lorenteggio").first()
    assert resident is not None
    assert category is not None
    # Tables whose last column holds text for screen readers only, which once widened the page.
    more_staff_pages = [
        f"/backoffice/reports/new/?q={resident.last_name}",
        f"/backoffice/reports/categories/{category.pk}/",
    ]

    for path in PUBLIC_REPORT_PAGES:
        page.goto(f"{server}{path.format(**ids)}")
        _assert_no_horizontal_overflow(page)
    login("coord.lorenteggio")
    for path in [*STAFF_REPORT_PAGES, *more_staff_pages]:
        page.goto(f"{server}{path.format(**ids)}")
        _assert_no_horizontal_overflow(page)
