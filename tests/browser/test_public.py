"""The public portal and the static files every page depends on."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from quartiere.accounts.models import Lab

pytestmark = pytest.mark.browser

STATIC = [
    "/static/css/bootstrap-italia.min.css",
    "/static/js/bootstrap-italia.bundle.min.js",
    "/static/quartiere/css/quartiere.css",
    "/static/quartiere/css/fonts.css",
    "/static/xstatic/leaflet/leaflet.js",
]


def test_home_lists_labs_with_styles_and_fonts_when_visitor_opens_portal(
    server: str, page: Page
) -> None:
    for path in STATIC:
        assert page.request.get(f"{server}{path}").status == 200, path

    labs = list(Lab.objects.order_by("name"))
    assert labs

    page.goto(f"{server}/")

    for lab in labs:
        expect(page.get_by_role("link", name=lab.name)).to_be_visible()
    # Bootstrap Italia's stylesheet applies (the header band is its primary blue) ...
    header = page.locator(".it-header-center-wrapper")
    expect(header).to_have_css("background-color", "rgb(0, 102, 204)")
    # ... and its typeface loads from our own static files (no inline <style> under the CSP).
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check(\"16px 'Titillium Web'\")")
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"
    )
    assert any("Titillium Web" in family for family in loaded), loaded

    page.get_by_role("link", name=labs[0].name).click()
    expect(page).to_have_url(f"{server}/laboratori/{labs[0].slug}/")
