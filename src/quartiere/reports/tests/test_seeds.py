"""The demo reports: every status, consistent histories and due dates, followers and outbox."""

from __future__ import annotations

import itertools
import re

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from quartiere.accounts.models import Lab, User
from quartiere.core.models import AuditEvent
from quartiere.reports import selectors, sla, workflow
from quartiere.reports.enums import (
    OPEN_STATUSES,
    CommentVisibility,
    NotificationStatus,
    ReportStatus,
)
from quartiere.reports.models import (
    Category,
    Notification,
    Report,
    ReportComment,
    ReportFollower,
    ReportPolicy,
    ReportStatusChange,
)
from quartiere.reports.tests.factories import ReportFactory

pytestmark = pytest.mark.django_db

CODE = re.compile(r"^SG-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")


@pytest.fixture
def seeded() -> None:
    # A Wednesday morning in winter, so heating reports and open reports both exist.
    with time_machine.travel("2026-01-14 10:30 +0100", tick=False):
        call_command("seed_demo", scale="tiny", seed=3)


def test_seed_demo_reports_every_status_when_tiny(seeded):
    statuses = set(Report.objects.values_list("status", flat=True))
    assert statuses == set(ReportStatus.values)
    for lab in Lab.objects.all():
        assert set(lab.reports.values_list("status", flat=True)) == set(ReportStatus.values)


def test_seed_demo_gives_each_lab_categories_and_policy_when_run(seeded):
    for lab in Lab.objects.all():
        categories = Category.objects.filter(lab=lab)
        assert categories.count() == 11
        assert categories.filter(is_public=True).count() == 5
        lift = categories.get(code__endswith="-lift")
        question = lift.attributes.get(code="reduced-mobility")
        assert question.is_required
        assert question.value_keys == ["yes", "no"]
        conflicts = categories.get(code__endswith="-neighbours")
        assert conflicts.responsible_organisation is None
        assert not conflicts.is_public
        assert ReportPolicy.objects.get(lab=lab).holiday_subdivision == "MI"


def test_seed_demo_history_follows_the_workflow_when_tiny(seeded):
    for report in Report.objects.prefetch_related("status_changes"):
        changes = list(report.status_changes.all())
        assert changes[0].from_status == ""
        assert changes[0].to_status == ReportStatus.SUBMITTED
        assert changes[0].at == report.submitted_at
        for before, after in itertools.pairwise(changes):
            assert after.from_status == before.to_status
            assert workflow.can_transition(before.to_status, after.to_status)
            assert after.at >= before.at
        assert changes[-1].to_status == report.status
        assert report.status_changed_at == changes[-1].at


def test_seed_demo_due_dates_follow_service_levels_when_tiny(seeded):
    for report in Report.objects.select_related("category"):
        start = timezone.localdate(report.submitted_at)
        days = report.category.acknowledge_days
        assert report.acknowledge_due_on == sla.add_business_days(start, days, "MI")
        reopened = report.status_changes.filter(to_status=ReportStatus.REOPENED).last()
        if reopened is not None:
            start = timezone.localdate(reopened.at)
        days = report.category.resolve_days
        assert report.resolve_due_on == sla.add_business_days(start, days, "MI")


def test_seed_demo_fills_step_fields_when_tiny(seeded):
    for report in Report.objects.all():
        assert CODE.match(report.tracking_code)
        if report.status in (ReportStatus.RESOLVED, ReportStatus.CLOSED):
            assert report.resolution
            assert report.resolved_at is not None
        if report.status == ReportStatus.CLOSED:
            assert report.closed_at is not None
        if report.status == ReportStatus.REJECTED:
            assert report.rejection_reason
        if report.status == ReportStatus.FORWARDED:
            assert report.forwarded_to_id == report.category.responsible_organisation_id
        if report.status == ReportStatus.REOPENED:
            assert report.reopen_count == 1
            assert report.closed_at is None


def test_seed_demo_leaves_overdue_reports_when_tiny(seeded):
    with time_machine.travel("2026-01-14 10:30 +0100", tick=False):
        overdue = Report.objects.filter(selectors.overdue_filter())
        assert overdue.exists()
        assert all(r.is_overdue() for r in overdue)


def test_seed_demo_merges_into_an_open_report_of_the_same_place(seeded):
    merged = Report.objects.filter(status=ReportStatus.MERGED).select_related("merged_into")
    assert merged.exists()
    for report in merged:
        target = report.merged_into
        assert target.category_id == report.category_id
        assert target.building_id == report.building_id
        merge = report.status_changes.get(to_status=ReportStatus.MERGED)
        assert target.tracking_code in merge.note
        note = ReportComment.objects.get(report=target, body__contains=report.tracking_code)
        assert note.visibility == CommentVisibility.INTERNAL
        # the target was still open when the duplicate was merged into it
        later = target.status_changes.filter(at__lte=merge.at).last()
        assert later.to_status in OPEN_STATUSES | {ReportStatus.RESOLVED}


def test_seed_demo_writes_followers_comments_and_outbox_when_tiny(seeded):
    assert ReportFollower.objects.exists()
    assert all(f.email.endswith("@example.org") for f in ReportFollower.objects.all())
    assert ReportComment.objects.filter(visibility=CommentVisibility.PUBLIC).exists()
    assert ReportComment.objects.filter(visibility=CommentVisibility.INTERNAL).exists()
    sent = Notification.objects.filter(status=NotificationStatus.SENT)
    failed = Notification.objects.filter(status=NotificationStatus.FAILED)
    assert sent.exists()
    assert failed.exists()
    assert all(n.last_error and n.sent_at is None for n in failed)
    followed = set(ReportFollower.objects.values_list("report_id", "email"))
    assert set(Notification.objects.values_list("report_id", "recipient")) <= followed
    notification = sent.first()
    assert notification.report.tracking_code in notification.subject


def test_seed_demo_uses_synthetic_contacts_when_not_registered(seeded):
    contacts = Report.objects.filter(resident__isnull=True).exclude(contact_email="")
    assert all(r.contact_email.endswith("@example.org") for r in contacts)
    assert Report.objects.filter(resident__isnull=False).exists()
    for report in Report.objects.filter(resident__isnull=False).select_related("resident"):
        assert report.resident.lab_id == report.lab_id


def test_seed_demo_shows_housing_staff_the_reports_forwarded_to_them(seeded):
    housing = User.objects.get(username="aler.lorenteggio")
    visible = list(selectors.report_list(user=housing))
    assert visible
    assert {r.forwarded_to.name for r in visible} == {"ALER Milano"}
    assert Report.objects.filter(assigned_to=housing).exists()


def test_seed_demo_audits_one_bulk_event_per_lab_when_run(seeded):
    events = AuditEvent.objects.filter(action="reports.bulk_create")
    assert events.count() == Lab.objects.count()
    assert sum(e.changes["reports"] for e in events) == Report.objects.count()


def test_seed_demo_moves_id_sequences_when_rows_carry_ids(seeded):
    highest = Report.objects.order_by("-pk").first()
    report = ReportFactory()
    assert report.pk > highest.pk


def test_seed_demo_is_deterministic_when_seed_is_the_same():
    runs = []
    for seed in (5, 5, 6):
        with transaction.atomic(), time_machine.travel("2026-01-14 10:30 +0100", tick=False):
            call_command("seed_demo", scale="tiny", seed=seed)
            runs.append(
                list(
                    Report.objects.order_by("pk").values_list(
                        "tracking_code", "status", "category__code", "submitted_at"
                    )
                )
            )
            transaction.set_rollback(True)
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_seed_demo_adds_no_reports_when_if_empty_and_data_present(seeded):
    before = (Report.objects.count(), ReportStatusChange.objects.count())
    call_command("seed_demo", scale="tiny", seed=3, if_empty=True)
    assert (Report.objects.count(), ReportStatusChange.objects.count()) == before


def test_replica_tells_the_template_stories_in_its_own_lab_when_region(seeded):
    # Region scale copies a few labs' histories onto the others: the copy stays consistent.
    import random

    from django.contrib.auth import get_user_model

    from quartiere.reports import seeds, services

    reader = get_user_model().objects.get(username="admin")
    labs = seeds.labs_from_database(reader)
    places = seeds.places_from_database(reader, labs)
    source, target = labs["lorenteggio"], labs["bollate"]

    def categories(lab):
        by_slug = {c.code.split("-", 1)[1]: c for c in Category.objects.filter(lab=lab)}
        return [(spec, by_slug[spec.slug]) for spec in seeds.CATEGORIES]

    rng, ids = random.Random(9), seeds._Ids()
    template = seeds._LabBuilder(
        rng=rng,
        lab=source,
        size="district",
        now=timezone.now(),
        ids=ids,
        clock=seeds._Clock("MI"),
        categories=categories(source),
        units=places["lorenteggio"],
        residents=seeds._residents(reader, source, places["lorenteggio"]),
        staff=seeds._Staff([], [], {}),
        api_key_id=None,
    )
    template.build(300)
    rows = template.rows()
    services.reports_bulk_create(actor=None, lab_id=source.pk, **rows)
    before = set(Report.objects.filter(lab=target).values_list("pk", flat=True))
    replica = seeds._Replica(
        template=template,
        rows=rows,
        lab=target,
        categories=categories(target),
        places=places["bollate"],
        residents=seeds._residents(reader, target, places["bollate"]),
        ids=ids,
        rng=rng,
    )
    services.reports_bulk_create(actor=None, lab_id=target.pk, **replica.rows())

    copies = Report.objects.filter(lab=target).exclude(pk__in=before)
    assert copies.count() == 300
    assert not copies.exclude(category__lab=target).exists()
    assert not copies.exclude(building=None).exclude(building__district=target.district).exists()
    assert not copies.exclude(resident=None).exclude(resident__lab=target).exists()
    for report in copies.filter(status=ReportStatus.MERGED).select_related("merged_into"):
        assert report.merged_into.lab_id == target.pk
        assert report.merged_into.building_id == report.building_id
        note = report.status_changes.get(to_status=ReportStatus.MERGED).note
        assert report.merged_into.tracking_code in note
    codes = list(Report.objects.values_list("tracking_code", flat=True))
    assert len(codes) == len(set(codes))
    copied = Notification.objects.filter(report__in=copies)
    assert all(n.report.tracking_code in n.subject for n in copied)


def test_reports_bulk_load_restores_indexes_and_foreign_keys_when_done(seeded):
    from django.db import connection

    from quartiere.reports import services

    def schema():
        with connection.cursor() as cursor:
            return {
                table: (sorted(map(str, connection.introspection.get_constraints(cursor, table))))
                for table in ("reports_report", "reports_reportstatuschange")
            }

    before = schema()
    with services.reports_bulk_load():
        report = ReportFactory()
        ReportStatusChange.objects.create(report=report, to_status=ReportStatus.SUBMITTED)
    assert schema() == before
    assert Report.objects.filter(pk=report.pk).exists()
