"""Reads of reports, scoped to what the user may see.

Lab staff see their labs' reports. Housing staff who are not lab staff see only the reports
forwarded to their organisation. Region officials see figures, not reports. The public sees
public categories aggregated to the building, and a report's history by its tracking code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from quartiere.accounts.enums import Role
from quartiere.accounts.selectors import user_organisation_ids, user_scope
from quartiere.reports.enums import OPEN_STATUSES, CommentVisibility, ReportStatus
from quartiere.reports.models import (
    Category,
    Notification,
    Report,
    ReportComment,
    ReportPolicy,
    ReportStatusChange,
)

LAB_STAFF_ROLES = frozenset({Role.LAB_COORDINATOR, Role.LAB_OPERATOR})
SORTS = {
    "due": ("resolve_due_on", "id"),
    "-due": ("-resolve_due_on", "-id"),
    "submitted": ("submitted_at", "id"),
    "-submitted": ("-submitted_at", "-id"),
    "status": ("status", "-submitted_at", "-id"),
    "category": ("category__name_it", "-submitted_at", "-id"),
}


def overdue_filter(today: dt.date | None = None) -> Q:
    """Open reports past the due date of the step they wait for."""
    today = today or timezone.localdate()
    return Q(status=ReportStatus.SUBMITTED, acknowledge_due_on__lt=today) | Q(
        status__in=OPEN_STATUSES, resolve_due_on__lt=today
    )


def _visible(user: Any) -> Q | None:
    """The filter of reports a user may read, or None when they may read none."""
    if not user.has_perm("reports.view_report"):
        return None
    scope = user_scope(user)
    if scope.all_labs and getattr(user, "is_superuser", False):
        return Q()
    if not scope.lab_ids:
        return None
    q = Q(lab_id__in=scope.lab_ids)
    if not (scope.roles & LAB_STAFF_ROLES) and Role.HOUSING_STAFF in scope.roles:
        q &= Q(forwarded_to_id__in=user_organisation_ids(user))
    return q


def report_list(
    *,
    user: Any,
    lab_id: int | None = None,
    organisation_id: int | None = None,
    statuses: list[str] | None = None,
    open_only: bool = False,
    category_id: int | None = None,
    building_id: int | None = None,
    assigned_to: Any = None,
    unassigned: bool = False,
    overdue: bool | None = None,
    q: str = "",
    sort: str = "-submitted",
) -> QuerySet[Report]:
    """List the reports a user may see, filtered for a queue, with what a queue row shows."""
    visible = _visible(user)
    if visible is None:
        return Report.objects.none()
    qs = Report.objects.filter(visible)
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    if organisation_id is not None:
        qs = qs.filter(forwarded_to_id=organisation_id)
    if statuses:
        qs = qs.filter(status__in=statuses)
    elif open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if category_id:
        qs = qs.filter(category_id=category_id)
    if building_id:
        qs = qs.filter(building_id=building_id)
    if unassigned:
        qs = qs.filter(assigned_to__isnull=True)
    elif assigned_to is not None:
        qs = qs.filter(assigned_to=assigned_to)
    if overdue is True:
        qs = qs.filter(overdue_filter())
    elif overdue is False:
        qs = qs.exclude(overdue_filter())
    text = q.strip()
    if text:
        code = text.upper()
        if code.startswith("SG-"):
            qs = qs.filter(tracking_code__startswith=code)
        else:
            qs = qs.filter(description__icontains=text)
    return qs.select_related(
        "category", "building", "entrance", "unit", "assigned_to", "forwarded_to"
    ).order_by(*SORTS.get(sort, SORTS["-submitted"]))


def report_get(*, user: Any, pk: int) -> Report | None:
    """Return one visible report with its history, comments, attachments and followers."""
    visible = _visible(user)
    if visible is None:
        return None
    return (
        Report.objects.filter(visible, pk=pk)
        .select_related(
            "lab",
            "category__responsible_organisation",
            "building",
            "entrance",
            "unit__building",
            "unit__entrance",
            "resident",
            "submitted_by",
            "assigned_to",
            "forwarded_to",
            "merged_into",
        )
        .prefetch_related(
            Prefetch(
                "status_changes",
                queryset=ReportStatusChange.objects.select_related("actor").order_by("at", "id"),
            ),
            Prefetch(
                "comments",
                queryset=ReportComment.objects.select_related("author").order_by(
                    "created_at", "id"
                ),
            ),
            "attachments",
            "followers",
            "merged_reports",
        )
        .first()
    )


def report_duplicates(
    *,
    user: Any,
    lab_id: int,
    category_id: int,
    building_id: int | None,
    exclude_pk: int | None = None,
) -> list[Report]:
    """List open reports of the same category in the same building (a duplicate warning)."""
    if building_id is None:
        return []
    qs = report_list(
        user=user, lab_id=lab_id, category_id=category_id, building_id=building_id, open_only=True
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs[:10])


def report_status_counts(*, user: Any, lab_id: int | None = None) -> dict[str, int]:
    """Count the visible reports of a lab per status, plus ``overdue``."""
    visible = _visible(user)
    if visible is None:
        return {}
    qs = Report.objects.filter(visible)
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    counts = {
        row["status"]: row["n"] for row in qs.values("status").annotate(n=Count("id")).order_by()
    }
    counts["overdue"] = qs.filter(overdue_filter()).count()
    return counts


# --- Categories -----------------------------------------------------------------------------


def category_list(
    *, user: Any, lab_id: int | None, active_only: bool = False
) -> QuerySet[Category]:
    """List the categories of the user's labs (or one lab), with their extra questions."""
    scope = user_scope(user)
    qs = Category.objects.select_related("responsible_organisation", "lab").prefetch_related(
        "attributes"
    )
    if not scope.all_labs:
        qs = qs.filter(lab_id__in=scope.lab_ids)
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("lab__name", "group", "name_it")


def category_get(*, user: Any, pk: int) -> Category | None:
    """Return a category of the user's labs."""
    return category_list(user=user, lab_id=None).filter(pk=pk).first()


def public_category_list(*, lab_id: int | None = None) -> QuerySet[Category]:
    """List the active categories anyone may report under (portal form, Open311)."""
    qs = (
        Category.objects.filter(is_active=True).select_related("lab").prefetch_related("attributes")
    )
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    return qs.order_by("lab__name", "group", "name_it")


def public_category_get(*, code: str) -> Category | None:
    """Return an active category by its service code."""
    return public_category_list().filter(code=code).first()


def report_policy_get(*, lab_id: int) -> ReportPolicy:
    """Return the lab's report policy, or the defaults when none was saved."""
    return ReportPolicy.objects.filter(lab_id=lab_id).first() or ReportPolicy(lab_id=lab_id)


# --- Public ---------------------------------------------------------------------------------


def report_public_get(*, tracking_code: str) -> Report | None:
    """Return a report by tracking code with its public history, without personal data."""
    code = (tracking_code or "").strip().upper()
    if not code:
        return None
    return (
        Report.objects.filter(tracking_code=code)
        .select_related("category", "lab", "building", "merged_into")
        .only(
            "id",
            "tracking_code",
            "status",
            "submitted_at",
            "resolve_due_on",
            "acknowledge_due_on",
            "resolved_at",
            "resolution",
            "rejection_reason",
            "category__name_it",
            "category__name_en",
            "category__is_public",
            "lab__name",
            "lab__slug",
            "lab__id",
            "building__street",
            "building__number",
            "merged_into__tracking_code",
        )
        .prefetch_related(
            Prefetch(
                "status_changes",
                queryset=ReportStatusChange.objects.only(
                    "report_id", "from_status", "to_status", "at", "note"
                ).order_by("at", "id"),
            ),
            Prefetch(
                "comments",
                queryset=ReportComment.objects.filter(visibility=CommentVisibility.PUBLIC)
                .only("report_id", "body", "created_at")
                .order_by("created_at", "id"),
                to_attr="public_comments",
            ),
        )
        .first()
    )


# --- Outbox ---------------------------------------------------------------------------------


def notification_list(
    *, user: Any, lab_id: int | None = None, status: str | None = None
) -> QuerySet[Notification]:
    """List the outbox of the user's labs (staff with ``reports.view_notification``)."""
    if not user.has_perm("reports.view_notification"):
        return Notification.objects.none()
    scope = user_scope(user)
    qs = Notification.objects.select_related("report")
    if not scope.all_labs:
        qs = qs.filter(lab_id__in=scope.lab_ids)
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")
