"""Relocation end to end: the task force's board, solving, an offer and its acceptance; every
relocation page checked with axe-core and at 360 px."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import translation
from playwright.sync_api import Page, expect

from quartiere.relocation.enums import OfferStatus
from quartiere.relocation.models import Offer, PlanVersion, RelocationNeed, RelocationPlan

from .conftest import DESKTOP, PHONES

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def _plan() -> RelocationPlan:
    return RelocationPlan.objects.get(name="Via Lorenteggio 181")


def _pages(plan: RelocationPlan) -> list[str]:
    need = RelocationNeed.objects.filter(plan=plan).order_by("pk").first()
    version = PlanVersion.objects.filter(plan=plan).order_by("-number").first()
    offer = Offer.objects.filter(need__plan=plan).order_by("pk").first()
    assert need is not None
    assert version is not None
    assert offer is not None
    base = "/backoffice/relocation"
    return [
        f"{base}/",
        f"{base}/{plan.pk}/",
        f"{base}/{plan.pk}/edit/",
        f"{base}/{plan.pk}/phases/new/",
        f"{base}/{plan.pk}/needs/new/",
        f"{base}/needs/{need.pk}/",
        f"{base}/{plan.pk}/pool/",
        f"{base}/{plan.pk}/rules/",
        f"{base}/{plan.pk}/versions/",
        f"{base}/versions/{version.pk}/",
        f"{base}/{plan.pk}/compare/",
        f"{base}/{plan.pk}/offers/",
        f"{base}/offers/{offer.pk}/",
        f"{base}/{plan.pk}/moves/",
        f"{base}/{plan.pk}/map/",
    ]


def test_coordinator_solves_offers_and_records_acceptance_when_working_the_board(
    server: str, login, page: Page
) -> None:
    login("coord.lorenteggio")
    plan = _plan()
    versions_before = PlanVersion.objects.filter(plan=plan).count()

    page.goto(f"{server}/backoffice/")
    page.get_by_test_id("nav-relocation").click()
    page.get_by_role("link", name=plan.name).click()
    expect(page.get_by_test_id("board-columns")).to_be_visible()
    expect(page.get_by_test_id("need-row").first).to_be_visible()
    page.get_by_test_id("tab-versions").click()
    page.get_by_test_id("solve").click()

    expect(page.get_by_test_id("matched-count")).to_be_visible()
    assert PlanVersion.objects.filter(plan=plan).count() == versions_before + 1
    page.get_by_test_id("make-offer").first.click()
    expect(page.get_by_test_id("offer-letter")).to_be_visible()
    page.get_by_test_id("offer-accept").click()

    with translation.override("it"):
        accepted = str(OfferStatus.ACCEPTED.label)
    expect(page.get_by_test_id("offer-status")).to_contain_text(accepted)
    offer = Offer.objects.filter(need__plan=plan).order_by("-pk").first()
    assert offer is not None
    assert offer.status == OfferStatus.ACCEPTED


def test_coordinator_changes_solver_weights_when_editing_the_plan(
    server: str, login, page: Page
) -> None:
    login("coord.lorenteggio")
    plan = _plan()

    page.goto(f"{server}/backoffice/relocation/{plan.pk}/")
    page.get_by_test_id("plan-edit").click()
    page.locator("#id_weight_preference").fill("6")
    page.locator("#id_refusals_allowed").fill("3")
    page.get_by_test_id("save-plan").click()

    expect(page.get_by_test_id("board-columns")).to_be_visible()
    plan.refresh_from_db()
    assert plan.weights["preference"] == 6.0
    assert plan.refusals_allowed == 3


@pytest.mark.parametrize(
    "viewport", [DESKTOP, PHONES[1]], ids=lambda v: f"{v['width']}x{v['height']}"
)
def test_relocation_pages_have_no_wcag_violations_and_fit_when_checked(
    server: str, login, page: Page, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    login("coord.lorenteggio")
    axe = Axe()
    found: list[str] = []
    overflow: list[str] = []

    for path in _pages(_plan()):
        page.goto(f"{server}{path}")
        page.wait_for_load_state("load")
        results = axe.run(page, options=AXE_OPTIONS)
        found += [
            f"{path} [{viewport['width']}]: {v['id']} ({v['impact']}) {v['help']} -> "
            + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
            for v in results.response["violations"]
        ]
        widths = page.evaluate(
            "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
        )
        if widths["scroll"] > widths["inner"]:
            overflow.append(f"{path}: {widths}")

    assert not found, "axe-core found WCAG 2.1 A/AA violations:\n" + "\n".join(found)
    assert not overflow, "pages overflow sideways:\n" + "\n".join(overflow)
