"""Progress of actions and funding totals of a programme. Pure: no Django imports.

- A leaf action's progress is the achieved weight of its milestones over their total weight
  (no milestones: 0, or 1 when the action is completed).
- A parent's progress is the budget-weighted mean of its children's progress (equal weights when
  no child has a budget).
- Funding totals by source and by action line are computed from the same allocation rows, so
  they always add up to the programme total.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0")


@dataclass(frozen=True)
class MilestoneFact:
    weight: int
    achieved: bool


@dataclass
class Node:
    """One action of the tree, as far as progress is concerned."""

    id: Hashable
    budget: Decimal = ZERO
    milestones: Sequence[MilestoneFact] = ()
    completed: bool = False
    children: list[Node] = field(default_factory=list)


def leaf_progress(milestones: Iterable[MilestoneFact], *, completed: bool = False) -> float:
    """Achieved weight / total weight; a completed action without milestones counts as done."""
    total = 0
    achieved = 0
    for m in milestones:
        w = max(int(m.weight), 0)
        total += w
        if m.achieved:
            achieved += w
    if total == 0:
        return 1.0 if completed else 0.0
    return achieved / total


def weighted_progress(parts: Iterable[tuple[Decimal, float]]) -> float:
    """Budget-weighted mean of (budget, progress) pairs; a plain mean if all budgets are 0."""
    items = list(parts)
    if not items:
        return 0.0
    total_budget = sum((max(b, ZERO) for b, _ in items), ZERO)
    if total_budget == 0:
        return sum(p for _, p in items) / len(items)
    acc = sum((max(b, ZERO) * Decimal(str(p)) for b, p in items), ZERO)
    return float(acc / total_budget)


def tree_progress(root: Node) -> dict[Hashable, float]:
    """Return {node id: progress} for ``root`` and all its descendants."""
    out: dict[Hashable, float] = {}

    def visit(node: Node) -> float:
        if not node.children:
            value = leaf_progress(node.milestones, completed=node.completed)
        else:
            value = weighted_progress((child.budget, visit(child)) for child in node.children)
        out[node.id] = value
        return value

    visit(root)
    return out


def forest_progress(roots: Iterable[Node]) -> dict[Hashable, float]:
    """Progress of every node of several trees."""
    out: dict[Hashable, float] = {}
    for root in roots:
        out.update(tree_progress(root))
    return out


@dataclass(frozen=True)
class AllocationFact:
    """One allocation row: which action line and source, and how much."""

    line: Hashable
    source: Hashable
    amount: Decimal
    committed: Decimal = ZERO
    paid: Decimal = ZERO


@dataclass(frozen=True)
class Totals:
    allocated: Decimal = ZERO
    committed: Decimal = ZERO
    paid: Decimal = ZERO

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.allocated + other.allocated,
            self.committed + other.committed,
            self.paid + other.paid,
        )


def _group(rows: Iterable[AllocationFact], key: str) -> dict[Hashable, Totals]:
    out: dict[Hashable, Totals] = defaultdict(Totals)
    for row in rows:
        k = getattr(row, key)
        out[k] = out[k] + Totals(row.amount, row.committed, row.paid)
    return dict(out)


def totals_by_source(rows: Iterable[AllocationFact]) -> dict[Hashable, Totals]:
    """Allocated, committed and paid amounts per funding source."""
    return _group(rows, "source")


def totals_by_line(rows: Iterable[AllocationFact]) -> dict[Hashable, Totals]:
    """Allocated, committed and paid amounts per action line."""
    return _group(rows, "line")


def grand_total(rows: Iterable[AllocationFact]) -> Totals:
    """The programme's allocated, committed and paid amounts."""
    total = Totals()
    for row in rows:
        total = total + Totals(row.amount, row.committed, row.paid)
    return total


def shares(amounts: Mapping[Hashable, Decimal]) -> dict[Hashable, float]:
    """Each amount's share of the total (0 when the total is 0)."""
    total = sum(amounts.values(), ZERO)
    if total == 0:
        return dict.fromkeys(amounts, 0.0)
    return {k: float(v / total) for k, v in amounts.items()}
