"""Properties of the relocation solver on small random instances, against brute force."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quartiere.relocation.solver import (
    ALL_SITUATIONS,
    DEFAULT_ADEQUACY,
    METHODS,
    STATEMENTS,
    Constraint,
    HouseholdNeed,
    UnitOffer,
    distance_km,
    score_matrix,
    solve,
)

START = date(2026, 4, 1)
SITUATIONS = sorted(ALL_SITUATIONS)

# The CI machine is shared: data generation speed is not what these tests check.
SLOW_MACHINE = [HealthCheck.too_slow]


def plain_feasible(need: HouseholdNeed, unit: UnitOffer) -> bool:
    """The hard constraints written out once more, in plain Python."""
    lo, hi = DEFAULT_ADEQUACY.range_for(need.size)
    return (
        lo <= unit.floor_area_m2
        and (hi is None or unit.floor_area_m2 <= hi)
        and (not need.needs_accessible or unit.is_accessible or unit.has_lift or unit.floor <= 0)
        and (
            need.must_move_by is None
            or unit.available_from is None
            or unit.available_from <= need.must_move_by
        )
        and need.tenancy_situation in unit.eligible_situations
        and (need.accepted_move_kinds is None or unit.move_kind in need.accepted_move_kinds)
    )


@st.composite
def instances(draw: Any) -> tuple[list[HouseholdNeed], list[UnitOffer]]:
    n_units = draw(st.integers(0, 5))
    units = [
        UnitOffer(
            unit_id=f"u{j}",
            floor_area_m2=draw(st.sampled_from([30.0, 40.0, 45.0, 50.0, 60.0, 70.0, 85.0])),
            floor=draw(st.integers(0, 4)),
            has_lift=draw(st.booleans()),
            is_accessible=draw(st.booleans()),
            zone_id=draw(st.sampled_from(["z1", "z2", None])),
            building_id=draw(st.sampled_from(["b1", "b2", "b3", None])),
            location=draw(
                st.none() | st.tuples(st.floats(45.40, 45.50), st.floats(9.05, 9.20))  # Milan
            ),
            available_from=draw(st.none() | st.integers(0, 90).map(lambda d: START + timedelta(d))),
            move_kind=draw(st.sampled_from(["temporary", "permanent"])),
            eligible_situations=draw(
                st.sets(st.sampled_from(SITUATIONS), min_size=1).map(frozenset)
            ),
        )
        for j in range(n_units)
    ]
    unit_ids = [u.unit_id for u in units]
    n_households = draw(st.integers(1, 5))
    locked_units = draw(
        st.lists(st.sampled_from(unit_ids), max_size=1) if unit_ids else st.just([])
    )
    needs = []
    for i in range(n_households):
        needs.append(
            HouseholdNeed(
                household_id=i,
                size=draw(st.integers(1, 7)),
                needs_accessible=draw(st.booleans()),
                tenancy_situation=draw(st.sampled_from(SITUATIONS)),
                origin=draw(st.none() | st.tuples(st.floats(45.40, 45.50), st.floats(9.05, 9.20))),
                preferred_unit_ids=tuple(
                    draw(st.lists(st.sampled_from([*unit_ids, "gone"]), max_size=2, unique=True))
                ),
                preferred_zone_ids=tuple(draw(st.lists(st.sampled_from(["z1", "z2"]), max_size=1))),
                neighbour_household_ids=tuple(
                    draw(st.lists(st.integers(0, n_households - 1), max_size=2, unique=True))
                ),
                must_move_by=draw(
                    st.none() | st.integers(0, 90).map(lambda d: START + timedelta(d))
                ),
                accepted_move_kinds=draw(
                    st.none()
                    | st.sampled_from([frozenset({"permanent"}), frozenset({"temporary"})])
                ),
                locked_unit_id=locked_units[i] if i < len(locked_units) else None,
            )
        )
    return needs, units


def brute_force(needs: list[HouseholdNeed], units: list[UnitOffer]) -> tuple[int, int]:
    """(most households matched, then highest total score) over every plan of the free part."""
    matrix = score_matrix(needs, units)
    locked = {n.locked_unit_id for n in needs if n.locked_unit_id is not None}
    rows = [i for i, n in enumerate(needs) if n.locked_unit_id is None]
    cols = [j for j, u in enumerate(units) if u.unit_id not in locked]
    best = (0, 0)

    def walk(k: int, used: frozenset[int], matched: int, score: int) -> None:
        nonlocal best
        if k == len(rows):
            best = max(best, (matched, score))
            return
        walk(k + 1, used, matched, score)
        i = rows[k]
        for j in cols:
            if j not in used and plain_feasible(needs[i], units[j]):
                walk(k + 1, used | {j}, matched + 1, score + int(matrix.points[i, j]))

    walk(0, frozenset(), 0, 0)
    return best


@settings(max_examples=150, deadline=None, suppress_health_check=SLOW_MACHINE)
@given(instances())
def test_plan_is_optimal_against_brute_force(instance: Any) -> None:
    needs, units = instance
    matrix = score_matrix(needs, units)
    locked_score = sum(
        matrix.pair_points(i, [u.unit_id for u in units].index(n.locked_unit_id))
        for i, n in enumerate(needs)
        if n.locked_unit_id is not None
    )
    n_locked = sum(n.locked_unit_id is not None for n in needs)

    result = solve(needs, units)

    matched, score = brute_force(needs, units)
    assert result.optimal
    assert (result.matched, result.objective) == (matched + n_locked, score + locked_score)


@settings(max_examples=150, deadline=None, suppress_health_check=SLOW_MACHINE)
@given(instances())
def test_feasibility_matches_the_plain_rules(instance: Any) -> None:
    needs, units = instance

    matrix = score_matrix(needs, units)

    expected = [[plain_feasible(n, u) for u in units] for n in needs]
    assert matrix.feasible.tolist() == expected


@settings(max_examples=150, deadline=None, suppress_health_check=SLOW_MACHINE)
@given(instances())
def test_plan_is_consistent_and_explained(instance: Any) -> None:
    needs, units = instance
    by_id = {u.unit_id: u for u in units}

    result = solve(needs, units)

    assigned = list(result.assignments.values())
    assert len(assigned) == len(set(assigned))  # no unit twice
    assert set(result.explanations) == {n.household_id for n in needs}
    for n in needs:
        explanation = result.explanations[n.household_id]
        unit_id = result.assignments.get(n.household_id)
        assert explanation.unit_id == unit_id
        if n.locked_unit_id is not None:
            assert unit_id == n.locked_unit_id
            assert explanation.locked
        elif unit_id is not None:
            assert plain_feasible(n, by_id[unit_id])
        else:
            free = [u for u in units if u.unit_id not in set(assigned)]
            suitable = [
                u
                for u in units
                if u.unit_id not in {m.locked_unit_id for m in needs} and plain_feasible(n, u)
            ]
            if explanation.reason is Constraint.COMPETITION:
                assert suitable
                assert not [u for u in free if plain_feasible(n, u)]
            else:
                assert not suitable


@settings(max_examples=100, deadline=None, suppress_health_check=SLOW_MACHINE)
@given(instances())
def test_every_engine_agrees(instance: Any) -> None:
    needs, units = instance

    results = [solve(needs, units, method=method) for method in METHODS]

    assert len({(r.matched, r.objective) for r in results}) == 1


@settings(max_examples=100, deadline=None, suppress_health_check=SLOW_MACHINE)
@given(instances())
def test_every_statement_has_a_wording_that_takes_its_parameters(instance: Any) -> None:
    needs, units = instance

    result = solve(needs, units)

    for explanation in result.explanations.values():
        assert explanation.statements
        for statement in explanation.statements:
            STATEMENTS[statement.code] % dict(statement.params)


@settings(max_examples=100, deadline=None, suppress_health_check=SLOW_MACHINE)
@given(
    st.tuples(st.floats(45.3, 45.6), st.floats(8.9, 9.4)),
    st.tuples(st.floats(45.3, 45.6), st.floats(8.9, 9.4)),
)
def test_matrix_distance_agrees_with_distance_km(origin: Any, location: Any) -> None:
    matrix = score_matrix(
        [HouseholdNeed(household_id=1, size=1, origin=origin)],
        [UnitOffer(unit_id="u", floor_area_m2=30.0, location=location)],
    )

    assert abs(matrix.km(0, 0) - distance_km(origin, location)) < 0.01  # 10 m over ~40 km
