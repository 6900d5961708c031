"""Reads of reports, scoped to what the user may see.

Lab staff see their labs' reports. Housing staff who are not lab staff see only the reports
forwarded to their organisation. Region officials see figures, not reports. The public sees
public categories aggregated to the building, and a report's history by its tracking code.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any, NamedTuple, cast

from django.db import connection
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import get_language

from quartiere.accounts.enums import Role
from quartiere.accounts.selectors import user_organisation_ids, user_scope
from quartiere.core import compiled
from quartiere.reports.enums import OPEN_STATUSES, CommentVisibility, ReportStatus
from quartiere.reports.models import (
    Category,
    CategoryAttribute,
    Notification,
    Open311Intake,
    Open311Key,
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
    scope = _visible_scope(user)
    if scope is None:
        return None
    lab_ids, forwarded_to_ids = scope
    return _visible_q(lab_ids, forwarded_to_ids)


def _visible_scope(user: Any) -> tuple[list[int] | None, list[int] | None] | None:
    """(the labs, the organisations the reports must be forwarded to) a user may read reports
    of, None for no limit; None when they may read none."""
    if not user.has_perm("reports.view_report"):
        return None
    scope = user_scope(user)
    if scope.all_labs and getattr(user, "is_superuser", False):
        return None, None
    if not scope.lab_ids:
        return None
    forwarded_to_ids = None
    if not (scope.roles & LAB_STAFF_ROLES) and Role.HOUSING_STAFF in scope.roles:
        forwarded_to_ids = sorted(user_organisation_ids(user))
    return sorted(scope.lab_ids), forwarded_to_ids


def _visible_q(lab_ids: Sequence[int] | None, forwarded_to_ids: Sequence[int] | None) -> Q:
    q = Q(lab_id__in=lab_ids) if lab_ids is not None else Q()
    if forwarded_to_ids is not None:
        q &= Q(forwarded_to_id__in=forwarded_to_ids)
    return q


def report_list(
    *,
    user: Any,
    lab_id: int | None = None,
    organisation_id: int | None = None,
    statuses: Sequence[str] | None = None,
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
    scope = _visible_scope(user)
    if scope is None:
        return Report.objects.none()
    qs = _filtered(
        **_plain_filters(
            scope,
            lab_id=lab_id,
            statuses=statuses or (OPEN_STATUSES if open_only else None),
            category_id=category_id,
            building_id=building_id,
            assigned_to=assigned_to,
            unassigned=unassigned,
            overdue=overdue,
        ),
        organisation_id=organisation_id,
    )
    text = q.strip()
    if text:
        code = text.upper()
        if code.startswith("SG-"):
            qs = qs.filter(tracking_code__startswith=code)
        else:
            qs = qs.filter(description__icontains=text)
    # Related rows come by primary key in small separate queries rather than a seven-table
    # join: at a million reports PostgreSQL spent ~35 ms planning the join for a 1 ms page.
    return qs.prefetch_related(
        "lab", "category", "building", "entrance", "unit", "assigned_to", "forwarded_to"
    ).order_by(*SORTS.get(sort, SORTS["-submitted"]))


def _plain_filters(
    scope: tuple[list[int] | None, list[int] | None],
    *,
    lab_id: int | None,
    statuses: Collection[str] | None,
    category_id: int | None,
    building_id: int | None,
    assigned_to: Any,
    unassigned: bool,
    overdue: bool | None,
) -> dict[str, Any]:
    """A queue's filters as ``_filtered`` takes them: plain values, None for a filter not set."""
    return {
        "lab_ids": scope[0],
        "forwarded_to_ids": scope[1],
        "lab_id": lab_id,
        "statuses": list(statuses) if statuses else None,
        "category_id": category_id or None,
        "building_id": building_id or None,
        "assigned_to_id": getattr(assigned_to, "pk", assigned_to),
        "unassigned": unassigned,
        "overdue_on": timezone.localdate() if overdue is not None else None,
        "overdue": overdue,
    }


def _filtered(
    *,
    lab_ids: Sequence[int] | None,
    forwarded_to_ids: Sequence[int] | None,
    lab_id: int | None,
    organisation_id: int | None = None,
    organisation_ids: Sequence[int] | None = None,
    statuses: Sequence[str] | None,
    category_id: int | None,
    building_id: int | None,
    assigned_to_id: int | None,
    unassigned: bool,
    overdue_on: dt.date | None,
    overdue: bool | None,
) -> QuerySet[Report]:
    """The visible reports (``_visible_scope``) with a queue's filters: every value is a plain
    one, so that the statement can be compiled once (core/compiled.py)."""
    qs = Report.objects.filter(_visible_q(lab_ids, forwarded_to_ids))
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    if organisation_id is not None:
        qs = qs.filter(forwarded_to_id=organisation_id)
    if statuses:
        qs = qs.filter(status__in=statuses)
    if category_id:
        qs = qs.filter(category_id=category_id)
    if building_id:
        qs = qs.filter(building_id=building_id)
    if unassigned:
        qs = qs.filter(assigned_to__isnull=True)
    elif assigned_to_id is not None:
        qs = qs.filter(assigned_to_id=assigned_to_id)
    if overdue is True:
        qs = qs.filter(overdue_filter(overdue_on))
    elif overdue is False:
        qs = qs.exclude(overdue_filter(overdue_on))
    if organisation_ids is not None:
        qs = qs.filter(forwarded_to_id__in=organisation_ids)
    return qs


def report_queue_page_rows(
    *,
    user: Any,
    lab_id: int | None = None,
    organisation_ids: Iterable[int] | None = None,
    statuses: Sequence[str] | None = None,
    category_id: int | None = None,
    building_id: int | None = None,
    assigned_to: Any = None,
    unassigned: bool = False,
    overdue: bool | None = None,
    q: str = "",
    sort: str = "-submitted",
) -> Any:
    """A queue's reports (``report_list``; of ``organisation_ids`` for a housing queue) as
    tuples of ``QUEUE_ROW_FIELDS``, for a ``Paginator``: ``count()`` and a page each send one
    statement, compiled once per shape of the filters (core/compiled.py). A text search goes
    through the ORM (its pattern is built from the text)."""
    if q.strip():
        filters = {
            "lab_id": lab_id,
            "statuses": statuses,
            "category_id": category_id,
            "building_id": building_id,
            "assigned_to": assigned_to,
            "unassigned": unassigned,
            "overdue": overdue,
            "q": q,
            "sort": sort,
        }
        qs = (
            report_list(user=user, **filters)
            if organisation_ids is None
            else report_org_queue_list(user=user, organisation_ids=organisation_ids, **filters)
        )
        return qs.prefetch_related(None).values_list(*QUEUE_ROW_FIELDS)
    scope = _visible_scope(user)
    if scope is None:
        return Report.objects.none().values_list(*QUEUE_ROW_FIELDS)
    sort = sort if sort in SORTS else "-submitted"
    filters = _plain_filters(
        scope,
        lab_id=lab_id,
        statuses=statuses,
        category_id=category_id,
        building_id=building_id,
        assigned_to=assigned_to,
        unassigned=unassigned,
        overdue=overdue,
    )
    return compiled.PagedRows(
        ("reports.queue_page", sort),
        functools.partial(_queue_page_qs, sort=sort),
        **filters,
        organisation_ids=sorted(organisation_ids) if organisation_ids is not None else None,
    )


def _queue_page_qs(*, sort: str, **filters: Any) -> QuerySet[Any]:
    return _filtered(**filters).order_by(*SORTS[sort]).values_list(*QUEUE_ROW_FIELDS)


# The report's own columns a queue row shows; the labels of its relations come separately.
QUEUE_ROW_FIELDS = (
    "id",
    "tracking_code",
    "status",
    "channel",
    "lab_id",
    "category_id",
    "building_id",
    "entrance_id",
    "address_text",
    "assigned_to_id",
    "acknowledge_due_on",
    "resolve_due_on",
    "submitted_at",
)


def report_queue_values(qs: QuerySet[Report]) -> QuerySet[Report, dict[str, Any]]:
    """A scoped list (``report_list``) as plain rows of the report's own columns, for a queue.

    The sorted, paged query stays on the reports table alone (no joins to plan); the labels
    of a page's category, place, assignee and lab come from ``report_queue_labels``.
    """
    return qs.prefetch_related(None).select_related(None).values(*QUEUE_ROW_FIELDS)


def report_queue_labels(
    *, report_ids: Sequence[int], with_lab: bool = False
) -> dict[int, tuple[Any, ...]]:
    """Labels of a page of reports, in one query by primary key.

    Returns ``{report id: (category name it, category name en, street, number, stair name,
    assignee first name, last name, username[, lab name])}``; missing relations are None.
    Compiled once per page size (core/compiled.py).
    """
    if not report_ids:
        return {}
    rows = compiled.rows(
        "reports.queue_labels", _queue_label_qs, report_ids=report_ids, with_lab=with_lab
    )
    return {row[0]: row[1:] for row in rows}


def _queue_label_qs(*, report_ids: Sequence[int], with_lab: bool) -> QuerySet[Any]:
    fields = [
        "id",
        "category__name_it",
        "category__name_en",
        "building__street",
        "building__number",
        "entrance__name",
        "assigned_to__first_name",
        "assigned_to__last_name",
        "assigned_to__username",
    ]
    if with_lab:
        fields.append("lab__name")
    return Report.objects.filter(pk__in=list(report_ids)).order_by().values_list(*fields)


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


def _category_qs(
    *, lab_ids: Collection[int] | None, lab_id: int | None, active_only: bool = False
) -> QuerySet[Category]:
    qs = Category.objects.select_related("responsible_organisation", "lab").prefetch_related(
        "attributes"
    )
    if lab_ids is not None:
        qs = qs.filter(lab_id__in=lab_ids)
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("lab__name", "group", "name_it")


def category_list(
    *, user: Any, lab_id: int | None, active_only: bool = False
) -> QuerySet[Category]:
    """List the categories of the user's labs (or one lab), with their extra questions."""
    return _category_qs(lab_ids=user_scope(user).lab_filter, lab_id=lab_id, active_only=active_only)


def _category_choice_qs(*, lab_ids: Collection[int] | None, lab_id: int | None) -> QuerySet:
    return (
        _category_qs(lab_ids=lab_ids, lab_id=lab_id)
        .select_related(None)
        .prefetch_related(None)
        .values_list("pk", "name_it", "name_en", "lab__name")
    )


def category_choices(*, user: Any, lab_id: int | None) -> list[tuple[int, str, str]]:
    """(id, name in the current language, lab name) of the categories ``category_list`` shows,
    in its order: one light query for a select box (compiled once: core/compiled.py)."""
    english = (get_language() or "it").startswith("en")
    rows = compiled.rows(
        "reports.category_choices",
        _category_choice_qs,
        lab_ids=user_scope(user).lab_filter,
        lab_id=lab_id,
    )
    return [(pk, name_en if english else name_it, lab) for pk, name_it, name_en, lab in rows]


def category_get(*, user: Any, pk: int) -> Category | None:
    """Return a category of the user's labs."""
    return category_list(user=user, lab_id=None).filter(pk=pk).first()


def public_category_list(*, lab_id: int | None = None) -> QuerySet[Category]:
    """List the active categories anyone may report under (portal form, Open311)."""
    qs = (
        Category.objects.filter(is_active=True)
        .select_related("lab__report_policy")
        .prefetch_related("attributes")
    )
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    return qs.order_by("lab__name", "group", "name_it")


def public_category_get(*, code: str) -> Category | None:
    """Return an active category by its service code."""
    return public_category_list().filter(code=code).first()


# In the model's order of fields, as ``Model.from_db`` takes a subset of them.
_INTAKE_CATEGORY_FIELDS = tuple(
    f.attname
    for f in Category._meta.concrete_fields
    if f.attname
    in {"id", "lab_id", "code", "acknowledge_days", "resolve_days", "is_active", "is_public"}
)


def _intake_qs(*, key_prefix: str, service_code: str, building_id: int | None) -> QuerySet[Any]:
    from quartiere.territory.models import Building

    def scalar(sql: str, params: list[Any], field: Any) -> RawSQL:
        # Table names come from the models, values are bound parameters: no text is spliced.
        return RawSQL(sql, params, field)  # noqa: S611

    key_table = connection.ops.quote_name(Open311Key._meta.db_table)
    key_sql = f"SELECT {{}} FROM {key_table} WHERE prefix = %s AND is_active"  # noqa: S608
    attribute_table = connection.ops.quote_name(CategoryAttribute._meta.db_table)
    category_table = connection.ops.quote_name(Category._meta.db_table)
    building_table = connection.ops.quote_name(Building._meta.db_table)
    district = (
        scalar(
            f"SELECT district_id FROM {building_table} WHERE id = %s",  # noqa: S608
            [building_id],
            IntegerField(),
        )
        if building_id is not None
        else Value(None, IntegerField())
    )
    return (
        Category.objects.filter(is_active=True, code=service_code)
        .annotate(
            intake_key_id=scalar(key_sql.format("id"), [key_prefix], IntegerField()),
            intake_key_hash=scalar(key_sql.format("key_hash"), [key_prefix], CharField()),
            intake_key_lab_id=scalar(key_sql.format("lab_id"), [key_prefix], IntegerField()),
            intake_key_last_used_at=scalar(
                key_sql.format("last_used_at"), [key_prefix], DateTimeField()
            ),
            attribute_count=scalar(
                f"SELECT COUNT(*) FROM {attribute_table} "  # noqa: S608
                f"WHERE category_id = {category_table}.id",
                [],
                IntegerField(),
            ),
            intake_building_district_id=district,
        )
        .order_by("id")
        .values_list(
            *_INTAKE_CATEGORY_FIELDS,
            "lab__district_id",
            "intake_key_id",
            "intake_key_hash",
            "intake_key_lab_id",
            "intake_key_last_used_at",
            "attribute_count",
            "intake_building_district_id",
        )[:1]
    )


def open311_intake_get(
    *, key_prefix: str, service_code: str, building_id: int | None = None
) -> Category | None:
    """The active category of ``service_code`` with what an Open311 POST checks, in one query.

    The category (the fields an intake checks; others load when read) comes with its lab (id
    and district), plus:
    - ``intake_key``: the active API key whose prefix is ``key_prefix``, or None; its hash is
      still to be compared (``services.open311_key_verify``). Read here, never cached, so a
      revoked key is refused by the very next request;
    - ``intake_building``: the building ``building_id`` when it is in the category's district,
      else None;
    - ``attribute_count``: how many extra questions the category asks (none spares their query).

    Returns None for an unknown or inactive code (the caller then checks the key on its own).
    The statement is compiled once (``core.compiled``): compiling it took three times as long
    as running it, on the intake path that must keep up with a bare insert.
    """
    from quartiere.accounts.models import Lab
    from quartiere.territory.models import Building

    found = compiled.rows(
        "reports.open311_intake",
        _intake_qs,
        key_prefix=key_prefix,
        service_code=service_code,
        building_id=building_id,
    )
    if not found:
        return None
    row = found[0]
    n = len(_INTAKE_CATEGORY_FIELDS)
    district_id, key_id, key_hash, key_lab_id, last_used_at, attributes, building_district = row[n:]
    category: Any = Category.from_db(None, list(_INTAKE_CATEGORY_FIELDS), list(row[:n]))
    category.lab = Lab.from_db(None, ["id", "district_id"], [category.lab_id, district_id])
    key = None
    if key_id is not None:
        key = Open311Key.from_db(
            None,
            ["id", "prefix", "key_hash", "lab_id", "is_active", "last_used_at"],
            [key_id, key_prefix, key_hash, key_lab_id, True, last_used_at],
        )
    building = None
    if building_id is not None and building_district == district_id:
        # What ``public_building_list`` would give intake of it: its id and district.
        building = Building.from_db(None, ["id", "district_id"], [building_id, district_id])
    category.intake_key = key
    category.intake_building = building
    category.attribute_count = attributes or 0
    return cast(Category, category)


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


# --- Public portal: where to report, and public reports aggregated to the building ---------


def public_building_list(*, district_id: int) -> QuerySet[Any]:
    """List a district's buildings for the public form and map: address and coordinates only."""
    from quartiere.territory.models import Building

    return (
        Building.objects.filter(district_id=district_id)
        .only("id", "district_id", "street", "number", "latitude", "longitude")
        .order_by("street", "number", "id")
    )


def public_entrance_list(*, district_id: int) -> QuerySet[Any]:
    """List the stairs of a district's buildings (name only) for the public form."""
    from quartiere.territory.models import Entrance

    return (
        Entrance.objects.filter(building__district_id=district_id)
        .only("id", "building_id", "name")
        .order_by("building_id", "name", "id")
    )


def public_map_category_list(*, lab_id: int | None = None) -> QuerySet[Category]:
    """List the categories whose reports are shown publicly, for the public list's filter."""
    from quartiere.accounts.enums import LabStatus

    qs = (
        Category.objects.filter(is_public=True)
        .exclude(lab__status=LabStatus.CLOSED)
        .select_related("lab")
        .only("id", "code", "name_it", "name_en", "lab__id", "lab__name", "lab__slug")
    )
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    return qs.order_by("lab__name", "name_it", "id")


_SUMMARY_FIELDS = (
    "lab_id",
    "lab__name",
    "lab__slug",
    "building_id",
    "building__street",
    "building__number",
    "building__latitude",
    "building__longitude",
    "category_id",
    "category__name_it",
    "category__name_en",
)


def _building_summary_qs(
    *,
    since: dt.datetime,
    lab_id: int | None,
    category_id: int | None,
    building_ids: list[int] | None,
) -> QuerySet[Any]:
    from quartiere.accounts.enums import LabStatus

    is_open = Q(status__in=OPEN_STATUSES)
    is_resolved = Q(status__in=[ReportStatus.RESOLVED, ReportStatus.CLOSED], resolved_at__gte=since)
    qs = Report.objects.filter(is_open | is_resolved, category__is_public=True).exclude(
        lab__status=LabStatus.CLOSED
    )
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    if category_id is not None:
        qs = qs.filter(category_id=category_id)
    if building_ids is not None:
        qs = qs.filter(building_id__in=building_ids)
    return (
        qs.values(*_SUMMARY_FIELDS)
        .annotate(
            open_count=Count("id", filter=is_open),
            resolved_count=Count("id", filter=is_resolved),
        )
        .order_by()
        .values_list(*_SUMMARY_FIELDS, "open_count", "resolved_count")
    )


def public_report_building_summary(
    *,
    lab_id: int | None = None,
    category_id: int | None = None,
    building_ids: Collection[int] | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Count public-category reports per building (open, resolved in 12 months, per category).

    Reports without a building are counted per lab ("elsewhere in the district"); with
    ``building_ids``, only the reports of those buildings are counted. One grouped
    query. Only building addresses and coordinates, lab and category names and
    counts come out: never a report, a description or a person. Merged duplicates, rejected
    reports and closed labs are left out.
    """
    from django.utils.translation import get_language

    found = compiled.rows(
        "reports.public_building_summary",
        _building_summary_qs,
        since=(now or timezone.now()) - dt.timedelta(days=365),
        lab_id=lab_id,
        category_id=category_id,
        building_ids=sorted(building_ids) if building_ids is not None else None,
    )
    names = (*_SUMMARY_FIELDS, "open_count", "resolved_count")
    rows = [dict(zip(names, row, strict=True)) for row in found]
    english = (get_language() or "it").startswith("en")
    buildings: dict[int, dict[str, Any]] = {}
    elsewhere: dict[int, dict[str, Any]] = {}
    totals = {"open_count": 0, "resolved_count": 0}
    for row in rows:
        if row["building_id"] is None:
            entry = elsewhere.setdefault(
                row["lab_id"],
                {
                    "lab_name": row["lab__name"],
                    "lab_slug": row["lab__slug"],
                    "open_count": 0,
                    "resolved_count": 0,
                    "categories": [],
                },
            )
        else:
            lat, lon = row["building__latitude"], row["building__longitude"]
            entry = buildings.setdefault(
                row["building_id"],
                {
                    "id": row["building_id"],
                    "address": f"{row['building__street']} {row['building__number']}",
                    "latitude": lat,
                    "longitude": lon,
                    "has_coordinates": lat is not None and lon is not None,
                    "lab_name": row["lab__name"],
                    "lab_slug": row["lab__slug"],
                    "open_count": 0,
                    "resolved_count": 0,
                    "categories": [],
                },
            )
        name = (row["category__name_en"] if english else "") or row["category__name_it"]
        entry["open_count"] += row["open_count"]
        entry["resolved_count"] += row["resolved_count"]
        entry["categories"].append(
            {
                "id": row["category_id"],
                "name": name,
                "open_count": row["open_count"],
                "resolved_count": row["resolved_count"],
            }
        )
        totals["open_count"] += row["open_count"]
        totals["resolved_count"] += row["resolved_count"]
    for entry in [*buildings.values(), *elsewhere.values()]:
        entry["categories"].sort(key=lambda c: (c["name"].casefold(), c["id"]))
    return {
        "buildings": sorted(
            buildings.values(), key=lambda b: (b["lab_name"], b["address"].casefold(), b["id"])
        ),
        "elsewhere": sorted(elsewhere.values(), key=lambda e: e["lab_name"]),
        "totals": totals,
    }


# --- Queues and exports ---------------------------------------------------------------------


def report_org_queue_list(
    *, user: Any, organisation_ids: Iterable[int], **filters: Any
) -> QuerySet[Report]:
    """List the visible reports forwarded to any of the given organisations (a housing queue)."""
    return report_list(user=user, **filters).filter(forwarded_to_id__in=list(organisation_ids))


REPORT_EXPORT_HEADER = (
    "tracking_code",
    "lab",
    "category",
    "status",
    "channel",
    "building",
    "stair",
    "place",
    "submitted_at",
    "acknowledge_due_on",
    "resolve_due_on",
    "overdue",
    "acknowledged_at",
    "forwarded_to",
    "resolved_at",
    "closed_at",
    "assigned_to",
)


def report_export_rows(*, qs: QuerySet[Report], with_resident: bool) -> Iterator[tuple[Any, ...]]:
    """Yield one plain row per report of a scoped list: no description, unit or contact details.

    The resident's name (registered resident or contact name) is added as a last column only
    when ``with_resident`` (the caller checked ``people.view_resident``).
    """
    related = ["lab", "category", "building", "entrance", "assigned_to", "forwarded_to"]
    if with_resident:
        related.append("resident")
    today = timezone.localdate()
    for r in qs.prefetch_related(None).select_related(*related).iterator(chunk_size=2000):
        row: tuple[Any, ...] = (
            r.tracking_code,
            r.lab.name,
            r.category.name,
            r.get_status_display(),
            r.get_channel_display(),
            r.building.address if r.building else "",
            r.entrance.name if r.entrance else "",
            "" if r.building else r.address_text,
            timezone.localtime(r.submitted_at),
            r.acknowledge_due_on,
            r.resolve_due_on,
            "yes" if r.is_overdue(today) else "no",
            timezone.localtime(r.acknowledged_at) if r.acknowledged_at else None,
            r.forwarded_to.name if r.forwarded_to else "",
            timezone.localtime(r.resolved_at) if r.resolved_at else None,
            timezone.localtime(r.closed_at) if r.closed_at else None,
            (r.assigned_to.get_full_name() or r.assigned_to.get_username())
            if r.assigned_to
            else "",
        )
        if with_resident:
            name = str(r.resident) if r.resident else r.contact_name
            row = (*row, name)
        yield row


# --- Open311 GeoReport v2 (public: no personal data) ---------------------------------------

OPEN311_WINDOW_DAYS = 90
OPEN311_MAX_RESULTS = 1000
# What an Open311 request shows: never the description, the contact, the resident or the unit.
OPEN311_REQUEST_FIELDS = (
    "tracking_code",
    "submitted_at",
    "status_changed_at",
    "resolve_due_on",
    "building_id",
    "category__code",
    "category__name_it",
    "category__name_en",
)


@functools.cache
def _open311_requests() -> QuerySet[Report, dict[str, Any]]:
    """Public-category reports as plain rows; the place and the agency are worked out in SQL.

    The place is the building (address and coordinates) or else the report's own point rounded
    to three decimals (about 100 m); ``address_text`` is free text and never leaves.
    Built once per process: resolving these expressions costs more than a small answer's SQL.
    Callers only chain on it (each ``filter`` is a clone), so the shared queryset is never run.
    """
    from django.db.models import Case, F, FloatField, OuterRef, Subquery, Value, When
    from django.db.models.functions import Cast, Coalesce, Concat, Round

    last_note = (
        ReportStatusChange.objects.filter(report=OuterRef("pk"))
        .exclude(note="")
        .order_by("-at", "-id")
        .values("note")[:1]
    )
    on_building_point = Q(building__latitude__isnull=False, building__longitude__isnull=False)

    def coordinate(name: str) -> Case:
        return Case(
            When(on_building_point, then=Cast(F(f"building__{name}"), FloatField())),
            default=Cast(Round(F(name), 3), FloatField()),
        )

    return (
        Report.objects.filter(category__is_public=True)
        .annotate(
            still_open=Case(When(status__in=OPEN_STATUSES, then=Value(True)), default=Value(False)),
            address=Case(
                When(
                    building__isnull=False,
                    then=Concat("building__street", Value(" "), "building__number"),
                ),
                default=Value(""),
            ),
            lat=coordinate("latitude"),
            long=coordinate("longitude"),
            agency_responsible=Coalesce(
                "forwarded_to__name", "category__responsible_organisation__name", "lab__name"
            ),
            status_notes=Subquery(last_note),
        )
        .values(
            *OPEN311_REQUEST_FIELDS,
            "still_open",
            "address",
            "lat",
            "long",
            "agency_responsible",
            "status_notes",
        )
    )


# The columns of an Open311 row, in the order ``_open311_requests`` selects them.
_OPEN311_ROW = (
    *OPEN311_REQUEST_FIELDS,
    "still_open",
    "address",
    "lat",
    "long",
    "agency_responsible",
    "status_notes",
)


def _open311_list_qs(
    *,
    tracking_codes: list[str] | None,
    service_codes: list[str] | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
    is_open: bool | None,
    limit: int,
) -> QuerySet[Report, tuple[Any, ...]]:
    qs = _open311_requests()
    if tracking_codes:
        qs = qs.filter(tracking_code__in=tracking_codes)
    else:
        qs = qs.filter(submitted_at__gte=start)
        if end is not None:
            qs = qs.filter(submitted_at__lte=end)
        if service_codes:
            qs = qs.filter(category__code__in=service_codes)
        if is_open is True:
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif is_open is False:
            qs = qs.exclude(status__in=OPEN_STATUSES)
    return qs.order_by("-submitted_at", "-id").values_list(*_OPEN311_ROW)[:limit]


def open311_request_list(
    *,
    tracking_codes: Sequence[str] = (),
    service_codes: Sequence[str] = (),
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    is_open: bool | None = None,
    limit: int = OPEN311_MAX_RESULTS,
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """List public-category reports as plain rows for Open311, newest first, at most ``limit``.

    Tracking codes override every other filter (as the spec says). Without dates the window is
    the last 90 days; with only an end date, the 90 days before it. No personal data is read.
    One statement, compiled once per shape of the filters (``core.compiled``): compiling it
    took about a third of the answer's time.
    """
    codes = sorted({c.strip().upper() for c in tracking_codes if c.strip()})
    if not codes and start is None:
        start = (end or now or timezone.now()) - dt.timedelta(days=OPEN311_WINDOW_DAYS)
    limit = int(limit)  # written into the SQL by Django: part of the key
    rows = compiled.rows(
        ("reports.open311_requests", limit),
        lambda **marked: _open311_list_qs(limit=limit, **marked),
        tracking_codes=codes or None,
        service_codes=(sorted(set(service_codes)) or None) if not codes else None,
        start=None if codes else start,
        end=None if codes else end,
        is_open=None if codes else is_open,
    )
    return [dict(zip(_OPEN311_ROW, row, strict=True)) for row in rows]


def open311_request_get(*, tracking_code: str) -> dict[str, Any] | None:
    """Return one public-category report as a plain Open311 row, or None (private or missing)."""
    code = (tracking_code or "").strip().upper()
    if not code:
        return None
    return _open311_requests().filter(tracking_code=code).first()


class Open311Token(NamedTuple):
    """What a token stands for: the request's id once it exists (None while the worker has
    not made the report yet), or why the worker refused it."""

    token: str
    service_request_id: str | None
    refusal: str


def open311_token_get(*, token: str) -> Open311Token | None:
    """Resolve a token: a request accepted for the worker (``Open311Intake``), or a report's
    own tracking code (a report created at once answers with its id, which is its token)."""
    token = (token or "").strip()
    if not token:
        return None
    row = (
        Open311Intake.objects.filter(token=token)
        .values_list("report__tracking_code", "error")
        .first()
    )
    if row is not None:
        return Open311Token(token, row[0], row[1])
    code = (
        Report.objects.filter(tracking_code=token.upper())
        .values_list("tracking_code", flat=True)
        .first()
    )
    return Open311Token(code, code, "") if code else None


def open311_unknown_service_codes(*, codes: Sequence[str]) -> list[str]:
    """Return the service codes that match no category."""
    known = set(Category.objects.filter(code__in=list(codes)).values_list("code", flat=True))
    return [c for c in codes if c not in known]


def open311_key_list() -> QuerySet[Open311Key]:
    """List the Open311 API keys (hashes only), with the lab each is bound to."""
    return Open311Key.objects.select_related("lab").order_by("name", "id")


def open311_key_get(*, prefix: str) -> Open311Key | None:
    """Return the API key with this prefix, or None."""
    return open311_key_list().filter(prefix=prefix.strip()).first()


# --- Figures --------------------------------------------------------------------------------

FIGURE_GROUPS = ("lab", "category", "month")


def _epoch_between(start: str, end: str, when: Q | None = None) -> Any:
    """Seconds from ``start`` to ``end`` (NULL when either is missing or ``when`` is false)."""
    from django.db.models import Case, F, FloatField, Func, When

    seconds = Func(
        F(end) - F(start),
        template="EXTRACT(EPOCH FROM %(expressions)s)",
        output_field=FloatField(),
    )
    if when is None:
        return seconds
    return Case(When(when, then=seconds), default=None, output_field=FloatField())


def _pg_median(expression: Any) -> Any:
    """PostgreSQL's exact median (PERCENTILE_CONT ignores NULLs) as an aggregate."""
    from django.db.models import Aggregate, FloatField

    return Aggregate(
        expression,
        function="PERCENTILE_CONT",
        template="%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)",
        output_field=FloatField(),
    )


def report_figures(
    *,
    user: Any,
    group_by: tuple[str, ...],
    start: dt.date,
    end: dt.date,
    lab_id: int | None = None,
    category_id: int | None = None,
) -> list[Any]:
    """Count and time the reports received from ``start``'s month to ``end``'s, per group.

    ``group_by`` takes any of "lab", "category", "month" (the month of receipt). Each row has
    the reports received, those still open, the median days to acknowledge and to resolve,
    and how many were resolved by their due date. Counts are aggregated in the database; the
    medians too on PostgreSQL (PERCENTILE_CONT), in Python elsewhere: one or two queries
    whatever the number of reports. Needs ``reports.view_report_figures``; labs outside the
    user's scope are never counted. Figures carry no personal data.
    """
    from django.db import connections
    from django.db.models import DateField, F
    from django.db.models.functions import TruncMonth
    from django.utils.translation import get_language

    from quartiere.reports import figures

    unknown = set(group_by) - set(FIGURE_GROUPS)
    if unknown:
        raise ValueError(f"unknown figure groups: {sorted(unknown)}")
    if not user.has_perm("reports.view_report_figures"):
        return []
    scope = user_scope(user)
    if lab_id is not None and not scope.sees_lab(lab_id):
        return []
    first = figures.month_start(start)
    after = figures.add_months(figures.month_start(end), 1)
    tz = timezone.get_current_timezone()
    qs = Report.objects.filter(
        submitted_at__gte=dt.datetime.combine(first, dt.time.min, tzinfo=tz),
        submitted_at__lt=dt.datetime.combine(after, dt.time.min, tzinfo=tz),
    )
    if scope.lab_filter is not None:
        qs = qs.filter(lab_id__in=scope.lab_filter)
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    if category_id is not None:
        qs = qs.filter(category_id=category_id)
    keys: list[str] = []
    if "lab" in group_by or "category" in group_by:
        keys += ["lab_id", "lab__name"]
    if "category" in group_by:
        keys += ["category_id", "category__name_it", "category__name_en"]
    if "month" in group_by:
        qs = qs.annotate(month=TruncMonth("submitted_at", output_field=DateField()))
        keys.append("month")
    resolved = Q(status__in=[ReportStatus.RESOLVED, ReportStatus.CLOSED], resolved_at__isnull=False)
    counts: dict[str, Any] = {
        "received": Count("id"),
        "open_count": Count("id", filter=Q(status__in=OPEN_STATUSES)),
        "acknowledged": Count("id", filter=Q(acknowledged_at__isnull=False)),
        "resolved": Count("id", filter=resolved),
        "within_sla": Count("id", filter=resolved & Q(resolved_at__date__lte=F("resolve_due_on"))),
    }
    on_postgres = connections[qs.db].vendor == "postgresql"
    if on_postgres:
        counts["median_acknowledge"] = _pg_median(_epoch_between("submitted_at", "acknowledged_at"))
        counts["median_resolve"] = _pg_median(
            _epoch_between("submitted_at", "resolved_at", when=resolved)
        )
    order = [
        k for k in ("lab__name", "lab_id", "category__name_it", "category_id", "month") if k in keys
    ]
    grouped = list(qs.values(*keys).annotate(**counts).order_by(*order))

    english = (get_language() or "it").startswith("en")
    rows: dict[tuple[Any, ...], Any] = {}
    for values in grouped:
        key = tuple(values[k] for k in keys)
        rows[key] = figures.FigureRow(
            lab_id=values.get("lab_id"),
            lab_name=values.get("lab__name") or "",
            category_id=values.get("category_id"),
            category_name=(
                (values.get("category__name_en") if english else "")
                or values.get("category__name_it")
                or ""
            ),
            month=values.get("month"),
            received=values["received"],
            open_count=values["open_count"],
            acknowledged=values["acknowledged"],
            resolved=values["resolved"],
            within_sla=values["within_sla"],
        )
        if on_postgres:
            median_ack, median_res = values["median_acknowledge"], values["median_resolve"]
            rows[key].median_acknowledge_days = (
                None if median_ack is None else median_ack / figures.SECONDS_PER_DAY
            )
            rows[key].median_resolve_days = (
                None if median_res is None else median_res / figures.SECONDS_PER_DAY
            )
    if not on_postgres and rows:
        durations: dict[tuple[Any, ...], tuple[list[float], list[float]]] = {
            key: ([], []) for key in rows
        }
        is_resolved = {ReportStatus.RESOLVED, ReportStatus.CLOSED}
        for *group, submitted, acknowledged, resolved_at, status in qs.values_list(
            *keys, "submitted_at", "acknowledged_at", "resolved_at", "status"
        ).iterator(chunk_size=5000):
            ack, res = durations[tuple(group)]
            if acknowledged is not None:
                ack.append((acknowledged - submitted).total_seconds())
            if resolved_at is not None and status in is_resolved:
                res.append((resolved_at - submitted).total_seconds())
        for key, (ack, res) in durations.items():
            rows[key].median_acknowledge_days = figures.median_days(ack)
            rows[key].median_resolve_days = figures.median_days(res)
    return list(rows.values())


def public_report_duplicates(*, category_id: int, building_id: int) -> list[dict[str, Any]]:
    """List open reports of a public category in a building: tracking code, date and status only."""
    rows = (
        Report.objects.filter(
            category_id=category_id,
            category__is_public=True,
            building_id=building_id,
            status__in=OPEN_STATUSES,
        )
        .order_by("-submitted_at", "-id")
        .values("tracking_code", "submitted_at", "status")[:10]
    )
    return [{**row, "status_label": ReportStatus(row["status"]).label} for row in rows]
