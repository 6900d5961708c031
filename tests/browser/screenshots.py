"""Screenshots of the main pages, desktop and 360 px wide, for a look by eye (not a test).

Run against a server holding the demo (for example `make run`):

    .venv/bin/python -m tests.browser.screenshots --base http://127.0.0.1:8000

PNG files go to var/screenshots/; pages that scroll sideways are listed on standard output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, DESKTOP, OSM_TILE

VIEWPORTS = {"desktop": DESKTOP, "phone360": {"width": 360, "height": 740}}
PUBLIC = {
    "home": "/",
    "login": "/accounts/login/",
    "accessibility": "/accessibilita/",
    "reports-public": "/segnalazioni/",
    "reports-public-map": "/segnalazioni/mappa/",
    "report-public-new": "/segnalazioni/nuova/",
    "report-track-lookup": "/segnalazioni/traccia/",
    "report-track": "/segnalazioni/traccia/{tracking_code}/",
}
STAFF = {
    "dashboard": "/backoffice/",
    "residents": "/backoffice/residents/",
    "resident": "/backoffice/residents/{resident}/",
    "buildings": "/backoffice/buildings/",
    "building": "/backoffice/buildings/{building}/",
    "unit": "/backoffice/units/{unit}/",
    "map": "/backoffice/buildings/map/",
    "imports": "/backoffice/imports/",
    "audit": "/backoffice/audit/",
    "reports": "/backoffice/reports/",
    "report": "/backoffice/reports/{report}/",
    "report-new": "/backoffice/reports/new/",
    "report-figures": "/backoffice/reports/figures/",
    "report-outbox": "/backoffice/reports/outbox/",
    "report-categories": "/backoffice/reports/categories/",
    "report-settings": "/backoffice/reports/settings/",
}


def _first_id(page: Page, url: str, selector: str) -> str:
    page.goto(url)
    href = page.locator(selector).first.get_attribute("href") or ""
    return href.rstrip("/").rsplit("/", 1)[-1]


def _log_in(page: Page, base: str, user: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/backoffice/")


def _collect_ids(page: Page, base: str) -> dict[str, str]:
    """Ids of a resident, building, unit and report, and a tracking code, from the lists."""
    ids = {
        "resident": _first_id(
            page, f"{base}/backoffice/residents/", "[data-testid=resident-row] a"
        ),
        "building": _first_id(page, f"{base}/backoffice/buildings/", "td a"),
        "report": _first_id(page, f"{base}/backoffice/reports/", "[data-testid=report-row] th a"),
    }
    ids["tracking_code"] = page.locator("[data-testid=report-row] th a").first.inner_text().strip()
    ids["unit"] = _first_id(
        page, f"{base}/backoffice/buildings/{ids['building']}/", "[data-testid=unit-row] a"
    )
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="coord.lorenteggio")
    parser.add_argument("--out", type=Path, default=Path("var/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    base = args.base.rstrip("/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="it-IT")
        page = context.new_page()
        _log_in(page, base, args.user)
        ids = _collect_ids(page, base)  # the public tracking page needs a code too
        context.close()
        for label, viewport in VIEWPORTS.items():
            for pages, user in ((PUBLIC, None), (STAFF, args.user)):
                context = browser.new_context(viewport=viewport, locale="it-IT")
                page = context.new_page()
                page.route(OSM_TILE, lambda route: route.abort())
                if user:
                    _log_in(page, base, user)
                for name, path in pages.items():
                    page.goto(base + path.format(**ids))
                    page.evaluate("document.fonts.ready")
                    width = page.evaluate("document.documentElement.scrollWidth")
                    if width > viewport["width"]:
                        sys.stdout.write(f"{name} ({label}) scrolls sideways: {width}px\n")
                    page.screenshot(path=args.out / f"{name}-{label}.png", full_page=True)
                context.close()
        browser.close()
    sys.stdout.write(f"Screenshots in {args.out}/\n")


if __name__ == "__main__":
    main()
