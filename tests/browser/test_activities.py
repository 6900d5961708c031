"""Activities end to end: a resident registers from the public page, the operator keeps the
register on a phone-sized tablet at the door, and axe finds no WCAG 2.1 A/AA violation on the
calendar and register pages.

The rows a test needs (an activity with a free place, a session today) are made at the start
of the test through the services, so the demo's exact programme does not matter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from quartiere.accounts.models import Lab, User
from quartiere.activities import services
from quartiere.activities.enums import ActivityKind, RegistrationChannel, RegistrationStatus
from quartiere.activities.models import Activity, ActivitySession, Registration
from quartiere.people.models import Resident

from .conftest import DESKTOP, PHONES

pytestmark = pytest.mark.browser

LAB = "milo-lab-lorenteggio"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def _activity(*, starts_at: dt.datetime, capacity: int | None = 10) -> Activity:
    lab = Lab.objects.get(slug=LAB)
    actor = User.objects.get(username="operatore.lorenteggio")
    activity = services.activity_create(
        actor=actor,
        lab=lab,
        title_it="Laboratorio di maglia",
        title_en="Knitting workshop",
        description_it="Ferri e lana li porta il laboratorio.",
        kind=ActivityKind.WORKSHOP,
        capacity=capacity,
    )
    services.activity_sessions_schedule(
        actor=actor, activity=activity, first_start=starts_at, duration=dt.timedelta(hours=2)
    )
    return services.activity_publish(actor=actor, activity=activity)


def _no_overflow(page: Page) -> None:
    sizes = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert sizes["scroll"] <= sizes["inner"], sizes


def test_resident_registers_from_public_activity_page(
    server: str, login: Callable[[str], Page], page: Page
) -> None:
    activity = _activity(starts_at=timezone.now() + dt.timedelta(days=5))
    resident = Resident.objects.get(user__username="residente.lorenteggio")
    login("residente.lorenteggio")

    page.goto(f"{server}{activity.get_absolute_url()}")
    page.get_by_test_id("register").click()

    expect(page.get_by_test_id("my-registration")).to_be_visible()
    registration = Registration.objects.get(activity=activity, resident=resident)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.channel == RegistrationChannel.PORTAL


def test_operator_marks_attendance_on_the_register_at_phone_width(
    server: str, login: Callable[[str], Page], page: Page
) -> None:
    activity = _activity(starts_at=timezone.now() - dt.timedelta(minutes=5))
    lab = Lab.objects.get(slug=LAB)
    resident = Resident.objects.filter(lab=lab).order_by("pk").first()
    assert resident is not None
    services.registration_create(
        actor=None, activity=activity, channel=RegistrationChannel.DESK, resident=resident
    )
    session = ActivitySession.objects.get(activity=activity)
    page.set_viewport_size({"width": 390, "height": 844})
    login("operatore.lorenteggio")

    page.goto(f"{server}/backoffice/activities/sessions/{session.pk}/register/")
    button = page.get_by_test_id("mark-present").first
    box = button.bounding_box()
    assert box is not None
    assert box["height"] >= 44, box
    assert box["width"] >= 44, box
    _no_overflow(page)
    button.click()

    expect(page.get_by_test_id("mark-absent").first).to_be_visible()
    page.get_by_test_id("walk-in-form").get_by_role("textbox").fill("Ospite Di Passaggio")
    page.get_by_test_id("walk-in-form").get_by_role("button").click()
    expect(page.get_by_test_id("register-line")).to_have_count(2)
    assert session.attendances.filter(is_present=True).count() == 2
    _no_overflow(page)


@pytest.mark.parametrize(
    "viewport", [DESKTOP, PHONES[1]], ids=lambda v: f"{v['width']}x{v['height']}"
)
def test_activity_pages_have_no_wcag_violations_when_checked_with_axe(
    server: str, login: Callable[[str], Page], page: Page, viewport: dict[str, int]
) -> None:
    activity = _activity(starts_at=timezone.now() - dt.timedelta(minutes=5))
    session = ActivitySession.objects.get(activity=activity)
    today = timezone.localdate()
    page.set_viewport_size(viewport)
    axe = Axe()
    found: list[str] = []

    def check(path: str) -> None:
        page.goto(f"{server}{path}")
        page.wait_for_load_state("load")
        _no_overflow(page)
        results = axe.run(page, options=AXE_OPTIONS)
        found.extend(
            f"{path} [{viewport['width']}]: {v['id']} ({v['impact']}) {v['help']} -> "
            + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
            for v in results.response["violations"]
        )

    check("/attivita/")
    check(f"/attivita/mese/{today.year}/{today.month}/")
    check(activity.get_absolute_url())
    login("coord.lorenteggio")
    check("/backoffice/activities/")
    check(f"/backoffice/activities/{activity.pk}/")
    check(f"/backoffice/activities/{activity.pk}/registrations/")
    check(f"/backoffice/activities/sessions/{session.pk}/register/")
    check("/backoffice/activities/figures/")

    assert not found, "axe-core found WCAG 2.1 A/AA violations:\n" + "\n".join(found)
