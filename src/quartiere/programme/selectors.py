"""Every read of the programme context: public (portal, open data) and back-office (scoped)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db import connection
from django.db.models import (
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from quartiere.accounts.selectors import user_scope
from quartiere.core.compiled import Statement, compile_query, run
from quartiere.core.models import AuditEvent
from quartiere.programme import progress as calc
from quartiere.programme.enums import ActionStatus, NewsStatus
from quartiere.programme.models import (
    ZERO,
    Action,
    ActionLine,
    ActionPhoto,
    Allocation,
    AllocationPayment,
    Document,
    FundingSource,
    Milestone,
    NewsItem,
    Programme,
)

MONEY = DecimalField(max_digits=16, decimal_places=2)


# --- Data shapes ---------------------------------------------------------------------------


@dataclass
class ActionNode:
    """An action in the tree with its progress and its (rolled-up) funding."""

    action: Action
    depth: int = 0
    children: list[ActionNode] = field(default_factory=list)
    progress: float = 0.0
    funding: dict[str, Decimal] = field(default_factory=dict)
    allocated_amount: Decimal = ZERO
    committed_amount: Decimal = ZERO
    paid_amount: Decimal = ZERO
    url: str = ""  # the public page of the action, when a public view sets it

    @property
    def status(self) -> str:
        return self.action.status

    @property
    def status_label(self) -> str:
        return str(self.action.get_status_display())

    @property
    def progress_percent(self) -> int:
        return round(self.progress * 100)

    def walk(self) -> Iterable[ActionNode]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class LineNode:
    line: ActionLine
    actions: list[ActionNode] = field(default_factory=list)
    budget_amount: Decimal = ZERO
    allocated_amount: Decimal = ZERO
    committed_amount: Decimal = ZERO
    paid_amount: Decimal = ZERO
    progress: float = 0.0

    @property
    def progress_percent(self) -> int:
        return round(self.progress * 100)

    @property
    def rows(self) -> list[ActionNode]:
        """The line's actions and their parts, depth-first in display order."""
        return [node for root in self.actions for node in root.walk()]


@dataclass
class ProgrammeTree:
    programme: Programme
    lines: list[LineNode]
    roots: list[ActionNode]
    sources: list[FundingSource]
    budget_amount: Decimal = ZERO
    allocated_amount: Decimal = ZERO
    committed_amount: Decimal = ZERO
    paid_amount: Decimal = ZERO
    progress: float = 0.0
    # Allocated, committed and paid amounts per funding source (as ``funding_by_source``),
    # from the allocation rows the tree already read.
    by_source: list[FundingRow] = field(default_factory=list)
    # The allocation rows themselves (action, source, amounts, paid), as read.
    allocation_rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def progress_percent(self) -> int:
        return round(self.progress * 100)

    def nodes(self) -> Iterable[ActionNode]:
        """Every action node, depth-first in display order."""
        for root in self.roots:
            yield from root.walk()

    def node(self, action_id: int) -> ActionNode | None:
        return next((n for n in self.nodes() if n.action.pk == action_id), None)


@dataclass(frozen=True)
class FundingRow:
    code: str
    name: str
    kind: str
    allocated_amount: Decimal
    committed_amount: Decimal
    paid_amount: Decimal
    share: float

    @property
    def share_percent(self) -> float:
        return round(self.share * 100, 1)


@dataclass
class ActionDetail:
    action: Action
    node: ActionNode
    parent: Action | None
    children: list[ActionNode]
    milestones: list[Milestone]
    photos: list[ActionPhoto]
    documents: list[Document]
    allocations: list[Any]
    buildings: list[Any]
    news: list[NewsItem]

    @property
    def last_updated_at(self) -> Any:
        return self.action.last_updated_at


@dataclass
class SearchResults:
    q: str
    actions: list[Action] = field(default_factory=list)
    news: list[NewsItem] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.actions) + len(self.news) + len(self.documents)


# --- Compiled public reads -------------------------------------------------------------------
# The public pages' reads are the same few statements for every programme; Django takes longer
# to compile each of them into SQL than PostgreSQL takes to run it. Each is compiled once per
# process (with a mark where a value goes) and sent afresh, with its values, on every request:
# the SQL sent is exactly the ORM's, only its compilation is kept.


# Values that the compiled SQL cannot contain by chance: they mark where each value goes.
_MARKS: dict[str, Any] = {
    "programme_id": -900_000_001,
    "lab_id": -900_000_002,
    "action_id": -900_000_003,
    "slug": "\x00slug\x00",
    "key": "\x00key\x00",
}
_statements: dict[tuple[str, str], Statement] = {}


def _read(name: str, build: Any, **values: Any) -> list[tuple[Any, ...]]:
    """The rows of the statement ``build(**marks)`` (compiled once) with ``values`` in place."""
    key = (connection.vendor, name)
    statement = _statements.get(key)
    if statement is None:
        statement = compile_query(
            build(**{n: _MARKS[n] for n in values}), {n: _MARKS[n] for n in values}
        )
        _statements[key] = statement
    return run(statement, values)


# --- Building blocks -----------------------------------------------------------------------


def _paid_subquery() -> Subquery:
    return Subquery(
        AllocationPayment.objects.filter(allocation=OuterRef("pk"))
        .values("allocation")
        .annotate(total=Sum("amount"))
        .values("total"),
        output_field=MONEY,
    )


_ALLOCATION_FIELDS = (
    "action_id",
    "action__line_id",
    "source_id",
    "source__code",
    "source__name_it",
    "source__name_en",
    "source__kind",
    "source__order",
    "amount",
    "committed_amount",
    "paid",
)


def _allocation_qs(programme_id: int, *, published_only: bool) -> QuerySet[Any]:
    qs = Allocation.objects.filter(action__programme_id=programme_id)
    if published_only:
        qs = qs.filter(action__is_published=True)
    return (
        qs.annotate(paid=Coalesce(_paid_subquery(), Value(ZERO), output_field=MONEY))
        .order_by()
        .values_list(*_ALLOCATION_FIELDS)
    )


def _allocation_rows(programme: Programme, *, published_only: bool) -> list[dict[str, Any]]:
    """One query: every allocation of the programme with its line, source and paid amount."""
    if published_only:
        rows = _read(
            "public_allocations",
            lambda programme_id: _allocation_qs(programme_id, published_only=True),
            programme_id=programme.pk,
        )
    else:
        rows = list(_allocation_qs(programme.pk, published_only=False))
    return [dict(zip(_ALLOCATION_FIELDS, r, strict=True)) for r in rows]


def _facts(rows: list[dict[str, Any]]) -> list[calc.AllocationFact]:
    return [
        calc.AllocationFact(
            line=r["action__line_id"],
            source=r["source_id"],
            amount=r["amount"],
            committed=r["committed_amount"],
            paid=r["paid"],
        )
        for r in rows
    ]


def _in_model_order(model: Any, names: Iterable[str]) -> tuple[str, ...]:
    """``names`` in the order of the model's columns (as ``Model.from_db`` reads values)."""
    wanted = set(names)
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname in wanted)


# The columns the public pages show of an action (titles, place, status, budget, dates of the
# last update); the descriptions and the responsible body are read by the action page alone.
_PUBLIC_ACTION_FIELDS = _in_model_order(
    Action,
    (
        "id",
        "programme_id",
        "line_id",
        "parent_id",
        "key",
        "title_it",
        "title_en",
        "place_label",
        "latitude",
        "longitude",
        "status",
        "budget_amount",
        "order",
        "is_published",
        "last_updated_at",
    ),
)


_PUBLIC_LINE_FIELDS = _in_model_order(
    ActionLine, ("id", "programme_id", "code", "name_it", "name_en", "order")
)


def _public_tree_rows(
    programme: Programme,
) -> tuple[list[ActionLine], list[Action], list[tuple[Any, ...]]]:
    """Three compiled reads: the lines, the published actions and their milestones."""
    lines = [
        ActionLine.from_db("default", _PUBLIC_LINE_FIELDS, row)
        for row in _read(
            "public_lines",
            lambda programme_id: (
                ActionLine.objects.filter(programme_id=programme_id)
                .order_by("order", "code")
                .values_list(*_PUBLIC_LINE_FIELDS)
            ),
            programme_id=programme.pk,
        )
    ]
    rows = _read(
        "public_actions",
        lambda programme_id: (
            Action.objects.filter(programme_id=programme_id, is_published=True)
            .order_by()
            .values_list(*_PUBLIC_ACTION_FIELDS)
        ),
        programme_id=programme.pk,
    )
    # In the lines' order (already read: no join), then the actions' own order.
    line_by_id = {line.pk: line for line in lines}
    line_rank = {line.pk: n for n, line in enumerate(lines)}
    actions = []
    for row in rows:
        action = Action.from_db("default", _PUBLIC_ACTION_FIELDS, row)
        line = line_by_id.get(action.line_id)
        if line is not None:
            Action.line.field.set_cached_value(action, line)
        actions.append(action)
    actions.sort(key=lambda a: (line_rank.get(a.line_id, len(lines)), a.order, a.pk))
    milestone_rows = _read(
        "public_milestones",
        lambda programme_id: (
            Milestone.objects.filter(action__programme_id=programme_id, action__is_published=True)
            .order_by()
            .values_list("action_id", "weight", "achieved_on")
        ),
        programme_id=programme.pk,
    )
    return lines, actions, milestone_rows


def _build_tree(
    programme: Programme, *, published_only: bool, actions_qs: QuerySet[Action] | None = None
) -> ProgrammeTree:
    """Four queries: lines, actions, milestones, allocations (with payments and sources)."""
    if published_only and actions_qs is None:
        lines, actions, milestone_rows = _public_tree_rows(programme)
    else:
        lines = list(
            ActionLine.objects.filter(programme=programme)
            .only("id", "programme_id", "code", "name_it", "name_en", "order")
            .order_by("order", "code")
        )
        qs = actions_qs if actions_qs is not None else Action.objects.filter(programme=programme)
        if published_only:
            qs = qs.filter(is_published=True)
        qs = qs.select_related("line", "responsible_organisation")
        actions = list(qs.order_by("line__order", "order", "id"))
        milestone_rows = list(
            Milestone.objects.filter(action__in=[a.pk for a in actions])
            .order_by()
            .values_list("action_id", "weight", "achieved_on")
        )
    alloc_rows = _allocation_rows(programme, published_only=published_only)
    seen: dict[int, FundingSource] = {}
    for r in alloc_rows:
        if r["source_id"] not in seen:
            seen[r["source_id"]] = FundingSource(
                id=r["source_id"],
                code=r["source__code"],
                name_it=r["source__name_it"],
                name_en=r["source__name_en"],
                kind=r["source__kind"],
                order=r["source__order"],
            )
    sources = sorted(seen.values(), key=lambda s: (s.order, s.code))

    milestones: dict[int, list[calc.MilestoneFact]] = {}
    for action_id, weight, achieved_on in milestone_rows:
        milestones.setdefault(action_id, []).append(
            calc.MilestoneFact(weight=weight, achieved=achieved_on is not None)
        )
    nodes = {a.pk: ActionNode(action=a) for a in actions}
    for row in alloc_rows:
        node = nodes.get(row["action_id"])
        if node is None:
            continue
        code = row["source__code"]
        node.funding[code] = node.funding.get(code, ZERO) + row["amount"]
        node.allocated_amount += row["amount"]
        node.committed_amount += row["committed_amount"]
        node.paid_amount += row["paid"]

    roots: list[ActionNode] = []
    for a in actions:
        node = nodes[a.pk]
        parent = nodes.get(a.parent_id) if a.parent_id else None
        if parent is not None:
            parent.children.append(node)
        else:
            roots.append(node)

    calc_nodes: dict[int, calc.Node] = {}

    def to_calc(node: ActionNode, depth: int) -> calc.Node:
        node.depth = depth
        c = calc.Node(
            id=node.action.pk,
            budget=node.action.budget_amount,
            milestones=milestones.get(node.action.pk, ()),
            completed=node.action.status == ActionStatus.COMPLETED,
            children=[to_calc(child, depth + 1) for child in node.children],
        )
        calc_nodes[node.action.pk] = c
        return c

    progress_by_id = calc.forest_progress([to_calc(r, 0) for r in roots])

    def roll_up(node: ActionNode) -> None:
        node.progress = progress_by_id.get(node.action.pk, 0.0)
        for child in node.children:
            roll_up(child)
            for code, amount in child.funding.items():
                node.funding[code] = node.funding.get(code, ZERO) + amount
            node.allocated_amount += child.allocated_amount
            node.committed_amount += child.committed_amount
            node.paid_amount += child.paid_amount

    for root in roots:
        roll_up(root)

    line_nodes = {line.pk: LineNode(line=line) for line in lines}
    for root in roots:
        ln = line_nodes.get(root.action.line_id)
        if ln is None:
            continue
        ln.actions.append(root)
        ln.budget_amount += root.action.budget_amount
        ln.allocated_amount += root.allocated_amount
        ln.committed_amount += root.committed_amount
        ln.paid_amount += root.paid_amount
    for ln in line_nodes.values():
        ln.progress = calc.weighted_progress(
            (n.action.budget_amount, n.progress) for n in ln.actions
        )
    facts = _facts(alloc_rows)
    total = calc.grand_total(facts)
    by_source = _funding_rows(
        calc.totals_by_source(facts), [(s.pk, s.code, s.name, s.kind) for s in sources]
    )
    return ProgrammeTree(
        programme=programme,
        lines=list(line_nodes.values()),
        roots=roots,
        sources=sources,
        budget_amount=sum((r.action.budget_amount for r in roots), ZERO),
        allocated_amount=total.allocated,
        committed_amount=total.committed,
        paid_amount=total.paid,
        progress=calc.weighted_progress((r.action.budget_amount, r.progress) for r in roots),
        by_source=by_source,
        allocation_rows=alloc_rows,
    )


def _funding_rows(
    totals: dict[Hashable, calc.Totals], labels: list[tuple[Hashable, str, str, str]]
) -> list[FundingRow]:
    shares = calc.shares({k: t.allocated for k, t in totals.items()})
    out = []
    for key, code, name, kind in labels:
        t = totals.get(key, calc.Totals())
        out.append(
            FundingRow(
                code=code,
                name=name,
                kind=kind,
                allocated_amount=t.allocated,
                committed_amount=t.committed,
                paid_amount=t.paid,
                share=shares.get(key, 0.0),
            )
        )
    return out


# --- Public selectors (portal and open data): no personal data ------------------------------


def programme_public_list() -> QuerySet[Programme]:
    """Published programmes with their lead lab."""
    return (
        Programme.objects.filter(is_published=True)
        .select_related("lab", "district")
        .order_by("name")
    )


def programme_public_get(*, slug: str) -> Programme:
    """A published programme by its short name (Programme.DoesNotExist otherwise)."""
    return programme_public_list().get(slug=slug)


_PAGE_PROGRAMME_FIELDS = tuple(f.attname for f in Programme._meta.concrete_fields)
_PAGE_LAB_FIELDS = ("id", "name", "slug")


def programme_public_page_get(*, slug: str) -> Programme:
    """A published programme and its lab's name and short name (one compiled read).

    What the programme and action pages show of them (Programme.DoesNotExist otherwise).
    """
    lab_model = Programme.lab.field.related_model
    lab_fields = _in_model_order(lab_model, _PAGE_LAB_FIELDS)
    rows = _read(
        "public_programme",
        lambda slug: (
            Programme.objects.filter(slug=slug, is_published=True)
            .order_by()
            .values_list(*_PAGE_PROGRAMME_FIELDS, *(f"lab__{name}" for name in lab_fields))
        ),
        slug=slug,
    )
    if not rows:
        raise Programme.DoesNotExist
    row = rows[0]
    size = len(_PAGE_PROGRAMME_FIELDS)
    programme = Programme.from_db("default", _PAGE_PROGRAMME_FIELDS, row[:size])
    lab = lab_model.from_db("default", lab_fields, row[size:])
    Programme.lab.field.set_cached_value(programme, lab)
    return programme


def programme_for_lab(*, lab_id: int) -> Programme | None:
    """The published programme a lab communicates (led by it, else shared with it)."""
    qs = programme_public_list()
    return qs.filter(lab_id=lab_id).first() or qs.filter(other_labs__id=lab_id).distinct().first()


def action_by_key(*, programme_slug: str, key: str) -> Action | None:
    """An action by its programme's short name and its key (e.g. lorenteggio / giambellino-129)."""
    return (
        Action.objects.select_related("programme", "line")
        .filter(programme__slug=programme_slug, key=key)
        .first()
    )


def action_tree_public(*, programme: Programme) -> ProgrammeTree:
    """Published actions by line, with progress, status and funding per source (4 queries).

    ``tree.by_source`` holds the same rows as ``funding_by_source`` (no further query).
    """
    return _build_tree(programme, published_only=True)


def action_public_get(
    *, programme: Programme, action_id: int | None = None, key: str | None = None
) -> ActionDetail:
    """One published action with milestones, photos, documents, allocations, buildings, news."""
    qs = Action.objects.filter(programme=programme, is_published=True)
    if action_id is not None:
        qs = qs.filter(pk=action_id)
    elif key is not None:
        qs = qs.filter(key=key)
    else:
        raise Action.DoesNotExist
    action = qs.select_related("line", "responsible_organisation", "parent").get()
    return _action_detail(programme, action, published_only=True)


def _action_detail(programme: Programme, action: Action, *, published_only: bool) -> ActionDetail:
    # The subtree of this action: all actions of the programme, filtered in Python (one query).
    tree = _build_tree(programme, published_only=published_only)
    node = tree.node(action.pk) or ActionNode(action=action)
    milestones = list(Milestone.objects.filter(action=action).order_by("planned_on", "id"))
    photos = list(ActionPhoto.objects.filter(action=action).order_by("order", "id"))
    documents = Document.objects.filter(action=action).order_by("-published_on", "-id")
    if published_only:
        documents = documents.filter(is_public=True)
    allocations = list(
        Allocation.objects.filter(action=action)
        .select_related("source")
        .annotate(paid_amount=Coalesce(_paid_subquery(), Value(ZERO), output_field=MONEY))
        .prefetch_related(
            Prefetch("payments", queryset=AllocationPayment.objects.order_by("paid_on", "id"))
        )
        .order_by("source__order", "source__code")
    )
    buildings = list(action.buildings.order_by("street", "number"))
    news = list(
        NewsItem.objects.filter(action=action, status=NewsStatus.PUBLISHED).order_by(
            "-published_at"
        )[:5]
    )
    parent = action.parent
    if parent is not None and published_only and not parent.is_published:
        parent = None
    return ActionDetail(
        action=action,
        node=node,
        parent=parent,
        children=node.children,
        milestones=milestones,
        photos=photos,
        documents=list(documents),
        allocations=allocations,
        buildings=buildings,
        news=news,
    )


def _all_fields(model: Any) -> tuple[str, ...]:
    return tuple(f.attname for f in model._meta.concrete_fields)


def _instances(
    model: Any, name: str, build: Any, *, limit: int | None = None, **values: Any
) -> list[Any]:
    """Model instances (every column) from a compiled read (see ``_read``)."""
    fields = _all_fields(model)

    def statement(**marks: Any) -> QuerySet[Any]:
        qs = build(**marks).values_list(*fields)
        return qs[:limit] if limit else qs

    return [model.from_db("default", fields, row) for row in _read(name, statement, **values)]


def action_public_page(*, programme: Programme, ref: str) -> ActionDetail:
    """A published action for its public page, by key or id, with everything the page shows.

    The same content as ``action_public_get``, read with compiled statements: the action (with
    its responsible body's name), the programme's tree (its progress and funding, whose
    allocation rows give the action's own), milestones, photos, documents, buildings, news.
    Action.DoesNotExist when there is no such published action.
    """
    org_model = Action.responsible_organisation.field.related_model
    action_fields = _all_fields(Action)
    by_id = ref.isdigit()

    def action_qs(programme_id: int, **match: Any) -> QuerySet[Any]:
        return (
            Action.objects.filter(programme_id=programme_id, is_published=True, **match)
            .order_by()
            .values_list(*action_fields, "responsible_organisation__name")
        )

    if by_id:
        rows = _read(
            "page_action_by_id",
            lambda programme_id, action_id: action_qs(programme_id, id=action_id),
            programme_id=programme.pk,
            action_id=int(ref),
        )
    else:
        rows = _read(
            "page_action_by_key",
            lambda programme_id, key: action_qs(programme_id, key=key),
            programme_id=programme.pk,
            key=ref,
        )
    if not rows:
        raise Action.DoesNotExist
    action = Action.from_db("default", action_fields, rows[0][:-1])
    if action.responsible_organisation_id is not None:
        values = {"id": action.responsible_organisation_id, "name": rows[0][-1]}
        names = _in_model_order(org_model, values)
        organisation = org_model.from_db("default", names, [values[n] for n in names])
        Action.responsible_organisation.field.set_cached_value(action, organisation)
    tree = _build_tree(programme, published_only=True)
    node = tree.node(action.pk) or ActionNode(action=action)
    for line in tree.lines:
        if line.line.pk == action.line_id:
            Action.line.field.set_cached_value(action, line.line)
    parent_node = tree.node(action.parent_id) if action.parent_id else None
    sources = {s.pk: s for s in tree.sources}
    allocations = [
        SimpleNamespace(
            source=sources[r["source_id"]],
            amount=r["amount"],
            committed_amount=r["committed_amount"],
            paid_amount=r["paid"],
        )
        for r in tree.allocation_rows
        if r["action_id"] == action.pk
    ]
    allocations.sort(key=lambda a: (a.source.order, a.source.code))
    action_id = action.pk
    building_model = Action.buildings.field.related_model
    return ActionDetail(
        action=action,
        node=node,
        parent=parent_node.action if parent_node is not None else None,
        children=node.children,
        milestones=_instances(
            Milestone,
            "page_milestones",
            lambda action_id: Milestone.objects.filter(action_id=action_id).order_by(
                "planned_on", "id"
            ),
            action_id=action_id,
        ),
        photos=_instances(
            ActionPhoto,
            "page_photos",
            lambda action_id: ActionPhoto.objects.filter(action_id=action_id).order_by(
                "order", "id"
            ),
            action_id=action_id,
        ),
        documents=_instances(
            Document,
            "page_documents",
            lambda action_id: Document.objects.filter(action_id=action_id, is_public=True).order_by(
                "-published_on", "-id"
            ),
            action_id=action_id,
        ),
        allocations=allocations,
        buildings=_instances(
            building_model,
            "page_buildings",
            lambda action_id: building_model._default_manager.filter(
                programme_actions__id=action_id
            ).order_by("street", "number"),
            action_id=action_id,
        ),
        news=_instances(
            NewsItem,
            "page_news",
            lambda action_id: NewsItem.objects.filter(
                action_id=action_id, status=NewsStatus.PUBLISHED
            ).order_by("-published_at"),
            limit=5,
            action_id=action_id,
        ),
    )


def milestone_public_list(
    *, programme: Programme, achieved: bool | None = None, limit: int | None = 10
) -> list[Milestone]:
    """Milestones of the published actions; achieved: latest first, not achieved: next first."""
    qs = Milestone.objects.filter(
        action__programme=programme, action__is_published=True
    ).select_related("action", "action__line")
    if achieved is True:
        qs = qs.filter(achieved_on__isnull=False).order_by("-achieved_on", "-id")
    elif achieved is False:
        qs = qs.filter(achieved_on__isnull=True).order_by("planned_on", "id")
    else:
        qs = qs.order_by("planned_on", "id")
    return list(qs[:limit] if limit else qs)


def funding_by_source(*, programme: Programme, published_only: bool = True) -> list[FundingRow]:
    """Allocated, committed and paid amounts per funding source (sources with money only)."""
    rows = _allocation_rows(programme, published_only=published_only)
    totals = calc.totals_by_source(_facts(rows))
    sources = FundingSource.objects.filter(pk__in=list(totals)).order_by("order", "code")
    return _funding_rows(totals, [(s.pk, s.code, s.name, s.kind) for s in sources])


def funding_by_line(*, programme: Programme, published_only: bool = True) -> list[FundingRow]:
    """Allocated, committed and paid amounts per action line (every line, even empty ones)."""
    rows = _allocation_rows(programme, published_only=published_only)
    totals = calc.totals_by_line(_facts(rows))
    lines = ActionLine.objects.filter(programme=programme).order_by("order", "code")
    return _funding_rows(totals, [(ln.pk, ln.code, ln.name, "") for ln in lines])


def _news_qs() -> QuerySet[NewsItem]:
    return (
        NewsItem.objects.filter(status=NewsStatus.PUBLISHED, published_at__isnull=False)
        .select_related("lab", "programme")
        .defer("created_by")
        .order_by("-published_at", "-id")
    )


def news_public_list(
    *, programme: Programme | None = None, lab_id: int | None = None, limit: int | None = 10
) -> list[NewsItem]:
    """Published news of a programme or of a lab, newest first."""
    qs = _news_qs()
    if programme is not None:
        qs = qs.filter(Q(programme=programme) | Q(programme__isnull=True, lab_id=programme.lab_id))
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    return list(qs[:limit] if limit else qs)


_HEADLINE_FIELDS = _in_model_order(
    NewsItem, ("id", "lab_id", "programme_id", "slug", "title_it", "title_en", "published_at")
)


def news_public_headlines(*, programme: Programme, limit: int = 3) -> list[NewsItem]:
    """The titles and dates of the programme's latest published news (one compiled read).

    The same items as ``news_public_list(programme=..., limit=...)``, without their texts.
    """
    rows = _read(
        f"public_headlines_{int(limit)}",
        lambda programme_id, lab_id: (
            NewsItem.objects.filter(
                Q(programme_id=programme_id) | Q(programme__isnull=True, lab_id=lab_id),
                status=NewsStatus.PUBLISHED,
                published_at__isnull=False,
            )
            .order_by("-published_at", "-id")
            .values_list(*_HEADLINE_FIELDS)[:limit]
        ),
        programme_id=programme.pk,
        lab_id=programme.lab_id,
    )
    return [NewsItem.from_db("default", _HEADLINE_FIELDS, row) for row in rows]


def news_public_get(*, lab_id: int, slug: str) -> NewsItem:
    """One published news item (NewsItem.DoesNotExist otherwise)."""
    return _news_qs().get(lab_id=lab_id, slug=slug)


def document_public_list(*, programme: Programme, action: Action | None = None) -> list[Document]:
    """Public documents of a programme (or of one action), newest first."""
    qs = Document.objects.filter(programme=programme, is_public=True).select_related("action")
    qs = qs.filter(Q(action__isnull=True) | Q(action__is_published=True))
    if action is not None:
        qs = qs.filter(action=action)
    return list(qs.order_by("-published_on", "-id"))


def programme_search(
    *,
    q: str,
    programme: Programme | None = None,
    lab_id: int | None = None,
    limit: int = 20,
) -> SearchResults:
    """Search published actions, news and documents of a programme or a lab (3 queries)."""
    q = (q or "").strip()[:100]
    results = SearchResults(q=q)
    if len(q) < 2:
        return results
    programmes = Programme.objects.filter(is_published=True)
    if programme is not None:
        programmes = programmes.filter(pk=programme.pk)
    elif lab_id is not None:
        programmes = programmes.filter(Q(lab_id=lab_id) | Q(other_labs__id=lab_id))
    programme_ids = list(programmes.values_list("pk", flat=True))
    words = q.split()
    action_q = Q()
    news_q = Q()
    doc_q = Q()
    for w in words:
        action_q &= (
            Q(title_it__icontains=w)
            | Q(title_en__icontains=w)
            | Q(description_it__icontains=w)
            | Q(description_en__icontains=w)
            | Q(place_label__icontains=w)
            | Q(cup__iexact=w)
        )
        news_q &= (
            Q(title_it__icontains=w)
            | Q(title_en__icontains=w)
            | Q(body_it__icontains=w)
            | Q(body_en__icontains=w)
        )
        doc_q &= Q(title_it__icontains=w) | Q(title_en__icontains=w)
    results.actions = list(
        Action.objects.filter(action_q, programme_id__in=programme_ids, is_published=True)
        .select_related("programme", "line")
        .order_by("line__order", "order")[:limit]
    )
    news = _news_qs().filter(news_q)
    if programme is not None:
        news = news.filter(
            Q(programme=programme) | Q(programme__isnull=True, lab_id=programme.lab_id)
        )
    elif lab_id is not None:
        news = news.filter(lab_id=lab_id)
    results.news = list(news[:limit])
    results.documents = list(
        Document.objects.filter(doc_q, programme_id__in=programme_ids, is_public=True)
        .select_related("programme", "action")
        .order_by("-published_on")[:limit]
    )
    return results


# --- Open data rows (OpenCoesione-style) ----------------------------------------------------


def opendata_actions(*, programme: Programme) -> list[dict[str, Any]]:
    """Published actions with their funding by kind of source, commitments and payments."""
    actions = list(
        Action.objects.filter(programme=programme, is_published=True)
        .select_related("line", "parent", "responsible_organisation")
        .order_by("line__order", "order", "id")
    )
    rows = list(
        Allocation.objects.filter(action__programme=programme, action__is_published=True)
        .annotate(paid=Coalesce(_paid_subquery(), Value(ZERO), output_field=MONEY))
        .values("action_id", "source__kind", "amount", "committed_amount", "paid")
    )
    per_action: dict[int, dict[str, Decimal]] = {}
    for r in rows:
        d = per_action.setdefault(r["action_id"], {})
        kind = r["source__kind"]
        d[kind] = d.get(kind, ZERO) + r["amount"]
        d["_committed"] = d.get("_committed", ZERO) + r["committed_amount"]
        d["_paid"] = d.get("_paid", ZERO) + r["paid"]
    tree = _build_tree(programme, published_only=True)
    progress = {n.action.pk: n.progress for n in tree.nodes()}
    return [
        {"action": a, "funding": per_action.get(a.pk, {}), "progress": progress.get(a.pk, 0.0)}
        for a in actions
    ]


def opendata_allocations(*, programme: Programme) -> QuerySet[Allocation]:
    return (
        Allocation.objects.filter(action__programme=programme, action__is_published=True)
        .select_related("action", "source")
        .annotate(paid_amount=Coalesce(_paid_subquery(), Value(ZERO), output_field=MONEY))
        .order_by("action__line__order", "action__order", "action_id", "source__order")
    )


def opendata_payments(*, programme: Programme) -> QuerySet[AllocationPayment]:
    return (
        AllocationPayment.objects.filter(
            allocation__action__programme=programme, allocation__action__is_published=True
        )
        .select_related("allocation__action", "allocation__source")
        .order_by("paid_on", "id")
    )


# --- Back-office selectors (scoped to the user's labs) --------------------------------------


def programme_list(*, user: Any) -> QuerySet[Programme]:
    """Programmes of the labs the user works in (all for region-wide roles)."""
    qs = Programme.objects.select_related("lab", "district")
    scope = user_scope(user)
    if not scope.all_labs:
        qs = qs.filter(Q(lab_id__in=scope.lab_ids) | Q(other_labs__id__in=scope.lab_ids)).distinct()
    return qs.order_by("name")


def programme_get(*, user: Any, pk: int) -> Programme | None:
    return programme_list(user=user).filter(pk=pk).first()


def programme_manageable_list(*, user: Any) -> QuerySet[Programme]:
    """Programmes the user may edit: those led by one of the user's labs."""
    scope = user_scope(user)
    qs = Programme.objects.select_related("lab")
    if getattr(user, "is_superuser", False):
        return qs.order_by("name")
    return qs.filter(lab_id__in=scope.lab_ids).order_by("name")


def action_tree(*, programme: Programme) -> ProgrammeTree:
    """Every action of the programme (published or not), with progress and funding."""
    return _build_tree(programme, published_only=False)


def action_get(*, user: Any, pk: int) -> Action | None:
    """An action of a programme the user sees, or None."""
    programmes = programme_list(user=user).values("pk")
    return (
        Action.objects.select_related(
            "programme", "programme__lab", "line", "parent", "responsible_organisation"
        )
        .filter(pk=pk, programme__in=programmes)
        .first()
    )


def action_detail(*, action: Action) -> ActionDetail:
    """An action's detail for the back office (unpublished content included)."""
    return _action_detail(action.programme, action, published_only=False)


def action_history(*, action: Action) -> QuerySet[AuditEvent]:
    """The audit events of an action (its milestones, funding and documents included)."""
    return (
        AuditEvent.objects.filter(target_type="programme.action", target_id=str(action.pk))
        .select_related("actor")
        .order_by("-at", "-id")
    )


def action_choices(*, programme: Programme) -> QuerySet[Action]:
    return Action.objects.filter(programme=programme).order_by("line__order", "order", "id")


def line_list(*, programme: Programme) -> QuerySet[ActionLine]:
    return ActionLine.objects.filter(programme=programme).order_by("order", "code")


def funding_source_list(*, active_only: bool = True) -> QuerySet[FundingSource]:
    qs = FundingSource.objects.order_by("order", "code")
    return qs.filter(is_active=True) if active_only else qs


def milestone_get(*, action: Action, pk: int) -> Milestone | None:
    return Milestone.objects.filter(action=action, pk=pk).first()


def allocation_get(*, action: Action, pk: int) -> Allocation | None:
    return Allocation.objects.select_related("source").filter(action=action, pk=pk).first()


def payment_get(*, action: Action, pk: int) -> AllocationPayment | None:
    return (
        AllocationPayment.objects.select_related("allocation")
        .filter(allocation__action=action, pk=pk)
        .first()
    )


def news_list(
    *, user: Any, programme: Programme | None = None, status: str = ""
) -> QuerySet[NewsItem]:
    """News of the user's labs (drafts included), newest first."""
    scope = user_scope(user)
    qs = NewsItem.objects.select_related("lab", "programme", "action")
    if not scope.all_labs:
        qs = qs.filter(lab_id__in=scope.lab_ids)
    if programme is not None:
        qs = qs.filter(Q(programme=programme) | Q(programme__isnull=True, lab_id=programme.lab_id))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by(F("published_at").desc(nulls_first=True), "-id")


def news_get(*, user: Any, pk: int) -> NewsItem | None:
    return news_list(user=user).filter(pk=pk).first()


def document_list(*, programme: Programme) -> QuerySet[Document]:
    return (
        Document.objects.filter(programme=programme)
        .select_related("action")
        .order_by("-published_on", "-id")
    )


def document_get(*, programme: Programme, pk: int) -> Document | None:
    return document_list(programme=programme).filter(pk=pk).first()
