"""The regeneration programme in the back office: edit an action, a refused import, axe, 360 px."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import FilePayload, Page, expect

from quartiere.programme.models import Action, Milestone

from .conftest import DESKTOP, PHONES

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def _giambellino() -> Action:
    return Action.objects.select_related("programme").get(
        programme__slug="lorenteggio", key="giambellino-129"
    )


def _pages(action: Action) -> list[str]:
    p = action.programme.pk
    return [
        f"/backoffice/programme/{p}/",
        f"/backoffice/programme/actions/{action.pk}/",
        f"/backoffice/programme/actions/{action.pk}/history/",
        f"/backoffice/programme/actions/{action.pk}/milestones/new/",
        f"/backoffice/programme/{p}/news/",
        f"/backoffice/programme/{p}/documents/",
        f"/backoffice/programme/{p}/import/",
        f"/backoffice/programme/{p}/edit/",
        "/backoffice/programme/sources/",
        "/opendata/",
    ]


def test_operator_adds_a_milestone_and_sees_an_import_refused(
    server: str, login, page: Page
) -> None:
    action = _giambellino()
    login("operatore.lorenteggio")
    page.goto(f"{server}/backoffice/")
    page.get_by_test_id("nav-programme").click()
    page.get_by_role("link", name=action.title_it).click()
    page.get_by_test_id("milestone-create").click()
    page.locator("#id_title_it").fill("Festa per il primo anno del parco")
    page.locator("#id_planned_on").fill("2018-01-01")
    page.locator("#id_weight").fill("1")
    page.get_by_test_id("save").click()
    # Before the action starts: refused with the reason, nothing saved.
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    assert not Milestone.objects.filter(title_it__startswith="Festa per il primo").exists()
    page.locator("#id_planned_on").fill("2025-06-15")
    page.get_by_test_id("save").click()
    expect(
        page.get_by_test_id("milestone-row").filter(has_text="Festa per il primo")
    ).to_be_visible()
    expect(page.get_by_test_id("last-updated")).to_contain_text("Marco Ricci")

    page.goto(f"{server}/backoffice/programme/{action.programme.pk}/import/")
    page.locator("#id_kind").select_option("allocations")
    page.locator("#id_file").set_input_files(
        FilePayload(
            name="fondi.csv",
            mimeType="text/csv",
            buffer=b"action,source,amount\ngiambellino-129,POR FXX,1000\n",
        )
    )
    page.get_by_test_id("import-submit").click()
    expect(page.get_by_test_id("import-error")).to_contain_text("POR FXX")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONES[1]], ids=lambda v: f"{v['width']}")
def test_programme_pages_pass_axe_and_fit_the_width(
    server: str, login, page: Page, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    action = _giambellino()
    login("coord.lorenteggio")
    axe = Axe()
    found: list[str] = []
    for path in _pages(action):
        page.goto(f"{server}{path}")
        page.wait_for_load_state("load")
        widths = page.evaluate(
            "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
        )
        assert widths["scroll"] <= widths["inner"], f"{path} overflows sideways: {widths}"
        results = axe.run(page, options=AXE_OPTIONS)
        found += [
            f"{path}: {v['id']} {v['help']} -> "
            + "; ".join(" ".join(n["target"]) for n in v["nodes"][:3])
            for v in results.response["violations"]
        ]
    assert not found, "axe-core found violations:\n" + "\n".join(found)
