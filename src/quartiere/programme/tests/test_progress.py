"""Progress and funding totals (pure module)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from quartiere.programme import progress as calc
from quartiere.programme.progress import AllocationFact, MilestoneFact, Node


def test_leaf_progress_is_achieved_weight_over_total_weight() -> None:
    ms = [MilestoneFact(1, True), MilestoneFact(3, False)]
    assert calc.leaf_progress(ms) == 0.25


def test_leaf_without_milestones_is_zero_unless_completed() -> None:
    assert calc.leaf_progress([]) == 0.0
    assert calc.leaf_progress([], completed=True) == 1.0


def test_parent_progress_is_budget_weighted() -> None:
    done = Node(id="a", budget=Decimal(300), milestones=[MilestoneFact(1, True)])
    todo = Node(id="b", budget=Decimal(100), milestones=[MilestoneFact(1, False)])
    parent = Node(id="p", budget=Decimal(400), children=[done, todo])
    result = calc.tree_progress(parent)
    assert result == {"a": 1.0, "b": 0.0, "p": 0.75}


def test_parent_with_children_without_budget_takes_plain_mean() -> None:
    a = Node(id="a", milestones=[MilestoneFact(1, True)])
    b = Node(id="b", milestones=[MilestoneFact(1, False)])
    assert calc.tree_progress(Node(id="p", children=[a, b]))["p"] == 0.5


def test_nested_tree_rolls_up_two_levels() -> None:
    leaf = Node(
        id="l", budget=Decimal(10), milestones=[MilestoneFact(2, True), MilestoneFact(2, False)]
    )
    mid = Node(id="m", budget=Decimal(10), children=[leaf])
    other = Node(id="o", budget=Decimal(30), milestones=[MilestoneFact(1, True)])
    top = Node(id="t", children=[mid, other])
    assert calc.tree_progress(top)["t"] == (0.5 * 10 + 1.0 * 30) / 40


amounts = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False)
facts = st.lists(
    st.builds(
        AllocationFact,
        line=st.sampled_from(["L1", "L2", "L3", "L4"]),
        source=st.sampled_from(["POR FESR", "POR FSE", "PON METRO", "Regione", "Comune"]),
        amount=amounts,
        committed=amounts,
        paid=amounts,
    ),
    max_size=60,
)


@given(facts)
def test_totals_by_source_and_by_line_add_up_to_the_programme_total(rows) -> None:  # type: ignore[no-untyped-def]
    total = calc.grand_total(rows)
    by_source = calc.totals_by_source(rows)
    by_line = calc.totals_by_line(rows)
    for field in ("allocated", "committed", "paid"):
        s = sum((getattr(t, field) for t in by_source.values()), Decimal(0))
        ln = sum((getattr(t, field) for t in by_line.values()), Decimal(0))
        assert s == ln == getattr(total, field)


@given(st.dictionaries(st.text(max_size=3), amounts, max_size=8))
def test_shares_sum_to_one_or_zero(amounts_by_key) -> None:  # type: ignore[no-untyped-def]
    shares = calc.shares(amounts_by_key)
    total = sum(shares.values())
    assert abs(total - 1.0) < 1e-9 or total == 0.0


@given(st.lists(st.tuples(st.integers(0, 20), st.booleans()), max_size=20))
def test_leaf_progress_stays_between_zero_and_one(ms) -> None:  # type: ignore[no-untyped-def]
    value = calc.leaf_progress([MilestoneFact(w, a) for w, a in ms])
    assert 0.0 <= value <= 1.0
