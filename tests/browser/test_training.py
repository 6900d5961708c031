"""Training end to end: the accredited operator fills a session's attendance register and
submits it; the operator's responsible validates it, which locks it. The coordinator's and the
resident's pages pass axe (WCAG 2.1 A/AA) and fit a 360 px phone.

The tiny demo seeds the Lorenteggio measure with running paths, registers and participants;
the test adds a session held yesterday so its register is still to be filled.
"""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from quartiere.accounts.models import User
from quartiere.training.enums import PathStatus, RegisterStatus
from quartiere.training.models import AttendanceRegister, Enrolment, TrainingPath
from quartiere.training.services import measures as measure_services
from quartiere.training.services.registers import expected_enrolments

from .conftest import DESKTOP, PHONES

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def _status(value: str) -> str:
    with translation.override("it"):
        return str(RegisterStatus(value).label)


def _yesterdays_session() -> tuple[TrainingPath, object]:
    path = (
        TrainingPath.objects.filter(lab__slug="milo-lab-lorenteggio", status=PathStatus.RUNNING)
        .order_by("pk")
        .first()
    )
    assert path is not None, "the tiny demo has no running path in Lorenteggio"
    day = timezone.localdate() - dt.timedelta(days=1)
    tz = timezone.get_current_timezone()
    session = measure_services.training_session_add(
        actor=None,
        path=path,
        starts_at=dt.datetime.combine(day, dt.time(7, 0), tzinfo=tz),
        ends_at=dt.datetime.combine(day, dt.time(8, 0), tzinfo=tz),
    )
    assert expected_enrolments(session), "nobody is enrolled on the path yesterday"
    return path, session


def test_operator_fills_register_and_responsible_validates_it(
    server: str, login, page: Page
) -> None:
    path, session = _yesterdays_session()
    login("formatore.lorenteggio")

    page.goto(f"{server}/backoffice/training/paths/{path.pk}/")
    page.get_by_test_id("register-open").first.click()
    expect(page.get_by_test_id("register-form")).to_be_visible()
    lines = page.get_by_test_id("register-line")
    for i in range(lines.count()):
        lines.nth(i).locator("input[name^='hours_']").fill("1")
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("register-status")).to_have_text(_status("submitted"))

    register = AttendanceRegister.objects.get(session=session)
    assert register.status == RegisterStatus.SUBMITTED
    assert register.records.count() == lines.count()

    page.context.clear_cookies()
    login("responsabile.formazione")
    page.goto(f"{server}/backoffice/training/registers/{register.pk}/")
    page.get_by_test_id("register-validate").click()
    expect(page.get_by_test_id("register-status")).to_have_text(_status("validated"))
    register.refresh_from_db()
    assert register.status == RegisterStatus.VALIDATED
    assert register.validated_by == User.objects.get(username="responsabile.formazione")
    assert all(r.is_validated for r in register.records.all())
    expect(page.get_by_test_id("register-form")).to_have_count(0)


@pytest.mark.parametrize(
    "viewport", [DESKTOP, PHONES[1]], ids=lambda v: f"{v['width']}x{v['height']}"
)
def test_training_pages_pass_axe_and_fit_the_phone(
    server: str, login, page: Page, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    enrolment = Enrolment.objects.filter(lab__slug="milo-lab-lorenteggio").order_by("pk").first()
    assert enrolment is not None
    register = (
        AttendanceRegister.objects.filter(lab__slug="milo-lab-lorenteggio", status="validated")
        .order_by("pk")
        .first()
    )
    assert register is not None
    pages = {
        "coord.lorenteggio": [
            "/backoffice/training/measures/",
            f"/backoffice/training/measures/{enrolment.measure_id}/",
            "/backoffice/training/paths/",
            f"/backoffice/training/paths/{enrolment.path_id}/",
            "/backoffice/training/enrolments/",
            f"/backoffice/training/enrolments/{enrolment.pk}/",
            "/backoffice/training/registers/",
            f"/backoffice/training/registers/{register.pk}/",
        ],
        "residente.lorenteggio": ["/backoffice/training/me/"],
    }
    axe = Axe()
    found = []
    for username, paths in pages.items():
        page.context.clear_cookies()
        login(username)
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
