"""Reads on participation: public pages (no personal data) and staff lists scoped to labs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property

from quartiere.accounts.selectors import user_scope
from quartiere.activities import selectors as activity_selectors
from quartiere.core import compiled
from quartiere.participation.enums import (
    PUBLIC_PROPOSAL_STATUSES,
    CommentStatus,
    ProcessStatus,
    ProposalStatus,
)
from quartiere.participation.models import (
    Process,
    ProcessPhase,
    ProcessWorkshop,
    Proposal,
    ProposalComment,
    ProposalStatusChange,
    Support,
    WorkshopPhoto,
)

PUBLIC_PROCESS_STATUSES = (ProcessStatus.PUBLISHED, ProcessStatus.CLOSED)
# Sort key -> ORDER BY; every order ends on the id so pages never repeat or skip a row.
PROPOSAL_SORTS: dict[str, tuple[str, ...]] = {
    "supports": ("-support_count", "-submitted_at", "-id"),
    "recent": ("-submitted_at", "-id"),
    "oldest": ("submitted_at", "id"),
    "title": ("title", "id"),
}
DEFAULT_SORT = "supports"
# The columns of a proposal that the public process page shows (``proposal_public_page``).
PUBLIC_PROPOSAL_COLUMNS = (
    "id",
    "title",
    "description",
    "status",
    "author_public",
    "submitted_at",
    "support_count",
    "threshold_reached",
)


def _count(model: Any, field: str, **filters: Any) -> Coalesce:
    """A correlated COUNT subquery on ``model`` grouped by ``field`` (one query, no fan-out)."""
    sub = (
        model.objects.filter(**{field: OuterRef("pk")}, **filters)
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sub), Value(0))


# --- Public ---------------------------------------------------------------------------------


def _public_processes() -> QuerySet[Process]:
    return (
        Process.objects.filter(status__in=PUBLIC_PROCESS_STATUSES)
        .select_related("lab", "lab__district", "action", "action__programme")
        .prefetch_related("phases")
    )


def process_public_list(
    *, lab_id: int | None = None, action_id: int | None = None
) -> QuerySet[Process]:
    """List the public processes (published or closed), newest first, with their phases."""
    qs = _public_processes().annotate(
        proposal_count=_count(Proposal, "process", status__in=list(PUBLIC_PROPOSAL_STATUSES))
    )
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    if action_id is not None:
        qs = qs.filter(action_id=action_id)
    return qs.order_by("-created_at", "-id")


# What a link to a process shows (its title in the page's language and its status).
_LINK_FIELDS = ("id", "slug", "title_it", "title_en", "status")


def process_public_action_links(*, action_id: int) -> list[Process]:
    """The public processes linked to a programme action, newest first, as light instances
    (id, short name, titles, status: what a link shows), read with one statement compiled
    once (core/compiled.py): an action's public page lists them."""
    rows = compiled.rows(
        "participation.action_process_links", _action_links_qs, action_id=action_id
    )
    return [Process.from_db("default", _LINK_FIELDS, row) for row in rows]


def _action_links_qs(*, action_id: int) -> QuerySet[Any]:
    return (
        Process.objects.filter(status__in=PUBLIC_PROCESS_STATUSES, action_id=action_id)
        .order_by("-created_at", "-id")
        .values_list(*_LINK_FIELDS)
    )


def process_public_get(*, slug: str) -> Process | None:
    """Return a public process by its short name, with its lab and phases."""
    return _public_processes().filter(slug=slug).first()


def workshop_public_list(*, process: Process) -> QuerySet[ProcessWorkshop]:
    """List a process's workshops with their photos."""
    return (
        process.workshops.select_related("activity")
        .prefetch_related(Prefetch("photos", queryset=WorkshopPhoto.objects.order_by("id")))
        .order_by("held_on", "id")
    )


def photo_public_get(*, pk: int) -> WorkshopPhoto | None:
    """Return a photo of a workshop of a public process."""
    return (
        WorkshopPhoto.objects.filter(pk=pk, workshop__process__status__in=PUBLIC_PROCESS_STATUSES)
        .select_related("workshop")
        .first()
    )


def with_support_counts(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """Annotate each proposal with its support count and whether it reached the threshold."""
    return qs.annotate(support_count=Count("supports")).annotate(
        threshold_reached=ExpressionWrapper(
            Q(support_count__gte=F("process__support_threshold")), output_field=BooleanField()
        )
    )


def _public_proposals(*, process: Process, q: str, status: str) -> QuerySet[Proposal]:
    statuses = [status] if status in PUBLIC_PROPOSAL_STATUSES else sorted(PUBLIC_PROPOSAL_STATUSES)
    qs = Proposal.objects.filter(process=process, status__in=statuses)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return qs


def proposal_public_list(
    *, process: Process, q: str = "", status: str = "", sort: str = DEFAULT_SORT
) -> QuerySet[Proposal]:
    """List a process's public proposals with support counts; filter by text and status."""
    qs = _public_proposals(process=process, q=q, status=status).only(
        "id",
        "process_id",
        "title",
        "description",
        "status",
        "author_public",
        "submitted_at",
        "process__support_threshold",
    )
    qs = with_support_counts(qs)
    return qs.order_by(*PROPOSAL_SORTS.get(sort, PROPOSAL_SORTS[DEFAULT_SORT]))


class _CountedPaginator(Paginator):
    """A paginator whose total comes from a query without the support-count aggregation."""

    def __init__(self, object_list: Any, per_page: int, *, count_qs: QuerySet[Any]) -> None:
        super().__init__(object_list, per_page)
        self._count_qs = count_qs

    @cached_property
    def count(self) -> int:
        return self._count_qs.count()


def proposal_public_page(
    *,
    process: Process,
    q: str = "",
    status: str = "",
    sort: str = DEFAULT_SORT,
    number: Any = None,
    per_page: int = 20,
) -> Page:
    """Return one page of a process's public proposals with support counts (two queries).

    The page holds plain rows (dicts with the columns the public page shows: ``id``,
    ``title``, ``description``, ``status``, ``author_public``, ``submitted_at``,
    ``support_count``, ``threshold_reached``), not model instances: the page lists many.
    """
    rows = proposal_public_list(process=process, q=q, status=status, sort=sort).values(
        *PUBLIC_PROPOSAL_COLUMNS
    )
    count_qs = _public_proposals(process=process, q=q, status=status)
    return _CountedPaginator(rows, per_page, count_qs=count_qs).get_page(number)


def proposal_public_get(*, process: Process, pk: int) -> Proposal | None:
    """Return one public proposal of a process with its support count."""
    qs = Proposal.objects.filter(
        process=process, pk=pk, status__in=list(PUBLIC_PROPOSAL_STATUSES)
    ).select_related("process", "outcome_action", "outcome_action__programme")
    return with_support_counts(qs).first()


def comment_public_list(*, proposal: Proposal) -> QuerySet[ProposalComment]:
    """List a proposal's approved comments (hidden and pending ones are never public)."""
    return proposal.comments.filter(status=CommentStatus.APPROVED).only(
        "id", "proposal_id", "author_public", "body", "created_at"
    )


def outcome_change(*, proposal: Proposal) -> ProposalStatusChange | None:
    """Return the status change that recorded the proposal's outcome, if any."""
    return proposal.status_changes.filter(to_status=proposal.status).order_by("-at").first()


def supported_ids(*, resident: Any, proposal_ids: Iterable[int]) -> set[int]:
    """Return which of ``proposal_ids`` the resident supports (one query)."""
    if resident is None:
        return set()
    return set(
        Support.objects.filter(resident=resident, proposal_id__in=list(proposal_ids)).values_list(
            "proposal_id", flat=True
        )
    )


# --- Staff ----------------------------------------------------------------------------------


def process_list(*, user: Any, lab_id: int | None = None) -> QuerySet[Process]:
    """List the processes of the user's labs (every lab for region-wide roles), with counts."""
    scope = user_scope(user)
    qs = Process.objects.select_related("lab")
    if not scope.all_labs:
        qs = qs.filter(lab_id__in=scope.lab_ids)
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    return qs.annotate(
        proposal_count=_count(Proposal, "process"),
        pending_count=_count(Proposal, "process", status=ProposalStatus.SUBMITTED),
        support_count=_count(Support, "proposal__process"),
    ).order_by("-created_at", "-id")


def process_get(*, user: Any, pk: int) -> Process | None:
    """Return one process of the user's labs, or None."""
    scope = user_scope(user)
    qs = Process.objects.select_related("lab", "lab__district").prefetch_related("phases")
    if not scope.all_labs:
        qs = qs.filter(lab_id__in=scope.lab_ids)
    return qs.filter(pk=pk).first()


def phase_get(*, process: Process, pk: int) -> ProcessPhase | None:
    """Return one phase of a process."""
    return process.phases.filter(pk=pk).first()


def workshop_get(*, user: Any, pk: int) -> ProcessWorkshop | None:
    """Return one workshop of a process in the user's labs."""
    scope = user_scope(user)
    qs = ProcessWorkshop.objects.select_related("process", "process__lab").prefetch_related(
        "photos"
    )
    if not scope.all_labs:
        qs = qs.filter(process__lab_id__in=scope.lab_ids)
    return qs.filter(pk=pk).first()


def proposal_list(
    *, user: Any, process: Process, status: str = "", q: str = "", sort: str = "recent"
) -> QuerySet[Proposal]:
    """List every proposal of a process for staff, with support counts and who entered it."""
    qs = Proposal.objects.filter(process=process).select_related(
        "author_resident", "submitted_by", "process"
    )
    if status in ProposalStatus.values:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return with_support_counts(qs).order_by(*PROPOSAL_SORTS.get(sort, PROPOSAL_SORTS["recent"]))


def proposal_get(*, user: Any, pk: int) -> Proposal | None:
    """Return one proposal of the user's labs, with its process and author."""
    scope = user_scope(user)
    qs = Proposal.objects.select_related(
        "process", "process__lab", "author_resident", "submitted_by"
    )
    if not scope.all_labs:
        qs = qs.filter(process__lab_id__in=scope.lab_ids)
    return with_support_counts(qs.filter(pk=pk)).first()


def moderation_proposals(*, user: Any, lab_id: int | None = None) -> QuerySet[Proposal]:
    """List the proposals awaiting moderation in the user's labs, oldest first."""
    scope = user_scope(user)
    qs = Proposal.objects.filter(status=ProposalStatus.SUBMITTED).select_related(
        "process", "process__lab"
    )
    if not scope.all_labs:
        qs = qs.filter(process__lab_id__in=scope.lab_ids)
    if lab_id is not None:
        qs = qs.filter(process__lab_id=lab_id)
    return qs.order_by("submitted_at", "id")


def moderation_comments(*, user: Any, lab_id: int | None = None) -> QuerySet[ProposalComment]:
    """List the comments awaiting moderation in the user's labs, oldest first."""
    scope = user_scope(user)
    qs = ProposalComment.objects.filter(status=CommentStatus.PENDING).select_related(
        "proposal", "proposal__process"
    )
    if not scope.all_labs:
        qs = qs.filter(proposal__process__lab_id__in=scope.lab_ids)
    if lab_id is not None:
        qs = qs.filter(proposal__process__lab_id=lab_id)
    return qs.order_by("created_at", "id")


def comment_get(*, user: Any, pk: int) -> ProposalComment | None:
    """Return one comment on a proposal of the user's labs."""
    scope = user_scope(user)
    qs = ProposalComment.objects.select_related("proposal", "proposal__process")
    if not scope.all_labs:
        qs = qs.filter(proposal__process__lab_id__in=scope.lab_ids)
    return qs.filter(pk=pk).first()


def comment_list(*, proposal: Proposal) -> QuerySet[ProposalComment]:
    """List every comment of a proposal for staff (any status)."""
    return proposal.comments.select_related("moderated_by").order_by("created_at", "id")


def process_figures(*, user: Any, lab_id: int | None = None) -> list[dict[str, Any]]:
    """Per process: proposals by outcome, supports, distinct residents reached, and workshop
    attendances: the register's present lines for a workshop whose activity had its register
    taken, else the count typed on the workshop (how many workshops of each kind is given).
    Six queries, however many processes and workshops."""
    processes = list(process_list(user=user, lab_id=lab_id))
    ids = [p.pk for p in processes]
    by_status: dict[int, dict[str, int]] = {}
    for row in (
        Proposal.objects.filter(process_id__in=ids)
        .values("process_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        by_status.setdefault(row["process_id"], {})[row["status"]] = row["n"]
    people: dict[int, set[int]] = {pid: set() for pid in ids}
    for pid, rid in (
        Support.objects.filter(proposal__process_id__in=ids)
        .values_list("proposal__process_id", "resident_id")
        .distinct()
    ):
        people[pid].add(rid)
    for pid, rid in (
        Proposal.objects.filter(process_id__in=ids, author_resident__isnull=False)
        .values_list("process_id", "author_resident_id")
        .distinct()
    ):
        people[pid].add(rid)
    workshops = list(
        ProcessWorkshop.objects.filter(process_id__in=ids).values_list(
            "process_id", "activity_id", "participant_count"
        )
    )
    attended = activity_selectors.activity_attendance_counts(
        activity_ids={aid for _pid, aid, _n in workshops if aid is not None}
    )
    # Per process: [attendances, workshops counted from the register, workshops typed by hand]
    workshop_people: dict[int, list[int]] = {pid: [0, 0, 0] for pid in ids}
    for pid, aid, typed in workshops:
        figures = workshop_people[pid]
        if aid is not None and aid in attended:
            figures[0] += attended[aid]
            figures[1] += 1
        else:  # held before the register existed, or without a calendar activity
            figures[0] += typed
            figures[2] += 1
    out = []
    for p in processes:
        counts = by_status.get(p.pk, {})
        out.append(
            {
                "process": p,
                "proposals": sum(counts.values()),
                "published": sum(counts.get(s, 0) for s in PUBLIC_PROPOSAL_STATUSES),
                "accepted": counts.get(ProposalStatus.ACCEPTED, 0),
                "partly_accepted": counts.get(ProposalStatus.PARTLY_ACCEPTED, 0),
                "rejected": counts.get(ProposalStatus.REJECTED, 0),
                "supports": getattr(p, "support_count", 0),
                "residents_reached": len(people[p.pk]),
                "workshop_entries": workshop_people[p.pk][0],
                "workshops_from_register": workshop_people[p.pk][1],
                "workshops_typed": workshop_people[p.pk][2],
            }
        )
    return out


def proposal_export_rows(*, process: Process) -> Iterable[list[Any]]:
    """Rows of the proposals export: no personal data beyond the public author name."""
    qs = with_support_counts(Proposal.objects.filter(process=process)).order_by(
        "-support_count",  # type: ignore[misc]
        "submitted_at",
        "id",
    )
    for p in qs.iterator(chunk_size=2000):
        yield [
            p.pk,
            p.title,
            p.get_status_display(),
            p.get_channel_display(),
            p.author_public,
            p.submitted_at,
            getattr(p, "support_count", 0),
            bool(getattr(p, "threshold_reached", False)),
            p.outcome_reason,
        ]


def action_choices(*, lab_id: int | None) -> QuerySet[Any]:
    """List the programme actions a lab's process or proposal may link to (read-only)."""
    from quartiere.programme.models import Action

    if lab_id is None:
        return Action.objects.none()
    return (
        Action.objects.filter(Q(programme__lab_id=lab_id) | Q(programme__other_labs=lab_id))
        .select_related("programme")
        .distinct()
        .order_by("programme__name", "order", "id")
    )
