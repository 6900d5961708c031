"""Buildings: list -> building -> stair -> unit, and the map with its list alternative."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from quartiere.accounts.models import Lab
from quartiere.territory.models import Building, Entrance

pytestmark = pytest.mark.browser


def test_unit_page_opens_when_going_from_buildings_list_through_a_stair(
    server: str, login, page: Page
) -> None:
    lab = Lab.objects.get(slug="milo-lab-lorenteggio")
    building = (
        Building.objects.filter(district=lab.district, entrances__units__isnull=False)
        .order_by("pk")
        .first()
    )
    assert building is not None
    stair = Entrance.objects.filter(building=building, units__isnull=False).order_by("pk").last()
    assert stair is not None
    unit = stair.units.order_by("pk").first()
    login("coord.lorenteggio")

    page.goto(f"{server}/backoffice/")
    page.get_by_test_id("nav-buildings").click()
    expect(page).to_have_url(f"{server}/backoffice/buildings/")
    page.get_by_role("link", name=building.address, exact=True).click()
    expect(page).to_have_url(f"{server}/backoffice/buildings/{building.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(building.address)

    page.get_by_test_id("stair-tab").filter(
        has_text=re.compile(rf"^{re.escape(stair.name)} \(")
    ).click()
    expect(page).to_have_url(f"{server}/backoffice/buildings/{building.pk}/?stair={stair.pk}")
    rows = page.get_by_test_id("unit-row")
    expect(rows).to_have_count(stair.units.count())
    for row in rows.all():
        expect(row.locator("td").nth(1)).to_have_text(stair.name)

    rows.get_by_role("link", name=unit.code, exact=True).click()
    expect(page).to_have_url(f"{server}/backoffice/units/{unit.pk}/")
    expect(page.get_by_test_id("unit-title")).to_contain_text(unit.code)
    expect(page.locator(".breadcrumb")).to_contain_text(building.address)


def test_map_page_shows_buildings_when_leaflet_loads_under_csp(
    server: str, login, page: Page
) -> None:
    lab = Lab.objects.get(slug="milo-lab-lorenteggio")
    with_coordinates = Building.objects.filter(
        district=lab.district, latitude__isnull=False, longitude__isnull=False
    ).count()
    assert with_coordinates
    login("coord.lorenteggio")

    page.goto(f"{server}/backoffice/buildings/map/")

    expect(page.locator("#map.leaflet-container")).to_be_visible()
    assert page.evaluate("typeof window.L") == "object"
    expect(page.locator("#map path.leaflet-interactive")).to_have_count(with_coordinates)
    link = page.get_by_test_id("map-list-link")
    expect(link).to_have_attribute("href", "/backoffice/buildings/")
    # A marker opens a popup that links to the building.
    page.locator("#map path.leaflet-interactive").first.click()
    expect(page.locator(".leaflet-popup-content a")).to_have_attribute(
        "href", re.compile(r"^/backoffice/buildings/\d+/$")
    )
    # Every console error so far was an unreachable tile (checked by the page fixture).
    link.click()
    expect(page).to_have_url(f"{server}/backoffice/buildings/")
