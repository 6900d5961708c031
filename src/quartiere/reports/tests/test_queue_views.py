"""Staff pages for reports: queues, a report's page and its steps, exports and the outbox."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from quartiere.accounts.enums import Role
from quartiere.accounts.models import User
from quartiere.accounts.services import membership_grant
from quartiere.accounts.tests.factories import OrganisationFactory
from quartiere.core.models import AccessEvent, AccessOutcome, AuditEvent
from quartiere.people.tests.factories import ResidentFactory
from quartiere.reports.enums import (
    CommentVisibility,
    NotificationStatus,
    ReportStatus,
)
from quartiere.reports.models import (
    Notification,
    Report,
    ReportAttachment,
    ReportComment,
    ReportStatusChange,
)
from quartiere.reports.tests.factories import (
    CategoryAttributeFactory,
    CategoryFactory,
    ReportFactory,
)
from quartiere.reports.uploads import MAX_BYTES
from quartiere.territory.tests.factories import BuildingFactory, EntranceFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
QUEUE = "reports:queue"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def _messages(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in get_messages(response.wsgi_request)]


def _codes(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [r["code"] for r in response.context["page"].object_list]


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _housing_user(make_user, lab, organisation) -> User:  # type: ignore[no-untyped-def]
    user = make_user(Role.HOUSING_STAFF, lab, username="aler_a")
    membership_grant(
        actor=None, user=user, role=Role.HOUSING_STAFF, lab=lab, organisation=organisation
    )
    return User.objects.get(pk=user.pk)


def _reader_without_resident_access(make_user, lab) -> User:  # type: ignore[no-untyped-def]
    """A member of the lab who may read and export reports but not residents."""
    user = make_user(Role.TRAINING_OPERATOR, lab, username="reader_a")
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="reports", codename__in=["view_report", "export_reports"]
        )
    )
    return User.objects.get(pk=user.pk)


def _notification(report: Report, **fields) -> Notification:  # type: ignore[no-untyped-def]
    defaults = {
        "lab": report.lab,
        "report": report,
        "recipient": "abitante@example.org",
        "subject": f"Segnalazione {report.tracking_code}",
        "body": "Aggiornamento",
    }
    defaults.update(fields)
    return Notification.objects.create(**defaults)


# --- Permission matrix ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("reports:queue", []),
        ("reports:org_queue", []),
        ("reports:queue_export", []),
        ("reports:outbox", []),
        ("reports:detail", ["pk"]),
        ("reports:attachment", ["pk", 1]),
    ],
)
def test_report_pages_redirect_to_login_when_user_is_anonymous(client, lab, name, args):
    report = ReportFactory(category=CategoryFactory(lab=lab))
    url = reverse(name, args=[report.pk if a == "pk" else a for a in args])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", ["reports:queue", "reports:org_queue", "reports:outbox"])
def test_report_pages_refused_when_user_is_a_resident(login, make_user, lab, name):
    resident = make_user(Role.RESIDENT, lab)

    assert login(resident).get(reverse(name)).status_code == 403


def test_report_detail_refused_when_user_is_a_resident(login, make_user, lab):
    report = ReportFactory(category=CategoryFactory(lab=lab))

    response = login(make_user(Role.RESIDENT, lab)).get(reverse("reports:detail", args=[report.pk]))

    assert response.status_code == 403


def test_report_detail_404_and_logged_when_report_belongs_to_another_lab(
    login, other_operator, lab
):
    report = ReportFactory(category=CategoryFactory(lab=lab))

    response = login(other_operator).get(reverse("reports:detail", args=[report.pk]))

    assert response.status_code == 404
    event = AccessEvent.objects.get(target_type="reports.report", target_id=str(report.pk))
    assert event.outcome == AccessOutcome.DENIED
    assert event.actor == other_operator


def test_report_step_404_and_nothing_changed_when_report_belongs_to_another_lab(
    login, other_operator, lab
):
    report = ReportFactory(category=CategoryFactory(lab=lab))

    response = login(other_operator).post(
        reverse("reports:step", args=[report.pk, "acknowledge"]), {"acknowledge-note": ""}
    )

    assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_report_attachment_404_when_report_belongs_to_another_lab(
    login, operator, other_operator, lab
):
    report = ReportFactory(category=CategoryFactory(lab=lab))
    login(operator).post(
        reverse("reports:attachment_add", args=[report.pk]),
        {"attachment-attachments": SimpleUploadedFile("verbale.pdf", PDF)},
    )
    attachment = ReportAttachment.objects.get(report=report)

    response = login(other_operator).get(
        reverse("reports:attachment", args=[report.pk, attachment.pk])
    )

    assert response.status_code == 404


def test_outbox_refused_when_role_lacks_view_notification(login, housing_staff):
    assert login(housing_staff).get(reverse("reports:outbox")).status_code == 403


def test_report_export_refused_when_role_lacks_export_capability(login, make_user, lab):
    user = make_user(Role.TRAINING_OPERATOR, lab)
    user.user_permissions.add(Permission.objects.get(codename="view_report"))

    response = login(User.objects.get(pk=user.pk)).get(reverse("reports:queue_export"))

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="reports.export").exists()


# --- Lab queue ------------------------------------------------------------------------------


def test_report_queue_lists_only_current_lab_open_reports_when_no_filter(
    login, operator, lab, other_lab
):
    category = CategoryFactory(lab=lab)
    open_report = ReportFactory(category=category)
    ReportFactory(category=category, status=ReportStatus.CLOSED)
    ReportFactory(category=CategoryFactory(lab=other_lab))

    response = login(operator).get(reverse(QUEUE))

    assert response.status_code == 200
    assert _codes(response) == [open_report.tracking_code]


def test_report_queue_shows_chosen_statuses_when_several_ticked(login, operator, lab):
    category = CategoryFactory(lab=lab)
    ReportFactory(category=category)
    closed = ReportFactory(category=category, status=ReportStatus.CLOSED)
    rejected = ReportFactory(category=category, status=ReportStatus.REJECTED)

    response = login(operator).get(reverse(QUEUE), {"status": ["closed", "rejected"]})

    assert set(_codes(response)) == {closed.tracking_code, rejected.tracking_code}


def test_report_queue_filters_by_category_and_building_when_both_chosen(login, operator, lab):
    lift, mould = CategoryFactory(lab=lab), CategoryFactory(lab=lab)
    building = BuildingFactory(district=lab.district)
    wanted = ReportFactory(category=lift, building=building)
    ReportFactory(category=lift)
    ReportFactory(category=mould, building=building)

    response = login(operator).get(reverse(QUEUE), {"category": lift.pk, "building": building.pk})

    assert _codes(response) == [wanted.tracking_code]


def test_report_queue_filters_by_assignee_when_me_or_unassigned(login, operator, lab):
    category = CategoryFactory(lab=lab)
    mine = ReportFactory(category=category, assigned_to=operator)
    nobody = ReportFactory(category=category)
    client = login(operator)

    assert _codes(client.get(reverse(QUEUE), {"assignee": "me"})) == [mine.tracking_code]
    assert _codes(client.get(reverse(QUEUE), {"assignee": "none"})) == [nobody.tracking_code]


def test_report_queue_shows_overdue_badge_when_filtering_overdue(login, operator, lab):
    category = CategoryFactory(lab=lab)
    late = ReportFactory(
        category=category,
        status=ReportStatus.ACKNOWLEDGED,
        resolve_due_on=timezone.localdate() - dt.timedelta(days=1),
    )
    ReportFactory(category=category)

    response = login(operator).get(reverse(QUEUE), {"overdue": "yes"})

    assert _codes(response) == [late.tracking_code]
    assert 'data-testid="overdue-badge"' in response.content.decode()


def test_report_queue_rows_show_place_assignee_and_due_dates_when_reports_differ(
    login, coordinator, operator, lab
):
    operator.first_name, operator.last_name = "Chiara", "Colombo"
    operator.save()
    category = CategoryFactory(lab=lab, name_it="Ascensore")
    building = BuildingFactory(district=lab.district, street="Via Odazio", number="7")
    entrance = EntranceFactory(building=building, name="Scala C")
    today = timezone.localdate()
    waiting = ReportFactory(
        category=category,
        building=building,
        entrance=entrance,
        assigned_to=operator,
        status=ReportStatus.SUBMITTED,
        acknowledge_due_on=today - dt.timedelta(days=1),
        resolve_due_on=today + dt.timedelta(days=9),
    )
    ReportFactory(category=category, building=None, address_text="Cortile di via Segneri")
    ReportFactory(category=category, building=None, address_text="")

    response = login(coordinator).get(reverse(QUEUE))

    rows = {r["code"]: r for r in response.context["page"].object_list}
    row = rows[waiting.tracking_code]
    assert row["url"] == reverse("reports:detail", args=[waiting.pk])
    assert row["category"] == "Ascensore"
    assert row["place"] == "Via Odazio 7, Scala C"
    assert row["assignee"] == "Chiara Colombo"
    assert row["overdue"] is True  # the acknowledgement is late, the resolution is not
    assert row["due"] == (today + dt.timedelta(days=9)).strftime("%d/%m/%Y")
    assert (today - dt.timedelta(days=1)).strftime("%d/%m/%Y") in row["acknowledge_by"]
    assert sorted(r["place"] for r in rows.values()) == [
        "Cortile di via Segneri",
        "Via Odazio 7, Scala C",
        "—",
    ]
    html = response.content.decode()
    assert f'href="{row["url"]}"' in html
    assert f'id="sel-{waiting.pk}"' in html
    assert "Chiara Colombo" in html


def test_report_queue_finds_report_when_searching_tracking_code(login, operator, lab):
    category = CategoryFactory(lab=lab)
    wanted = ReportFactory(category=category)
    ReportFactory(category=category)

    response = login(operator).get(reverse(QUEUE), {"q": wanted.tracking_code.lower()})

    assert _codes(response) == [wanted.tracking_code]


def test_report_queue_sorts_by_due_date_and_marks_header_when_sort_is_due(login, operator, lab):
    category = CategoryFactory(lab=lab)
    today = timezone.localdate()
    later = ReportFactory(category=category, resolve_due_on=today + dt.timedelta(days=9))
    sooner = ReportFactory(category=category, resolve_due_on=today + dt.timedelta(days=3))

    response = login(operator).get(reverse(QUEUE), {"sort": "due"})

    assert _codes(response) == [sooner.tracking_code, later.tracking_code]
    due = next(h for h in response.context["headers"] if h["key"] == "due")
    assert due["aria_sort"] == "ascending"
    assert "sort=-due" in due["url"]
    assert 'aria-sort="ascending"' in response.content.decode()


def test_report_queue_hides_resident_names_when_listing(login, operator, lab):
    resident = ResidentFactory(lab=lab, first_name="Gelsomina", last_name="Zappalà")
    ReportFactory(category=CategoryFactory(lab=lab), resident=resident, contact_name="Gelsomina")

    response = login(operator).get(reverse(QUEUE))

    assert "Gelsomina" not in response.content.decode()


def test_report_queue_shows_empty_state_when_nothing_matches(login, operator, lab):
    response = login(operator).get(reverse(QUEUE))

    assert 'data-testid="empty-state"' in response.content.decode()


def test_report_queue_sends_housing_staff_to_organisation_queue_when_not_lab_staff(
    login, make_user, lab
):
    user = _housing_user(make_user, lab, OrganisationFactory())

    response = login(user).get(reverse(QUEUE), {"overdue": "yes"})

    assert response.status_code == 302
    assert response["Location"] == reverse("reports:org_queue") + "?overdue=yes"


def test_report_org_queue_lists_reports_forwarded_to_own_organisation_when_housing_staff(
    login, make_user, lab
):
    aler, comune = OrganisationFactory(name="ALER"), OrganisationFactory(name="Comune")
    category = CategoryFactory(lab=lab)
    ours = ReportFactory(category=category, status=ReportStatus.FORWARDED, forwarded_to=aler)
    ReportFactory(category=category, status=ReportStatus.FORWARDED, forwarded_to=comune)
    ReportFactory(category=category)

    response = login(_housing_user(make_user, lab, aler)).get(reverse("reports:org_queue"))

    assert _codes(response) == [ours.tracking_code]


# --- Bulk actions ---------------------------------------------------------------------------


def test_report_bulk_acknowledges_the_others_and_gives_reason_when_one_is_illegal(
    login, operator, lab
):
    category = CategoryFactory(lab=lab)
    first, second = ReportFactory(category=category), ReportFactory(category=category)
    closed = ReportFactory(category=category, status=ReportStatus.CLOSED)

    response = login(operator).post(
        reverse("reports:bulk"),
        {"action": "acknowledge", "reports": [first.pk, second.pk, closed.pk]},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 302
    statuses = dict(Report.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[second.pk] == ReportStatus.ACKNOWLEDGED
    assert statuses[closed.pk] == ReportStatus.CLOSED
    texts = _messages(response)
    assert any("2 reports acknowledged" in t for t in texts)
    assert any(closed.tracking_code in t and "cannot become" in t for t in texts)


def test_report_bulk_assigns_selected_reports_when_staff_member_chosen(
    login, operator, coordinator, lab
):
    category = CategoryFactory(lab=lab)
    reports = [ReportFactory(category=category), ReportFactory(category=category)]

    login(coordinator).post(
        reverse("reports:bulk"),
        {"action": "assign", "assignee": operator.pk, "reports": [r.pk for r in reports]},
    )

    assert set(Report.objects.values_list("assigned_to", flat=True)) == {operator.pk}


def test_report_bulk_refused_when_role_lacks_assign_capability(login, make_user, lab):
    aler = OrganisationFactory()
    report = ReportFactory(
        category=CategoryFactory(lab=lab), status=ReportStatus.FORWARDED, forwarded_to=aler
    )
    user = _housing_user(make_user, lab, aler)

    response = login(user).post(
        reverse("reports:bulk"), {"action": "assign", "reports": [report.pk]}
    )

    assert response.status_code == 403


def test_report_bulk_leaves_other_lab_reports_alone_when_their_ids_are_sent(
    login, operator, other_lab
):
    foreign = ReportFactory(category=CategoryFactory(lab=other_lab))

    response = login(operator).post(
        reverse("reports:bulk"),
        {"action": "acknowledge", "reports": [foreign.pk]},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    foreign.refresh_from_db()
    assert foreign.status == ReportStatus.SUBMITTED
    assert any("not found" in t for t in _messages(response))


# --- Exports --------------------------------------------------------------------------------


def test_report_export_gives_filtered_rows_with_resident_name_when_user_may_see_residents(
    login, operator, lab, other_lab
):
    category = CategoryFactory(lab=lab)
    building = BuildingFactory(district=lab.district, street="Via Giambellino", number="64")
    resident = ResidentFactory(lab=lab, first_name="Anna", last_name="Rossi")
    ReportFactory(category=category, building=building, resident=resident, description="Segreto")
    ReportFactory(category=category, status=ReportStatus.CLOSED)
    ReportFactory(category=CategoryFactory(lab=other_lab))

    response = login(operator).get(reverse("reports:queue_export"), {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.csv"')
    rows = _csv(response)
    assert rows[0][0] == "tracking_code"
    assert rows[0][-1] == "resident"
    assert len(rows) == 2
    assert rows[1][5] == "Via Giambellino 64"
    assert rows[1][-1] == "Rossi Anna"
    assert "Segreto" not in str(rows)


def test_report_export_omits_resident_column_when_user_may_not_see_residents(login, make_user, lab):
    resident = ResidentFactory(lab=lab, first_name="Anna", last_name="Rossi")
    ReportFactory(category=CategoryFactory(lab=lab), resident=resident, contact_name="Anna R.")

    response = login(_reader_without_resident_access(make_user, lab)).get(
        reverse("reports:queue_export")
    )

    rows = _csv(response)
    assert "resident" not in rows[0]
    assert "Rossi" not in str(rows)
    assert "Anna" not in str(rows)


def test_report_export_gives_workbook_and_audits_when_xlsx_requested(login, operator, lab):
    category = CategoryFactory(lab=lab)
    ReportFactory.create_batch(3, category=category)

    response = login(operator).get(
        reverse("reports:queue_export"), {"format": "xlsx", "q": "ascensore rotto"}
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert load_workbook(io.BytesIO(response.content)).active.max_row == 1  # no text match
    event = AuditEvent.objects.get(action="reports.export")
    assert event.actor == operator
    assert event.changes["format"] == "xlsx"
    assert event.changes["rows"] == 0
    assert "ascensore" not in str(event.changes)


def test_report_export_counts_rows_in_audit_when_list_is_exported(login, operator, lab):
    ReportFactory.create_batch(3, category=CategoryFactory(lab=lab))

    response = login(operator).get(reverse("reports:queue_export"), {"format": "xlsx"})

    assert load_workbook(io.BytesIO(response.content)).active.max_row == 4
    assert AuditEvent.objects.get(action="reports.export").changes["rows"] == 3


# --- A report's page ------------------------------------------------------------------------


def test_report_detail_shows_answers_history_comments_and_legal_steps_when_submitted(
    login, operator, lab
):
    category = CategoryFactory(lab=lab)
    CategoryAttributeFactory(category=category, code="days", description_it="Da quanti giorni?")
    report = ReportFactory(category=category, attributes={"days": "3"})
    ReportStatusChange.objects.create(report=report, to_status=ReportStatus.SUBMITTED)
    ReportComment.objects.create(
        report=report, visibility=CommentVisibility.INTERNAL, body="Chiamare il custode"
    )

    response = login(operator).get(reverse("reports:detail", args=[report.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["answers"] == [("Da quanti giorni?", "3")]
    assert "Chiamare il custode" in html
    assert [s["step"].key for s in response.context["steps"]] == [
        "acknowledge",
        "reject",
        "merge",
    ]
    assert 'data-testid="step-resolve"' not in html


def test_report_detail_offers_no_step_when_role_cannot_process(login, make_user, lab):
    report = ReportFactory(category=CategoryFactory(lab=lab))

    response = login(_reader_without_resident_access(make_user, lab)).get(
        reverse("reports:detail", args=[report.pk])
    )

    assert response.context["steps"] == []
    assert 'data-testid="contact-hidden"' in response.content.decode()


def test_report_detail_shows_contact_when_lab_operator(login, operator, lab):
    report = ReportFactory(category=CategoryFactory(lab=lab), contact_phone="02 1234567")

    response = login(operator).get(reverse("reports:detail", args=[report.pk]))

    assert "tel:021234567" in response.content.decode()


def test_report_step_acknowledges_and_redirects_when_step_is_legal(login, operator, lab):
    report = ReportFactory(category=CategoryFactory(lab=lab))

    response = login(operator).post(
        reverse("reports:step", args=[report.pk, "acknowledge"]),
        {"acknowledge-note": "Presa in carico"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", args=[report.pk])
    report.refresh_from_db()
    assert report.status == ReportStatus.ACKNOWLEDGED
    assert ReportStatusChange.objects.get(report=report).note == "Presa in carico"
    assert "Report acknowledged." in _messages(response)


def test_report_step_refused_with_reason_and_nothing_changed_when_transition_is_illegal(
    login, operator, lab
):
    report = ReportFactory(category=CategoryFactory(lab=lab), status=ReportStatus.CLOSED)

    response = login(operator).post(
        reverse("reports:step", args=[report.pk, "acknowledge"]),
        {"acknowledge-note": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "cannot become" in response.context["error"]
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED
    assert not ReportStatusChange.objects.filter(report=report).exists()
    assert not AuditEvent.objects.filter(action__startswith="reports.ack").exists()


def test_report_step_keeps_form_with_field_error_when_resolution_missing(login, operator, lab):
    report = ReportFactory(category=CategoryFactory(lab=lab), status=ReportStatus.IN_PROGRESS)

    response = login(operator).post(
        reverse("reports:step", args=[report.pk, "resolve"]), {"resolve-resolution": "  "}
    )

    assert response.status_code == 200
    form = next(s["form"] for s in response.context["steps"] if s["step"].key == "resolve")
    assert form.errors["resolution"]
    assert response.context["open_step"] == "resolve"
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_PROGRESS


def test_report_step_404_when_action_is_unknown(login, operator, lab):
    report = ReportFactory(category=CategoryFactory(lab=lab))

    response = login(operator).post(reverse("reports:step", args=[report.pk, "explode"]))

    assert response.status_code == 404


def test_report_step_forwards_to_category_organisation_when_none_chosen(login, operator, lab):
    aler = OrganisationFactory(name="ALER Milano")
    report = ReportFactory(
        category=CategoryFactory(lab=lab, responsible_organisation=aler),
        status=ReportStatus.ACKNOWLEDGED,
    )

    login(operator).post(
        reverse("reports:step", args=[report.pk, "forward"]),
        {"forward-organisation": "", "forward-note": ""},
    )

    report.refresh_from_db()
    assert report.status == ReportStatus.FORWARDED
    assert report.forwarded_to == aler


def test_report_step_merges_into_report_when_tracking_code_given(login, operator, lab):
    category = CategoryFactory(lab=lab)
    building = BuildingFactory(district=lab.district)
    keep = ReportFactory(category=category, building=building)
    duplicate = ReportFactory(category=category, building=building)

    page = login(operator).get(reverse("reports:detail", args=[duplicate.pk]))
    response = login(operator).post(
        reverse("reports:step", args=[duplicate.pk, "merge"]),
        {"merge-into": keep.tracking_code.lower()},
    )

    assert page.context["duplicates"] == [keep]
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == ReportStatus.MERGED
    assert duplicate.merged_into == keep


def test_report_step_shows_field_error_when_merge_target_unknown(login, operator, lab):
    report = ReportFactory(category=CategoryFactory(lab=lab))

    response = login(operator).post(
        reverse("reports:step", args=[report.pk, "merge"]), {"merge-into": "SG-NONE-0000"}
    )

    form = next(s["form"] for s in response.context["steps"] if s["step"].key == "merge")
    assert form.errors["into"]
    assert form["into"].value() == "SG-NONE-0000"


def test_report_assign_gives_report_to_staff_member_when_chosen(login, coordinator, operator, lab):
    report = ReportFactory(category=CategoryFactory(lab=lab))

    response = login(coordinator).post(
        reverse("reports:assign", args=[report.pk]), {"assign-assignee": operator.pk}
    )

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.assigned_to == operator


def test_report_assign_refused_when_person_is_not_lab_staff(
    login, coordinator, other_operator, lab
):
    report = ReportFactory(category=CategoryFactory(lab=lab))

    response = login(coordinator).post(
        reverse("reports:assign", args=[report.pk]), {"assign-assignee": other_operator.pk}
    )

    assert response.status_code == 200
    report.refresh_from_db()
    assert report.assigned_to is None


def test_report_comment_add_records_internal_comment_when_posted(login, operator, lab):
    report = ReportFactory(category=CategoryFactory(lab=lab))

    login(operator).post(
        reverse("reports:comment_add", args=[report.pk]),
        {"comment-body": "Sentito il custode", "comment-visibility": "internal"},
    )

    comment = ReportComment.objects.get(report=report)
    assert comment.visibility == CommentVisibility.INTERNAL
    assert comment.author == operator


def test_report_attachment_add_stores_pdf_and_serves_it_when_report_visible(login, operator, lab):
    report = ReportFactory(category=CategoryFactory(lab=lab))
    client = login(operator)

    response = client.post(
        reverse("reports:attachment_add", args=[report.pk]),
        {"attachment-attachments": SimpleUploadedFile("verbale.pdf", PDF)},
    )
    attachment = ReportAttachment.objects.get(report=report)
    download = client.get(reverse("reports:attachment", args=[report.pk, attachment.pk]))

    assert response.status_code == 302
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF


def test_report_attachment_add_shows_field_error_and_keeps_page_when_file_too_big(
    login, operator, lab
):
    report = ReportFactory(
        category=CategoryFactory(lab=lab), description="Perdita dal soffitto del bagno"
    )
    big = SimpleUploadedFile("enorme.pdf", b"%PDF-" + b"0" * MAX_BYTES)

    response = login(operator).post(
        reverse("reports:attachment_add", args=[report.pk]),
        {"attachment-attachments": big},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "larger than 10 MB" in str(response.context["attachment_form"].errors["attachments"])
    html = response.content.decode()
    assert 'data-testid="attachment-error"' in html
    assert "Perdita dal soffitto del bagno" in html
    assert not ReportAttachment.objects.exists()


def test_report_attachment_add_shows_field_error_when_file_type_is_wrong(login, operator, lab):
    report = ReportFactory(category=CategoryFactory(lab=lab))

    response = login(operator).post(
        reverse("reports:attachment_add", args=[report.pk]),
        {"attachment-attachments": SimpleUploadedFile("virus.exe", b"MZ\x90\x00binary")},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "not a photo" in str(response.context["attachment_form"].errors["attachments"])
    assert not ReportAttachment.objects.exists()


# --- Outbox ---------------------------------------------------------------------------------


def test_outbox_lists_lab_messages_filtered_by_status_when_status_chosen(
    login, coordinator, lab, other_lab
):
    report = ReportFactory(category=CategoryFactory(lab=lab))
    failed = _notification(report, status=NotificationStatus.FAILED, last_error="bounce")
    _notification(report, status=NotificationStatus.SENT)
    _notification(
        ReportFactory(category=CategoryFactory(lab=other_lab)), status=NotificationStatus.FAILED
    )

    response = login(coordinator).get(reverse("reports:outbox"), {"status": "failed"})

    assert list(response.context["page"].object_list) == [failed]
    assert "bounce" in response.content.decode()


def test_notification_retry_sends_failed_message_again_when_coordinator_asks(
    login, coordinator, lab, django_capture_on_commit_callbacks
):
    notification = _notification(
        ReportFactory(category=CategoryFactory(lab=lab)), status=NotificationStatus.FAILED
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = login(coordinator).post(
            reverse("reports:notification_retry", args=[notification.pk])
        )

    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert AuditEvent.objects.filter(action="reports.notification_retry").exists()


def test_notification_retry_refused_when_role_lacks_change_capability(login, operator, lab):
    notification = _notification(
        ReportFactory(category=CategoryFactory(lab=lab)), status=NotificationStatus.FAILED
    )

    response = login(operator).post(reverse("reports:notification_retry", args=[notification.pk]))

    assert response.status_code == 403


def test_notification_retry_404_when_message_belongs_to_another_lab(login, coordinator, other_lab):
    notification = _notification(
        ReportFactory(category=CategoryFactory(lab=other_lab)), status=NotificationStatus.FAILED
    )

    response = login(coordinator).post(
        reverse("reports:notification_retry", args=[notification.pk])
    )

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED


# --- Navigation and dashboard ---------------------------------------------------------------


def test_dashboard_shows_open_and_overdue_report_counts_when_user_reads_reports(
    login, operator, lab
):
    category = CategoryFactory(lab=lab)
    ReportFactory(category=category)
    ReportFactory(
        category=category,
        status=ReportStatus.IN_PROGRESS,
        resolve_due_on=timezone.localdate() - dt.timedelta(days=2),
    )
    ReportFactory(category=category, status=ReportStatus.CLOSED)

    response = login(operator).get(reverse("backoffice:dashboard"))

    assert response.context["report_counts"] == {"open": 2, "overdue": 1}
    assert 'data-testid="nav-reports"' in response.content.decode()


def test_backoffice_nav_hides_reports_when_role_cannot_read_them(login, region_official):
    response = login(region_official).get(reverse("backoffice:dashboard"))

    assert 'data-testid="nav-reports"' not in response.content.decode()
    assert response.context["report_counts"] is None


# --- Queries --------------------------------------------------------------------------------

FEW, MANY = 3, 30  # MANY exceeds a page, so the page is full


def _query_count(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_report_queue_runs_constant_queries_when_rows_grow(
    login, operator, coordinator, lab, django_assert_num_queries
):
    building = BuildingFactory(district=lab.district)
    entrance = EntranceFactory(building=building)
    category = CategoryFactory(lab=lab)
    client = login(coordinator)
    url = reverse(QUEUE) + "?sort=due"

    def add(n: int) -> None:
        for _ in range(n):
            ReportFactory(
                category=category, building=building, entrance=entrance, assigned_to=operator
            )

    _query_count(client, url)  # warm-up: one-off caches (content types, templates)
    add(FEW)
    few = _query_count(client, url)
    add(MANY - FEW)
    with django_assert_num_queries(few):
        client.get(url)


def test_outbox_runs_constant_queries_when_rows_grow(
    login, coordinator, lab, django_assert_num_queries
):
    category = CategoryFactory(lab=lab)
    client = login(coordinator)
    url = reverse("reports:outbox")

    def add(n: int) -> None:
        for _ in range(n):
            _notification(ReportFactory(category=category), status=NotificationStatus.FAILED)

    _query_count(client, url)
    add(FEW)
    few = _query_count(client, url)
    add(MANY - FEW)
    with django_assert_num_queries(few):
        client.get(url)


# --- Compiled queue reads ---------------------------------------------------------------------


def test_queue_page_rows_answer_as_the_orm_list_for_every_filter_and_sort(
    make_user, operator, lab, other_lab
):
    from django.core.paginator import Paginator

    from quartiere.reports import selectors

    today = timezone.localdate()
    aler = OrganisationFactory(name="ALER")
    lift, mould = CategoryFactory(lab=lab, name_it="Ascensore"), CategoryFactory(lab=lab)
    building = BuildingFactory(district=lab.district)
    for i in range(12):
        ReportFactory(
            category=lift if i % 2 else mould,
            building=building if i % 3 == 0 else None,
            status=[ReportStatus.SUBMITTED, ReportStatus.FORWARDED, ReportStatus.CLOSED][i % 3],
            forwarded_to=aler if i % 3 == 1 else None,
            assigned_to=operator if i % 4 == 0 else None,
            acknowledge_due_on=today + dt.timedelta(days=i - 6),
            resolve_due_on=today + dt.timedelta(days=i - 4),
        )
    ReportFactory(category=CategoryFactory(lab=other_lab))
    housing = _housing_user(make_user, lab, aler)
    cases = [
        {},
        {"statuses": ["submitted", "forwarded"]},
        {"statuses": ["closed"], "sort": "due"},
        {"category_id": lift.pk, "building_id": building.pk},
        {"assigned_to": operator, "sort": "-due"},
        {"assigned_to": operator.pk},
        {"unassigned": True, "sort": "category"},
        {"overdue": True},
        {"overdue": False, "sort": "status"},
        {"statuses": ["submitted"], "q": "SG-"},
    ]
    for filters in cases:
        ours = selectors.report_queue_page_rows(user=operator, lab_id=lab.pk, **filters)
        orm = selectors.report_list(user=operator, lab_id=lab.pk, **filters).values_list(
            *selectors.QUEUE_ROW_FIELDS
        )
        for number in (1, 2):
            mine, theirs = Paginator(ours, 5).get_page(number), Paginator(orm, 5).get_page(number)
            assert list(mine.object_list) == list(theirs.object_list), (filters, number)
            assert mine.paginator.count == theirs.paginator.count, filters
    # A housing organisation's queue: only what was forwarded to it.
    ours = selectors.report_queue_page_rows(user=housing, organisation_ids=[aler.pk])
    orm = selectors.report_org_queue_list(user=housing, organisation_ids=[aler.pk])
    assert [r[0] for r in ours[0:50]] == list(orm.values_list("id", flat=True))
    assert ours.count() == 4


def test_report_queue_filter_bar_follows_new_choices_and_keeps_errors(login, operator, lab):
    CategoryFactory(lab=lab, name_it="Ascensore")
    client = login(operator)
    first = client.get(reverse(QUEUE)).content.decode()
    CategoryFactory(lab=lab, name_it="Muffa")
    second = client.get(reverse(QUEUE)).content.decode()
    assert "Ascensore" in first
    assert "Muffa" not in first
    assert "Muffa" in second  # a new category shows at once

    # "Show every status" keeps the other filters and ticks every status.
    every = client.get(reverse(QUEUE), {"overdue": "yes"}).content.decode()
    assert 'href="?overdue=yes&amp;status=submitted&amp;status=acknowledged' in every

    for _ in range(2):  # rendered, then from the filter bars kept
        page = client.get(reverse(QUEUE), {"building": "not-a-number"})
        assert page.status_code == 200
        html = page.content.decode()
        assert 'id="id_building_error"' in html
        assert 'class="alert alert-danger"' in html
