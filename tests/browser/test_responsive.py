"""Phone viewports: nothing scrolls sideways and the back-office menu still works."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import PHONES

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
