"""Plan versions side by side: what changed and why (pure, no database)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quartiere.relocation.plan_diff import ChangeKind, Reason, compare
from quartiere.relocation.solver import HouseholdNeed, UnitOffer, solve

# The CI machine is shared: data generation speed is not what these tests check.
SLOW_MACHINE = [HealthCheck.too_slow]


def unit(unit_id: str, area: float = 50.0, **kwargs: object) -> UnitOffer:
    return UnitOffer(unit_id=unit_id, floor_area_m2=area, **kwargs)  # type: ignore[arg-type]


def need(household_id: int, size: int = 2, **kwargs: object) -> HouseholdNeed:
    return HouseholdNeed(household_id=household_id, size=size, **kwargs)  # type: ignore[arg-type]


def codes(result: object) -> dict[int, dict[str, object]]:
    """The explanations as a plan version stores them (JSON round trip)."""
    stored = {h: e.codes for h, e in result.explanations.items()}  # type: ignore[attr-defined]
    return {int(h): e for h, e in json.loads(json.dumps(stored)).items()}


def test_identical_plans_have_no_changes() -> None:
    result = solve([need(1), need(2)], [unit("a"), unit("b")])

    assert compare(result, result) == []


def test_unit_taken_by_an_accepted_offer_moves_the_household() -> None:
    old = solve([need(1, preferred_unit_ids=("a",)), need(2)], [unit("a"), unit("b")])
    new = solve(
        [need(1, preferred_unit_ids=("a",)), need(2, locked_unit_id="a")], [unit("a"), unit("b")]
    )

    changes = compare(old, new)

    by_household = {c.household_id: c for c in changes}
    moved = by_household[1]
    assert (moved.kind, moved.old_unit_id, moved.new_unit_id) == (ChangeKind.MOVED, "a", "b")
    assert Reason("unit_taken", {"unit_id": "a", "taken_by": 2}) in moved.reasons
    lower = next(r for r in moved.reasons if r.code == "lower_score")
    assert lower.params["terms"]["preference"] == [4000, 0]
    assert Reason("locked") in by_household[2].reasons


def test_unit_leaving_the_pool_is_named_when_the_pool_is_known() -> None:
    old = solve([need(1)], [unit("a"), unit("b", 70)])
    new = solve([need(1)], [unit("b", 54)])

    (change,) = compare(old, new, new_pool={"b"})

    assert change.kind is ChangeKind.MOVED
    assert change.reasons[0] == Reason("unit_left_pool", {"unit_id": "a"})


def test_unit_free_in_the_new_plan_without_pool_is_unused() -> None:
    old = solve([need(1)], [unit("a")])
    new = solve([need(1, preferred_unit_ids=("b",))], [unit("a"), unit("b")])

    (change,) = compare(old, new)

    assert change.reasons[0] == Reason("unit_unused", {"unit_id": "a"})
    assert change.reasons[1].code == "better_score"


def test_newly_unmatched_household_carries_the_binding_constraint() -> None:
    old = solve([need(1, size=2)], [unit("a", 50)])
    new = solve([need(1, size=5)], [unit("a", 50)])

    (change,) = compare(old, new)

    assert change.kind is ChangeKind.NEWLY_UNMATCHED
    assert change.reasons[-1].code == "adequacy"
    assert change.reasons[-1].params["size"] == 5
    assert Reason("needs_changed", {"min_m2": [38.0, 68.0], "max_m2": [55.0, 93.0]}) in (
        change.reasons
    )


def test_newly_matched_household_says_why_it_was_not_before() -> None:
    old = solve([need(1)], [])
    new = solve([need(1)], [unit("a")])

    (change,) = compare(old, new, old_pool=set())

    assert change.kind is ChangeKind.NEWLY_MATCHED
    assert Reason("new_units", {"unit_id": "a"}) in change.reasons
    assert Reason("was_unmatched", {"constraint": "empty_pool"}) in change.reasons


def test_stored_mappings_and_codes_compare_like_results() -> None:
    old = solve([need(1, preferred_unit_ids=("a",)), need(2)], [unit("a"), unit("b")])
    new = solve(
        [need(1, preferred_unit_ids=("a",)), need(2, locked_unit_id="a")], [unit("a"), unit("b")]
    )

    stored = compare(
        dict(old.assignments),
        dict(new.assignments),
        old_explanations=codes(old),
        new_explanations=codes(new),
    )

    assert stored == compare(old, new)


def test_changes_are_ordered_by_kind_then_household() -> None:
    old = {10: "a", 2: "b", 3: "c"}
    new = {10: "b", 2: "a", 4: "c"}

    changes = compare(old, new)

    assert [(c.kind.value, c.household_id) for c in changes] == [
        ("moved", 2),
        ("moved", 10),
        ("newly_matched", 4),
        ("newly_unmatched", 3),
    ]


def test_stored_codes_of_an_unmatched_household_compare_like_results() -> None:
    old = solve([need(1), need(2)], [unit("a"), unit("b")])
    new = solve([need(1), need(2, needs_accessible=True)], [unit("a", floor=2), unit("b", floor=3)])

    stored = compare(
        dict(old.assignments),
        dict(new.assignments),
        old_explanations=codes(old),
        new_explanations=codes(new),
    )

    assert stored == compare(old, new)
    assert stored[-1].reasons[-1].code == "accessibility"


plans = st.dictionaries(st.integers(0, 8), st.sampled_from(["a", "b", "c", "d", "e"]), max_size=6)


@settings(deadline=None, suppress_health_check=SLOW_MACHINE)
@given(plans, plans)
def test_every_household_whose_unit_differs_appears_once(old: dict, new: dict) -> None:
    changes = compare(old, new)

    differing = {h for h in set(old) | set(new) if old.get(h) != new.get(h)}
    assert sorted(c.household_id for c in changes) == sorted(differing)
    for c in changes:
        assert (c.old_unit_id, c.new_unit_id) == (old.get(c.household_id), new.get(c.household_id))
