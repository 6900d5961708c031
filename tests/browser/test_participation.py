"""Participatory design end to end: a verified resident supports a proposal; the process page
passes axe (WCAG 2.1 A/AA) and fits a 360 px phone.

The tiny demo seeds the "Cortili di via Segneri" process in Lorenteggio with its supports phase
open today, and links ``residente.lorenteggio`` to a verified resident of Lorenteggio.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import translation
from playwright.sync_api import Page, expect

from quartiere.participation.enums import ProposalStatus
from quartiere.participation.models import Proposal, Support

from .conftest import DESKTOP, PHONES

pytestmark = pytest.mark.browser

PROCESS = "cortili-via-segneri"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def _count_label(n: int) -> str:
    with translation.override("it"):
        return translation.ngettext("%(n)s support", "%(n)s supports", n) % {"n": n}


def test_verified_resident_supports_a_proposal_from_the_process_page(
    server: str, login, page: Page
) -> None:
    proposal = (
        Proposal.objects.filter(process__slug=PROCESS, status=ProposalStatus.PUBLISHED)
        .order_by("pk")
        .first()
    )
    assert proposal is not None
    before = Support.objects.filter(proposal=proposal).count()
    login("residente.lorenteggio")

    page.goto(f"{server}/partecipazione/{PROCESS}/")
    expect(page.get_by_test_id("current-phase")).to_be_visible()
    page.get_by_role("link", name=proposal.title).first.click()
    page.get_by_test_id("support").click()

    expect(page.get_by_test_id("you-support")).to_be_visible()
    expect(page.get_by_test_id("support-box").get_by_test_id("support-count")).to_have_text(
        _count_label(before + 1)
    )
    assert Support.objects.filter(proposal=proposal).count() == before + 1

    page.get_by_test_id("withdraw").click()
    expect(page.get_by_test_id("support")).to_be_visible()
    assert Support.objects.filter(proposal=proposal).count() == before


@pytest.mark.parametrize(
    "viewport", [DESKTOP, PHONES[1]], ids=lambda v: f"{v['width']}x{v['height']}"
)
def test_process_pages_pass_axe_and_fit_the_phone(
    server: str, page: Page, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    proposal = Proposal.objects.filter(process__slug="giambellino-129").order_by("pk").first()
    assert proposal is not None
    axe = Axe()
    found = []
    for path in [
        "/partecipazione/",
        f"/partecipazione/{PROCESS}/",
        "/partecipazione/giambellino-129/",
        f"/partecipazione/giambellino-129/proposte/{proposal.pk}/",
    ]:
        page.goto(f"{server}{path}")
        page.wait_for_load_state("load")
        widths = page.evaluate(
            "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
        )
        assert widths["scroll"] <= widths["inner"], f"{path} overflows sideways: {widths}"
        results = axe.run(page, options=AXE_OPTIONS)
        found += [
            f"{path} [{viewport['width']}]: {v['id']} {v['help']} -> "
            + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
            for v in results.response["violations"]
        ]
    assert not found, "axe-core found WCAG 2.1 A/AA violations:\n" + "\n".join(found)
