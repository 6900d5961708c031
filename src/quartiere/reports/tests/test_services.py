"""Intake and workflow services against the database."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from quartiere.core.exceptions import ApplicationError, InvalidTransitionError
from quartiere.core.models import AuditEvent
from quartiere.reports import services
from quartiere.reports.enums import (
    CommentVisibility,
    NotificationStatus,
    ReportChannel,
    ReportStatus,
)
from quartiere.reports.models import Notification, Report, ReportStatusChange
from quartiere.reports.tests.factories import CategoryAttributeFactory, CategoryFactory
from quartiere.territory.tests.factories import BuildingFactory, UnitFactory

pytestmark = pytest.mark.django_db


def _submit(lab, category, **kw):
    defaults = {
        "lab": lab,
        "category": category,
        "description": "Muffa in camera da letto",
        "channel": ReportChannel.DESK,
        "address_text": "Via Segneri 3",
        "contact_email": "abitante@example.org",
    }
    defaults.update(kw)
    return services.report_submit(**defaults)


def test_report_submit_sets_due_dates_in_business_days_when_holidays_fall_in_between(lab, operator):
    category = CategoryFactory(lab=lab, acknowledge_days=2, resolve_days=3)
    friday = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)
    report = _submit(lab, category, actor=operator, submitted_at=friday)
    # Mon 7 Dec is Sant'Ambrogio (Milan), Tue 8 Dec the Immaculate Conception.
    assert report.acknowledge_due_on == dt.date(2026, 12, 10)
    assert report.resolve_due_on == dt.date(2026, 12, 11)
    assert report.status == ReportStatus.SUBMITTED
    assert report.tracking_code.startswith("SG-")


def test_report_submit_queues_and_sends_a_receipt_when_the_resident_gave_an_email(
    lab, operator, django_capture_on_commit_callbacks
):
    category = CategoryFactory(lab=lab)
    with django_capture_on_commit_callbacks(execute=True):
        report = _submit(lab, category, actor=operator)
    notification = Notification.objects.get(report=report)
    assert notification.status == NotificationStatus.SENT
    assert report.tracking_code in mail.outbox[0].body


def test_report_submit_writes_nothing_when_a_required_answer_is_missing(lab, operator):
    category = CategoryFactory(lab=lab)
    CategoryAttributeFactory(category=category, code="giorni", is_required=True)
    with pytest.raises(ApplicationError) as exc:
        _submit(lab, category, actor=operator)
    assert "attribute[giorni]" in exc.value.fields
    assert not Report.objects.exists()


def test_report_submit_refuses_a_building_of_another_district(lab, operator):
    category = CategoryFactory(lab=lab)
    with pytest.raises(ApplicationError) as exc:
        _submit(lab, category, actor=operator, building=BuildingFactory(), address_text="")
    assert "building" in exc.value.fields


def test_report_submit_takes_building_and_stair_from_the_unit(lab, operator):
    category = CategoryFactory(lab=lab)
    unit = UnitFactory(building=BuildingFactory(district=lab.district))
    report = _submit(lab, category, actor=operator, unit=unit, address_text="")
    assert report.building == unit.building
    assert report.entrance == unit.entrance


def test_report_transitions_follow_the_workflow_and_record_history(lab, operator):
    category = CategoryFactory(lab=lab)
    report = _submit(lab, category, actor=operator)
    services.report_acknowledge(report=report, actor=operator)
    services.report_start(report=report, actor=operator)
    services.report_resolve(report=report, actor=operator, resolution="Riparato")
    report = services.report_close(report=report, actor=operator)
    assert report.status == ReportStatus.CLOSED
    steps = list(report.status_changes.values_list("to_status", flat=True))
    assert steps == ["submitted", "acknowledged", "in_progress", "resolved", "closed"]
    assert AuditEvent.objects.filter(action="reports.closed", target_id=str(report.pk)).exists()


def test_report_close_is_refused_and_changes_nothing_when_not_resolved(lab, operator):
    report = _submit(lab, CategoryFactory(lab=lab), actor=operator)
    with pytest.raises(InvalidTransitionError):
        services.report_close(report=report, actor=operator)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert ReportStatusChange.objects.filter(report=report).count() == 1


def test_report_reopen_is_refused_after_the_window(lab, operator):
    report = _submit(lab, CategoryFactory(lab=lab), actor=operator)
    services.report_acknowledge(report=report, actor=operator)
    services.report_resolve(report=report, actor=operator, resolution="Fatto")
    with (
        time_machine.travel(timezone.now() + dt.timedelta(days=40)),
        pytest.raises(InvalidTransitionError),
    ):
        services.report_reopen(report=report, actor=None, reason="Ancora rotto")
    reopened = services.report_reopen(report=report, actor=None, reason="Ancora rotto")
    assert reopened.status == ReportStatus.REOPENED
    assert reopened.reopen_count == 1


def test_report_merge_moves_followers_and_comments_to_the_target(lab, operator):
    category = CategoryFactory(lab=lab)
    target = _submit(lab, category, actor=operator, contact_email="primo@example.org")
    duplicate = _submit(lab, category, actor=operator, contact_email="secondo@example.org")
    services.report_comment_add(
        report=duplicate, actor=operator, body="Nota", visibility=CommentVisibility.INTERNAL
    )
    merged = services.report_merge(report=duplicate, actor=operator, into=target)
    assert merged.status == ReportStatus.MERGED
    assert merged.merged_into == target
    assert set(target.followers.values_list("email", flat=True)) == {
        "primo@example.org",
        "secondo@example.org",
    }
    assert target.comments.filter(body="Nota").exists()


def test_mail_failure_keeps_the_report_and_marks_the_outbox_row_failed(
    lab, operator, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "quartiere.reports.tests.failing_backend.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        report = _submit(lab, CategoryFactory(lab=lab), actor=operator)
    assert Report.objects.filter(pk=report.pk).exists()
    notification = Notification.objects.get(report=report)
    assert notification.status == NotificationStatus.FAILED
    assert "SMTPRecipientsRefused" in notification.last_error


def test_report_submit_draws_a_new_code_when_the_first_one_clashes(lab, operator, monkeypatch):
    category = CategoryFactory(lab=lab)
    first = _submit(lab, category, actor=operator)
    codes = iter([first.tracking_code, "SG-NEWC-ODE2"])
    monkeypatch.setattr(services, "_new_tracking_code", lambda: next(codes))
    second = _submit(lab, category, actor=operator)
    assert second.tracking_code == "SG-NEWC-ODE2"
    assert Report.objects.count() == 2


def test_report_submit_queues_the_email_in_its_own_transaction_with_a_database_queue(
    lab, operator, database_queue
):
    from django_tasks_db.models import DBTaskResult

    report = _submit(lab, CategoryFactory(lab=lab), actor=operator)
    notification = Notification.objects.get(report=report)
    assert notification.status == NotificationStatus.PENDING
    assert DBTaskResult.objects.filter(args_kwargs__args=[notification.pk]).count() == 1
    assert mail.outbox == []


def test_a_report_that_rolls_back_leaves_no_queued_email(lab, operator, database_queue):
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    category = CategoryFactory(lab=lab)

    def failing_request() -> None:
        with transaction.atomic():
            _submit(lab, category, actor=operator)
            raise RuntimeError("the request failed after the report was written")

    with pytest.raises(RuntimeError):
        failing_request()
    assert not Report.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_report_submit_stores_the_email_to_render_when_sent_with_a_database_queue(
    lab, operator, database_queue
):
    report = _submit(lab, CategoryFactory(lab=lab), actor=operator, language="en")
    notification = Notification.objects.get(report=report)
    assert notification.body == ""
    assert notification.template == services.EMAIL_REPORT_UPDATE
    assert notification.params == {"event": "submitted", "note": "", "status": "submitted"}
    assert notification.language == "en"
    assert notification.subject == f"Your report {report.tracking_code}: Submitted"


def test_notification_send_renders_the_body_in_the_recipient_language_when_it_runs(
    lab, operator, database_queue
):
    category = CategoryFactory(lab=lab, name_it="Ascensore", name_en="Lift")
    report = _submit(lab, category, actor=operator, language="en")
    notification = Notification.objects.get(report=report)

    sent = services.notification_send(notification_id=notification.pk)

    assert sent.status == NotificationStatus.SENT
    assert "we have received your report about “Lift”" in mail.outbox[0].body
    assert report.tracking_code in mail.outbox[0].body
    sent.refresh_from_db()
    assert sent.body == mail.outbox[0].body  # kept, as the outbox shows what went out


def test_notification_send_marks_the_row_failed_when_its_body_cannot_be_rendered(
    lab, operator, database_queue
):
    report = _submit(lab, CategoryFactory(lab=lab), actor=operator)
    notification = Notification.objects.get(report=report)
    Notification.objects.filter(pk=notification.pk).update(template="unknown")

    failed = services.notification_send(notification_id=notification.pk)

    assert failed.status == NotificationStatus.FAILED
    assert "unknown" in failed.last_error
    assert mail.outbox == []
    assert Report.objects.filter(pk=report.pk).exists()
