"""End-to-end tests in Debian's Chromium against pytest-django's live server.

Every test gets the tiny demo district, committed to the test database (the live server runs
in another thread) and put back from a snapshot before each test. Every page a test opens
fails the test on a browser console error or an uncaught page error: that is how a Content
Security Policy violation or a missing static file shows up. The only tolerated errors are
OpenStreetMap tiles that cannot load, because the tests have no network.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import Client
from playwright.sync_api import ConsoleMessage, Error, Page
from pytest_django.live_server_helper import LiveServer

from quartiere.core.testing import TableSnapshot

# The live server runs in a thread; Playwright's sync API runs an event loop in this one.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "quartiere-demo"  # published demo credential, synthetic data only
DESKTOP = {"width": 1280, "height": 900}
PHONES = [{"width": 390, "height": 844}, {"width": 360, "height": 740}]

# Report pages checked by axe and at phone width; {resolved} and {forwarded} from report_page_ids.
PUBLIC_REPORT_PAGES = [
    "/segnalazioni/",
    "/segnalazioni/mappa/",
    "/segnalazioni/nuova/",
    "/segnalazioni/traccia/",
    "/segnalazioni/traccia/{resolved}/",
]
STAFF_REPORT_PAGES = [
    "/backoffice/reports/",
    "/backoffice/reports/{forwarded}/",
    "/backoffice/reports/new/",
    "/backoffice/reports/figures/",
    "/backoffice/reports/outbox/",
    "/backoffice/reports/categories/",
]

# An OpenStreetMap tile, exactly as building_map.js asks for it: {s}.tile.osm.org/{z}/{x}/{y}.png
OSM_TILE = re.compile(r"^https://[abc]\.tile\.openstreetmap\.org/\d+/\d+/\d+\.png$")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": DESKTOP, "locale": "it-IT"}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Seeded users get a cheap hash (production keeps Django's default hasher)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


_DEMO: dict[str, TableSnapshot] = {}


@pytest.fixture
def demo(
    django_db_blocker: Any, migrated_snapshot: TableSnapshot, _fast_password_hashing: None
) -> Iterator[None]:
    """The tiny demo district, committed so the live server's thread sees it.

    Each worker seeds it once and keeps a snapshot of its rows; every test then starts from
    that snapshot, whatever the previous test wrote, and leaves the database as the
    migrations left it for the tests that follow.
    """
    with django_db_blocker.unblock():
        if "demo" in _DEMO:
            _DEMO["demo"].restore()
        else:
            migrated_snapshot.restore()
            call_command("seed_demo", scale="tiny", seed=1, stdout=io.StringIO())
            _DEMO["demo"] = TableSnapshot.take()
        try:
            yield
        finally:
            migrated_snapshot.restore()
            # Playwright's event loop can hand Django a second, context-local connection:
            # close what this test opened so the test database can be dropped at the end.
            connections.close_all()


@pytest.fixture(scope="session")
def demo_live_server(django_db_setup: None, django_db_blocker: Any) -> Iterator[LiveServer]:
    """pytest-django's live server, under another name: a test asking for ``live_server``
    gets a flushed transactional database, which ``demo`` makes unnecessary."""
    address = os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    with django_db_blocker.unblock():
        live = LiveServer(address)
    yield live
    live.stop()


@pytest.fixture
def server(demo: None, demo_live_server: LiveServer) -> Iterator[str]:
    """Base URL of a live server holding the tiny demo."""
    with demo_live_server._live_server_modified_settings:
        yield str(demo_live_server.url)


class BrowserErrors:
    """Console errors and uncaught exceptions seen by a page, minus unreachable map tiles
    and the error statuses a test announced with ``expect_status``."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.ignored: list[str] = []
        self.expected: set[tuple[str, int]] = set()

    def expect_status(self, url: str, status: int) -> None:
        """Tolerate the console's report of ``url`` answering ``status`` (a 404 page, say)."""
        self.expected.add((url, status))

    def on_console(self, msg: ConsoleMessage) -> None:
        if msg.type != "error":
            return
        url = (msg.location or {}).get("url", "")
        if msg.text.startswith("Failed to load resource") and OSM_TILE.match(url):
            self.ignored.append(url)
            return
        for expected_url, status in self.expected:
            if url == expected_url and msg.text.startswith(
                f"Failed to load resource: the server responded with a status of {status} "
            ):
                self.ignored.append(url)
                return
        self.errors.append(f"console error: {msg.text} ({url})")

    def on_pageerror(self, exc: Error) -> None:
        self.errors.append(f"page error: {exc}")


@pytest.fixture
def page(page: Page) -> Iterator[Page]:
    """pytest-playwright's page, failing the test on any console error or page error.

    Requests to OpenStreetMap's tile servers are aborted at once (the network is closed
    anyway; this keeps the map page from waiting on DNS), and only those failures are ignored.
    """
    seen = BrowserErrors()
    page.on("console", seen.on_console)
    page.on("pageerror", seen.on_pageerror)
    page.route(OSM_TILE, lambda route: route.abort())
    page.set_default_timeout(10_000)
    page.browser_errors = seen  # type: ignore[attr-defined]
    yield page
    assert not seen.errors, "The browser reported errors:\n" + "\n".join(seen.errors)


@pytest.fixture
def login(server: str, page: Page) -> Callable[[str], Page]:
    """Return ``login(username)``: log a demo user in (a session cookie, no form) on ``page``."""
    from quartiere.accounts.models import User

    def log_in(username: str) -> Page:
        client = Client()
        client.force_login(
            User.objects.get(username=username),
            backend="quartiere.accounts.backends.CachedModelBackend",
        )
        cookie = client.cookies["sessionid"]
        page.context.add_cookies(
            [{"name": "sessionid", "value": cookie.value, "url": server, "httpOnly": True}]
        )
        return page

    return log_in


def report_page_ids() -> dict[str, object]:
    """A resolved report (its tracking page offers reopening) and a forwarded one (with steps)."""
    from quartiere.reports.enums import ReportStatus
    from quartiere.reports.models import Report

    lab = "milo-lab-lorenteggio"
    reports = Report.objects.filter(lab__slug=lab).order_by("-submitted_at", "-pk")
    resolved = reports.filter(status=ReportStatus.RESOLVED).first()
    forwarded = reports.filter(status=ReportStatus.FORWARDED).first()
    assert resolved is not None
    assert forwarded is not None
    return {"resolved": resolved.tracking_code, "forwarded": forwarded.pk}
