"""Automatic closing of resolved reports after the reopen window."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from quartiere.reports.enums import ReportStatus
from quartiere.reports.tests.factories import ReportFactory

pytestmark = pytest.mark.django_db


def test_reports_close_resolved_is_a_dry_run_by_default(lab):
    report = ReportFactory(
        category__lab=lab,
        status=ReportStatus.RESOLVED,
        resolved_at=timezone.now() - dt.timedelta(days=30),
    )
    out = StringIO()
    call_command("reports_close_resolved", stdout=out)
    assert "Would close 1" in out.getvalue()
    report.refresh_from_db()
    assert report.status == ReportStatus.RESOLVED


def test_reports_close_resolved_closes_only_reports_past_the_window(lab):
    old = ReportFactory(
        category__lab=lab,
        status=ReportStatus.RESOLVED,
        resolved_at=timezone.now() - dt.timedelta(days=30),
    )
    recent = ReportFactory(
        category__lab=lab,
        status=ReportStatus.RESOLVED,
        resolved_at=timezone.now() - dt.timedelta(days=3),
    )
    out = StringIO()
    call_command("reports_close_resolved", "--apply", stdout=out)
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == ReportStatus.CLOSED
    assert old.status_changes.get().to_status == ReportStatus.CLOSED
    assert recent.status == ReportStatus.RESOLVED
    assert "Closed 1" in out.getvalue()
