"""Allowance payment batches end to end: a Region official approves the batch a coordinator
built (four-eyes), the coordinator exports the SEPA file once and downloads it; the batch pages
pass axe (WCAG 2.1 A/AA) and fit a 360 px phone.

The tiny demo seeds batches in every state for the Lorenteggio measure (see
``training/seeds_payments.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from quartiere.training.models import PaymentBatch
from quartiere.training.payments_enums import PaymentBatchState

from .conftest import DESKTOP, PHONES

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
LAB = "milo-lab-lorenteggio"


def _batch(state: str) -> PaymentBatch:
    batch = PaymentBatch.objects.filter(lab__slug=LAB, state=state).order_by("pk").first()
    assert batch is not None, state
    return batch


def test_region_approves_then_coordinator_exports_and_downloads(
    server: str, login, page: Page
) -> None:
    batch = _batch(PaymentBatchState.FROZEN)
    detail = f"{server}/backoffice/training/payments/{batch.pk}/"

    login("coord.lorenteggio")
    page.goto(detail)
    expect(page.get_by_test_id("four-eyes")).to_be_visible()
    expect(page.get_by_test_id("approve-form")).to_have_count(0)

    page.context.clear_cookies()
    login("regione")
    page.goto(detail)
    page.get_by_test_id("approve-form").get_by_role("button").click()
    expect(page.get_by_test_id("approve-form")).to_have_count(0)

    page.context.clear_cookies()
    login("coord.lorenteggio")
    page.goto(detail)
    page.get_by_test_id("export-form").get_by_role("button").click()
    with page.expect_download() as download_info:
        page.get_by_test_id("sepa-download").click()
    content = Path(download_info.value.path()).read_bytes()

    batch.refresh_from_db()
    assert batch.state == PaymentBatchState.EXPORTED
    assert content == bytes(batch.sepa_file)


@pytest.mark.parametrize(
    "viewport", [DESKTOP, PHONES[1]], ids=lambda v: f"{v['width']}x{v['height']}"
)
def test_payment_pages_pass_axe_and_fit_the_phone(
    server: str, login, page: Page, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    exported = _batch(PaymentBatchState.EXPORTED)
    paths = [
        "/backoffice/training/payments/",
        f"/backoffice/training/payments/{exported.pk}/",
        f"/backoffice/training/payments/{_batch(PaymentBatchState.FROZEN).pk}/",
        f"/backoffice/training/payments/{_batch(PaymentBatchState.DRAFT).pk}/",
        f"/backoffice/training/payments/accounts/{exported.measure_id}/",
    ]
    login("coord.lorenteggio")
    axe = Axe()
    found = []
    for path in paths:
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
