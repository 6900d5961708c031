"""Reports (segnalazioni) end to end: the desk, the housing organisation, the public and the queue.

The data come from the tiny demo; the rows a test needs (a category handled by ALER, a
building with several stairs, reports waiting in the queue) are picked or made at the start of
the test, so the demo's exact reports do not matter. Texts shown in Italian are compared with
the translated labels, never typed in the test.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db.models import Count
from django.utils import timezone, translation
from playwright.sync_api import Browser, FilePayload, Page, expect

from quartiere.accounts.models import Lab, User
from quartiere.accounts.selectors import user_organisation_ids
from quartiere.people.models import Resident
from quartiere.reports import selectors, services
from quartiere.reports.enums import OPEN_STATUSES, ReportChannel, ReportStatus
from quartiere.reports.forms import DEFAULT_STATUSES
from quartiere.reports.models import Category, Report
from quartiere.territory.models import Building, Entrance

from .conftest import OSM_TILE, BrowserErrors

pytestmark = pytest.mark.browser

LAB = "milo-lab-lorenteggio"
TRACKING_CODE = re.compile(r"SG-[A-Z0-9]{4}-[A-Z0-9]{4}")


def _label(status: str) -> str:
    """The status as the Italian pages show it."""
    with translation.override("it"):
        return str(ReportStatus(status).label)


def _category(lab: Lab, **filters: Any) -> Category:
    """An active category of ``lab`` without required extra questions."""
    category = (
        Category.objects.filter(lab=lab, is_active=True, **filters)
        .exclude(attributes__is_required=True)
        .order_by("pk")
        .first()
    )
    assert category is not None, filters
    return category


def _building_with_stairs(lab: Lab, *, without_reports_of: Category | None = None) -> Building:
    """A building of the lab's district with at least two stairs that have units."""
    buildings = Building.objects.filter(district=lab.district).annotate(
        stairs=Count("entrances", distinct=True)
    )
    if without_reports_of is not None:  # no duplicate warning at the desk
        buildings = buildings.exclude(
            pk__in=Report.objects.filter(
                category=without_reports_of, status__in=OPEN_STATUSES
            ).values("building_id")
        )
    for building in buildings.filter(stairs__gte=2).order_by("pk"):
        if Entrance.objects.filter(building=building, units__isnull=False).distinct().count() >= 2:
            return building
    raise AssertionError("the demo has no building with two stairs of units")


def _submit(
    lab: Lab, *, days_ago: int = 0, description: str = "Luce spenta sulle scale."
) -> Report:
    """A report sent through the web channel ``days_ago`` days ago (then overdue if > 0)."""
    return services.report_submit(
        lab=lab,
        category=_category(lab),
        description=description,
        channel=ReportChannel.WEB,
        address_text="Cortile interno",
        contact_name="Persona di prova",
        contact_email="prova@example.org",
        submitted_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def _choose_and_continue(page: Page, select: str, value: str) -> None:
    """Choose in a desk list that re-draws the form: intake.js submits "continue" on change."""
    page.wait_for_load_state()  # intake.js listens once the page has loaded
    with page.expect_navigation():
        page.locator(select).select_option(value)


def _tick(page: Page, selector: str) -> None:
    """Tick a Bootstrap Italia checkbox or radio button where people click it.

    The input itself is transparent: its label draws the box over it (a label with hidden text
    only has no height of its own), so the click lands on the box drawn at the input's place.
    """
    box = page.locator(selector)
    box.scroll_into_view_if_needed()
    where = box.bounding_box()
    assert where is not None, selector
    page.mouse.click(where["x"] + where["width"] / 2, where["y"] + where["height"] / 2)
    expect(box).to_be_checked()


def _take_step(page: Page, key: str, fill: dict[str, str] | None = None) -> None:
    """Open a workflow step on the report page, fill its form and confirm it."""
    step = page.get_by_test_id(f"step-{key}")
    if step.get_attribute("open") is None:
        step.locator("summary").click()
    for selector, value in (fill or {}).items():
        step.locator(selector).fill(value)
    step.locator("button[type=submit]").click()


# --- a) The desk, the lab and the housing organisation --------------------------------------


def test_desk_report_is_resolved_by_housing_staff_when_operator_records_and_forwards_it(
    server: str, login, page: Page
) -> None:
    lab = Lab.objects.get(slug=LAB)
    aler = User.objects.get(username="aler.lorenteggio")
    category = _category(lab, responsible_organisation_id__in=user_organisation_ids(aler))
    resident = Resident.objects.filter(lab=lab).exclude(codice_fiscale="").exclude(email="").last()
    assert resident is not None
    building = _building_with_stairs(lab, without_reports_of=category)
    stair = Entrance.objects.filter(building=building, units__isnull=False).order_by("pk").last()
    assert stair is not None
    unit = stair.units.order_by("pk").last()
    assert unit is not None
    description = "Macchie di muffa sul soffitto del bagno da due settimane."
    login("operatore.lorenteggio")

    # Who: the resident, found by codice fiscale.
    page.goto(f"{server}/backoffice/reports/new/")
    page.locator("#id_q").fill(resident.codice_fiscale.lower())
    page.locator("#id_q").press("Enter")
    expect(page.get_by_test_id("choose-resident")).to_have_count(1)
    page.get_by_test_id("choose-resident").click()
    expect(page.get_by_test_id("chosen-resident")).to_contain_text(resident.codice_fiscale)
    # What: choosing the category re-draws the form with its questions.
    _choose_and_continue(page, "#id_category", str(category.pk))
    page.locator("#id_description").fill(description)
    # Where: building -> stair -> unit, each choice re-drawing the lists that follow.
    _choose_and_continue(page, "#id_building", str(building.pk))
    _choose_and_continue(page, "select#id_entrance", str(stair.pk))
    expect(page.locator("#id_unit option")).to_have_count(stair.units.count() + 1)
    expect(page.locator("#id_description")).to_have_value(description)
    page.locator("#id_unit").select_option(str(unit.pk))
    page.get_by_test_id("save-report").click()

    # The report page (the browser keeps the form's #step-where on the redirect).
    expect(page).to_have_url(re.compile(r"/backoffice/reports/\d+/(#step-where)?$"))
    report = Report.objects.get(description=description)
    assert (report.resident_id, report.unit_id, report.entrance_id) == (
        resident.pk,
        unit.pk,
        stair.pk,
    )
    assert report.channel == ReportChannel.DESK
    expect(page.get_by_role("heading", level=1)).to_contain_text(report.tracking_code)
    expect(page.locator("main .alert-success")).to_contain_text(report.tracking_code)
    expect(page.get_by_test_id("report-place")).to_contain_text(unit.code)

    _take_step(page, "acknowledge")
    expect(page.get_by_test_id("status-badge")).to_have_text(_label(ReportStatus.ACKNOWLEDGED))
    page.get_by_test_id("step-forward").locator("summary").click()
    # The category's organisation (ALER) is proposed.
    expect(page.locator("#id_forward-organisation")).to_have_value(
        str(category.responsible_organisation_id)
    )
    _take_step(page, "forward")
    expect(page.get_by_test_id("status-badge")).to_have_text(_label(ReportStatus.FORWARDED))

    login("aler.lorenteggio")
    page.goto(f"{server}/backoffice/reports/")
    expect(page).to_have_url(f"{server}/backoffice/reports/organisation/")
    page.get_by_role("link", name=report.tracking_code, exact=True).click()
    expect(page).to_have_url(f"{server}/backoffice/reports/{report.pk}/")
    _take_step(page, "resolve", {"textarea": "Bagno trattato con antimuffa e ritinteggiato."})
    expect(page.get_by_test_id("status-badge")).to_have_text(_label(ReportStatus.RESOLVED))
    history = page.get_by_test_id("history").locator("li")
    expect(history).to_have_count(4)  # submitted, acknowledged, forwarded, resolved
    report.refresh_from_db()
    assert report.status == ReportStatus.RESOLVED
    last_change = report.status_changes.order_by("at", "pk").last()
    assert last_change is not None
    assert last_change.actor_id == aler.pk


# --- b) The public: send, track, reopen -----------------------------------------------------


@pytest.fixture
def page_without_js(
    server: str, browser: Browser, browser_context_args: dict[str, Any]
) -> Iterator[Page]:
    """A page with JavaScript off, failing the test on console errors like ``page``."""
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    seen = BrowserErrors()
    page.on("console", seen.on_console)
    page.on("pageerror", seen.on_pageerror)
    page.route(OSM_TILE, lambda route: route.abort())
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert not seen.errors, "The browser reported errors:\n" + "\n".join(seen.errors)


def _send_public_report(page: Page, server: str, *, javascript: bool) -> Report:
    """Fill in /segnalazioni/nuova/ as a visitor and return the report it made."""
    lab = Lab.objects.get(slug=LAB)
    category = _category(lab, is_public=True)
    building = _building_with_stairs(lab)
    stair = Entrance.objects.filter(building=building).order_by("pk").last()
    assert stair is not None
    description = f"Rifiuti abbandonati nel cortile ({'con' if javascript else 'senza'} JS)."
    refresh = page.locator("button[name=step][value=refresh]")

    page.goto(f"{server}/segnalazioni/nuova/")
    page.locator("#id_lab").select_option(lab.slug)
    refresh.first.click()  # "continue": the lab's categories and buildings
    _tick(page, f"input[name=category][value='{category.code}']")
    page.locator("#id_description").fill(description)
    page.locator("#id_building").select_option(str(building.pk))
    if javascript:  # the stairs follow the building at once
        expect(refresh.and_(page.locator("[data-js-hide]"))).to_be_hidden()
    else:  # "Show the stairs" re-draws the form, keeping what was typed
        refresh.and_(page.locator("[data-js-hide]")).click()
        expect(page.locator("#id_description")).to_have_value(description)
    page.locator("#id_entrance").select_option(str(stair.pk))
    page.locator("#id_contact_name").fill("Giulia Esempio")
    page.locator("#id_contact_email").fill("giulia.esempio@example.org")
    _tick(page, "#id_privacy")
    page.locator("button[name=step][value=submit]:not(.visually-hidden)").click()

    expect(page).to_have_url(f"{server}/segnalazioni/inviata/")
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    assert TRACKING_CODE.fullmatch(code), code
    report = Report.objects.get(tracking_code=code)
    assert (report.description, report.building_id, report.entrance_id) == (
        description,
        building.pk,
        stair.pk,
    )
    assert report.channel == ReportChannel.WEB
    return report


def _track_resolve_and_reopen(page: Page, server: str, report: Report) -> None:
    """Follow the report from its receipt, let staff resolve it, then reopen it."""
    page.get_by_test_id("track-link").click()
    expect(page).to_have_url(f"{server}/segnalazioni/traccia/{report.tracking_code}/")
    expect(page.get_by_test_id("report-status")).to_have_text(_label(ReportStatus.SUBMITTED))
    expect(page.get_by_test_id("status-history").locator("li")).to_have_count(1)
    expect(page.get_by_test_id("reopen-section")).to_have_count(0)
    # No personal data on the public page.
    expect(page.locator("main")).not_to_contain_text("Giulia Esempio")
    expect(page.locator("main")).not_to_contain_text(report.description)

    staff = User.objects.get(username="coord.lorenteggio")
    report = services.report_acknowledge(report=report, actor=staff, note="Presa in carico.")
    services.report_resolve(report=report, actor=staff, resolution="Cortile pulito.")
    page.reload()

    expect(page.get_by_test_id("report-status")).to_have_text(_label(ReportStatus.RESOLVED))
    history = page.get_by_test_id("status-history").locator("li")
    expect(history).to_have_count(3)
    expect(history.nth(1)).to_contain_text("Presa in carico.")
    form = page.get_by_test_id("reopen-form")
    form.locator("textarea").fill("Dopo due giorni i rifiuti sono tornati.")
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(f"{server}/segnalazioni/traccia/{report.tracking_code}/")
    expect(page.locator("main .alert-success")).to_be_visible()
    expect(page.get_by_test_id("report-status")).to_have_text(_label(ReportStatus.REOPENED))
    expect(history).to_have_count(4)
    report.refresh_from_db()
    assert report.status == ReportStatus.REOPENED
    assert report.reopen_count == 1


def test_public_report_is_tracked_and_reopened_when_sent_with_javascript(
    server: str, page: Page
) -> None:
    report = _send_public_report(page, server, javascript=True)

    _track_resolve_and_reopen(page, server, report)


def test_public_report_is_tracked_and_reopened_when_sent_without_javascript(
    server: str, page_without_js: Page
) -> None:
    report = _send_public_report(page_without_js, server, javascript=False)

    _track_resolve_and_reopen(page_without_js, server, report)


# --- c) The lab's queue ---------------------------------------------------------------------


def _row_codes(page: Page) -> list[str]:
    return [
        code.strip() for code in page.get_by_test_id("report-row").locator("th").all_inner_texts()
    ]


def test_report_queue_lists_overdue_reports_by_due_date_when_filtered_and_sorted(
    server: str, login, page: Page
) -> None:
    lab = Lab.objects.get(slug=LAB)
    late = [_submit(lab, days_ago=days) for days in (40, 25)]
    on_time = _submit(lab)
    coordinator = User.objects.get(username="coord.lorenteggio")
    login("coord.lorenteggio")

    page.goto(f"{server}/backoffice/reports/")
    expect(page.get_by_role("link", name=on_time.tracking_code, exact=True)).to_be_visible()
    page.locator("#id_overdue").select_option("yes")
    page.get_by_test_id("queue-filters").locator("button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"[?&]overdue=yes"))
    rows = page.get_by_test_id("report-row")
    expect(rows.first).to_be_visible()
    expect(rows.get_by_test_id("overdue-badge")).to_have_count(rows.count())
    codes = _row_codes(page)
    assert {r.tracking_code for r in late} <= set(codes)
    assert on_time.tracking_code not in codes

    page.get_by_test_id("sort-due").click()

    expect(page).to_have_url(re.compile(r"[?&]sort=due(&|$)"))
    expect(page.locator("th", has=page.get_by_test_id("sort-due"))).to_have_attribute(
        "aria-sort", "ascending"
    )
    expected = list(
        selectors.report_list(
            user=coordinator, lab_id=lab.pk, statuses=DEFAULT_STATUSES, overdue=True, sort="due"
        ).values_list("tracking_code", flat=True)
    )
    codes = _row_codes(page)
    assert codes == expected[: len(codes)]
    assert len(codes) == min(len(expected), 25)


def test_report_queue_acknowledges_both_reports_when_two_are_ticked_for_bulk_action(
    server: str, login, page: Page
) -> None:
    lab = Lab.objects.get(slug=LAB)
    first, second = _submit(lab, description="Primo"), _submit(lab, description="Secondo")
    login("operatore.lorenteggio")

    page.goto(f"{server}/backoffice/reports/?status={ReportStatus.SUBMITTED}")
    for report in (first, second):
        _tick(page, f"#sel-{report.pk}")
    page.get_by_test_id("bulk-actions").locator("button[value=acknowledge]").click()

    expect(page).to_have_url(f"{server}/backoffice/reports/?status={ReportStatus.SUBMITTED}")
    expect(page.locator("main .alert-success")).to_contain_text("2")
    for report in (first, second):
        expect(page.get_by_role("link", name=report.tracking_code, exact=True)).to_have_count(0)
        report.refresh_from_db()
        assert report.status == ReportStatus.ACKNOWLEDGED


# --- d) Files refused at the desk -----------------------------------------------------------

TOO_BIG: FilePayload = {
    "name": "foto-grande.jpg",
    "mimeType": "image/jpeg",
    "buffer": b"\xff" * (10 * 2**20 + 1),
}
NOT_A_PHOTO: FilePayload = {
    "name": "appunti.txt",
    "mimeType": "text/plain",
    "buffer": b"solo testo\n",
}


@pytest.mark.parametrize("upload", [TOO_BIG, NOT_A_PHOTO], ids=["too-big", "wrong-type"])
def test_desk_form_keeps_description_and_names_the_file_when_the_file_is_refused(
    server: str, login: Callable[[str], Page], page: Page, upload: FilePayload
) -> None:
    lab = Lab.objects.get(slug=LAB)
    category = _category(lab)
    description = "Il portone non si chiude: la serratura è rotta."
    before = Report.objects.count()
    login("operatore.lorenteggio")

    page.goto(f"{server}/backoffice/reports/new/")
    page.locator("#id_contact_name").fill("Persona allo sportello")
    page.locator("#id_contact_email").fill("sportello@example.org")
    _choose_and_continue(page, "#id_category", str(category.pk))
    page.locator("#id_description").fill(description)
    page.locator("#id_address_text").fill("Via Segneri 3, portone principale")
    page.locator("#id_attachments").set_input_files(upload)
    page.get_by_test_id("save-report").click()

    expect(page.get_by_test_id("form-errors")).to_be_visible()
    error = page.locator("#id_attachments_error")
    expect(error).to_contain_text(upload["name"])
    expect(page.locator("#id_attachments")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_description")).to_have_value(description)
    expect(page.locator("#id_contact_name")).to_have_value("Persona allo sportello")
    expect(page.locator("#id_category")).to_have_value(str(category.pk))
    assert Report.objects.count() == before
