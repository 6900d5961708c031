"""The relocation solver: hard constraints, objective, locks, explanations (pure, no database)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from quartiere.relocation.solver import (
    DEFAULT_ADEQUACY,
    METHODS,
    POINTS,
    STATEMENTS,
    AdequacyTable,
    Constraint,
    HouseholdNeed,
    PreferenceOutcome,
    Term,
    UnitOffer,
    Weights,
    distance_km,
    score_matrix,
    solve,
)

LORENTEGGIO = (45.4469, 9.1255)


def unit(unit_id: str, area: float = 50.0, **kwargs: object) -> UnitOffer:
    return UnitOffer(unit_id=unit_id, floor_area_m2=area, **kwargs)  # type: ignore[arg-type]


def need(household_id: int, size: int = 2, **kwargs: object) -> HouseholdNeed:
    return HouseholdNeed(household_id=household_id, size=size, **kwargs)  # type: ignore[arg-type]


# --- Hard constraints ------------------------------------------------------------------------


def test_household_without_adequate_unit_is_reported_with_adequacy() -> None:
    result = solve([need(1, size=6)], [unit("small", 40), unit("medium", 60)])

    explanation = result.explanations[1]
    assert result.assignments == {}
    assert explanation.reason is Constraint.ADEQUACY
    assert explanation.params["size"] == 6
    assert explanation.params["min_m2"] == 78.0
    assert explanation.params["max_m2"] is None


def test_unit_outside_the_size_range_is_never_assigned() -> None:
    result = solve([need(1, size=1)], [unit("too-big", 60), unit("fits", 40)])

    assert result.assignments == {1: "fits"}


def test_household_needing_access_gets_no_upper_floor_without_lift() -> None:
    units = [unit("stairs", floor=3), unit("ground", floor=0)]

    result = solve([need(1, needs_accessible=True)], units)

    assert result.assignments == {1: "ground"}


@pytest.mark.parametrize(
    "accessible_unit",
    [
        unit("lift", floor=5, has_lift=True),
        unit("flagged", floor=2, is_accessible=True),
        unit("ground", floor=0),
    ],
)
def test_lift_ground_floor_or_flag_make_a_unit_accessible(accessible_unit: UnitOffer) -> None:
    result = solve([need(1, needs_accessible=True)], [accessible_unit])

    assert result.assignments == {1: accessible_unit.unit_id}


def test_household_needing_access_with_only_stairs_is_reported_with_accessibility() -> None:
    result = solve([need(1, needs_accessible=True)], [unit("a", floor=2), unit("b", floor=4)])

    assert result.explanations[1].reason is Constraint.ACCESSIBILITY


def test_unit_available_after_the_vacate_date_is_not_assigned() -> None:
    units = [
        unit("late", available_from=date(2026, 9, 1)),
        unit("ready", available_from=date(2026, 5, 1)),
    ]

    result = solve([need(1, must_move_by=date(2026, 6, 30))], units)

    assert result.assignments == {1: "ready"}


def test_no_unit_available_in_time_is_reported_with_availability() -> None:
    units = [unit("late", available_from=date(2026, 9, 1))]

    result = solve([need(1, must_move_by=date(2026, 6, 30))], units)

    explanation = result.explanations[1]
    assert explanation.reason is Constraint.AVAILABILITY
    assert explanation.params["must_move_by"] == "2026-06-30"
    assert explanation.params["earliest_available"] == "2026-09-01"


def test_unit_closed_to_the_tenancy_situation_is_reported_with_eligibility() -> None:
    regular_only = frozenset({"regular"})
    units = [unit("aler", eligible_situations=regular_only)]

    result = solve([need(1, tenancy_situation="irregular_after_2016")], units)

    explanation = result.explanations[1]
    assert explanation.reason is Constraint.ELIGIBILITY
    assert explanation.params["tenancy_situation"] == "irregular_after_2016"


def test_eligible_situation_gets_the_unit() -> None:
    units = [unit("aler", eligible_situations=frozenset({"regular", "fragile"}))]

    result = solve([need(1, tenancy_situation="fragile")], units)

    assert result.assignments == {1: "aler"}


def test_household_accepting_only_permanent_moves_gets_no_temporary_unit() -> None:
    units = [unit("temp", move_kind="temporary")]

    result = solve([need(1, accepted_move_kinds=frozenset({"permanent"}))], units)

    assert result.explanations[1].reason is Constraint.MOVE_KIND


def test_binding_constraint_is_the_one_that_empties_the_set_in_turn() -> None:
    # Adequate units exist and accessible units exist, but no adequate one is accessible.
    units = [unit("adequate-upstairs", 50, floor=3), unit("too-small-ground", 20, floor=0)]

    result = solve([need(1, size=2, needs_accessible=True)], units)

    explanation = result.explanations[1]
    assert explanation.reason is Constraint.ACCESSIBILITY
    assert explanation.params["alone"] == {
        "adequacy": 1,
        "accessibility": 1,
        "availability": 2,
        "eligibility": 2,
        "move_kind": 2,
    }
    assert explanation.params["cumulative"][:2] == [["adequacy", 1], ["accessibility", 0]]


def test_household_outcompeted_for_the_only_unit_is_reported_with_competition() -> None:
    needs = [need(1, preferred_unit_ids=("only",)), need(2)]

    result = solve(needs, [unit("only")])

    assert result.assignments == {1: "only"}
    explanation = result.explanations[2]
    assert explanation.reason is Constraint.COMPETITION
    assert explanation.params["suitable_units"] == 1
    assert explanation.params["taken_by"] == [{"unit_id": "only", "household_id": 1}]


def test_empty_pool_is_reported() -> None:
    result = solve([need(1)], [])

    assert result.explanations[1].reason is Constraint.EMPTY_POOL


def test_no_households_gives_an_empty_plan() -> None:
    result = solve([], [unit("a")])

    assert (result.assignments, result.objective, result.matched) == ({}, 0, 0)


# --- Objective -------------------------------------------------------------------------------


def test_matching_one_more_household_outweighs_any_score() -> None:
    # Household 1 loves unit "a" but can also live in "b"; household 2 fits only "a".
    needs = [need(1, size=2, preferred_unit_ids=("a",)), need(2, size=1)]
    units = [unit("a", 40), unit("b", 54)]

    result = solve(needs, units)

    assert result.assignments == {1: "b", 2: "a"}


def test_first_preference_is_honoured_when_free() -> None:
    result = solve([need(1, preferred_unit_ids=("b", "a"))], [unit("a"), unit("b")])

    explanation = result.explanations[1]
    assert result.assignments == {1: "b"}
    assert explanation.terms[0].term is Term.PREFERENCE
    assert explanation.terms[0].params == {"choice": 1}
    assert explanation.preferences[0].outcome is PreferenceOutcome.HONOURED
    assert explanation.preferences[1].outcome is PreferenceOutcome.BETTER_PLAN


def test_preferred_zone_scores_half_a_first_choice() -> None:
    weights = Weights(preference=1, distance=0, area_fit=0, neighbours=0)

    result = solve(
        [need(1, preferred_zone_ids=("giambellino",))],
        [unit("a", zone_id="bande-nere"), unit("b", zone_id="giambellino")],
        weights=weights,
    )

    assert result.assignments == {1: "b"}
    assert result.objective == POINTS // 2


def test_nearer_unit_wins_on_distance() -> None:
    near = (LORENTEGGIO[0] + 0.002, LORENTEGGIO[1])
    far = (LORENTEGGIO[0] + 0.03, LORENTEGGIO[1])
    units = [unit("far", location=far), unit("near", location=near)]

    result = solve([need(1, origin=LORENTEGGIO)], units)

    distance = result.explanations[1].terms[1]
    assert result.assignments == {1: "near"}
    assert distance.params["km"] == pytest.approx(0.22, abs=0.01)


def test_unknown_position_scores_no_distance_and_says_so() -> None:
    result = solve([need(1)], [unit("a", location=LORENTEGGIO)])

    distance = result.explanations[1].terms[1]
    assert (distance.points, distance.params) == (0, {"km": None})


def test_area_in_the_middle_of_the_range_fits_best() -> None:
    # Size 2: 38-55 m², middle 46.5.
    result = solve([need(1, size=2)], [unit("edge", 38), unit("middle", 46.5)])

    fit = result.explanations[1].terms[2]
    assert result.assignments == {1: "middle"}
    assert fit.points == round(Weights().area_fit * POINTS)


def test_neighbours_are_pulled_to_the_building_a_neighbour_prefers() -> None:
    needs = [
        need(1, preferred_unit_ids=("x1",)),
        need(2, neighbour_household_ids=(1,)),
    ]
    units = [
        unit("x1", building_id="X"),
        unit("x2", building_id="X"),
        unit("y1", building_id="Y"),
    ]

    result = solve(needs, units)

    assert result.assignments == {1: "x1", 2: "x2"}
    assert result.explanations[2].terms[3].params == {"building": "X", "neighbours": [1]}
    assert result.explanations[2].neighbours_together == (1,)
    assert result.explanations[1].neighbours_together == (2,)


def test_neighbour_holding_an_accepted_offer_anchors_the_others() -> None:
    needs = [need(1, locked_unit_id="x1"), need(2, neighbour_household_ids=(1,))]
    units = [unit("y1", building_id="Y"), unit("x1", building_id="X"), unit("x2", building_id="X")]

    result = solve(needs, units)

    assert result.assignments == {1: "x1", 2: "x2"}


def test_size_above_the_table_uses_its_last_row() -> None:
    assert DEFAULT_ADEQUACY.range_for(9) == (78.0, None)
    result = solve([need(1, size=9)], [unit("big", 120)])

    assert result.assignments == {1: "big"}


def test_configured_adequacy_table_is_used() -> None:
    table = AdequacyTable(ranges={1: (20.0, 30.0), 2: (30.0, 40.0)})

    result = solve([need(1, size=1)], [unit("a", 25)], adequacy=table)

    assert result.assignments == {1: "a"}


@pytest.mark.parametrize("method", METHODS)
def test_every_engine_finds_the_same_objective(method: str) -> None:
    needs = [
        need(1, size=1, preferred_unit_ids=("c",)),
        need(2, size=2, preferred_unit_ids=("c", "b")),
        need(3, size=3),
        need(4, size=2, needs_accessible=True),
    ]
    units = [
        unit("a", 40, floor=0),
        unit("b", 45, floor=2),
        unit("c", 42, floor=1, has_lift=True),
        unit("d", 60, floor=3),
    ]

    result = solve(needs, units, method=method)

    reference = solve(needs, units, method="dense")
    assert (result.matched, result.objective) == (reference.matched, reference.objective)
    assert result.optimal


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown method"):
        solve([need(1)], [unit("a")], method="greedy")


# --- Locks -----------------------------------------------------------------------------------


def test_locked_household_keeps_its_unit_on_re_solve() -> None:
    # Household 2 would score more on "a" (first choice), but 1 accepted "a" already.
    needs = [need(1, locked_unit_id="a"), need(2, preferred_unit_ids=("a",))]

    result = solve(needs, [unit("a"), unit("b")])

    assert result.assignments == {1: "a", 2: "b"}
    assert result.explanations[1].locked
    assert result.explanations[2].preferences[0].outcome is PreferenceOutcome.TAKEN
    assert result.explanations[2].preferences[0].taken_by == 1


def test_locked_unit_is_kept_even_if_it_breaks_a_rule_and_says_which() -> None:
    result = solve([need(1, size=1, locked_unit_id="big")], [unit("big", 90)])

    explanation = result.explanations[1]
    assert result.assignments == {1: "big"}
    assert explanation.params["violates"] == ["adequacy"]


def test_locked_units_leave_the_pool_for_the_others() -> None:
    result = solve([need(1, locked_unit_id="a"), need(2)], [unit("a")])

    assert result.assignments == {1: "a"}
    assert result.explanations[2].reason is Constraint.EMPTY_POOL


def test_lock_on_a_unit_outside_the_pool_is_refused() -> None:
    with pytest.raises(ValueError, match="not in the pool"):
        solve([need(1, locked_unit_id="gone")], [unit("a")])


def test_unit_locked_by_two_households_is_refused() -> None:
    with pytest.raises(ValueError, match="locked by households"):
        solve([need(1, locked_unit_id="a"), need(2, locked_unit_id="a")], [unit("a")])


@pytest.mark.parametrize(
    ("needs", "units", "message"),
    [
        ([need(1), need(1)], [unit("a")], "household 1 appears twice"),
        ([need(1)], [unit("a"), unit("a")], "unit 'a' appears twice"),
        ([need(1, size=0)], [unit("a")], "size 0"),
        ([need(1)], [unit("a", 0)], "no floor area"),
    ],
)
def test_inconsistent_input_is_refused(
    needs: list[HouseholdNeed], units: list[UnitOffer], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        solve(needs, units)


# --- Explanations ----------------------------------------------------------------------------


def test_every_household_has_an_explanation_and_codes_are_json() -> None:
    needs = [need(i, size=1 + i % 6, needs_accessible=i % 4 == 0) for i in range(12)]
    units = [unit(f"u{j}", 30 + 6 * j, floor=j % 3) for j in range(8)]

    result = solve(needs, units)

    assert set(result.explanations) == {n.household_id for n in needs}
    for explanation in result.explanations.values():
        assert explanation.matched == (explanation.reason is None)
        json.dumps(explanation.codes)


def test_score_terms_add_up_and_match_their_values() -> None:
    weights = Weights(preference=3, distance=1.5, area_fit=2.5, neighbours=1)
    needs = [
        need(1, size=3, origin=LORENTEGGIO, preferred_zone_ids=("z",)),
        need(2, size=2, origin=LORENTEGGIO, neighbour_household_ids=(1,)),
    ]
    units = [
        unit("a", 57, zone_id="z", building_id="A", location=(45.45, 9.13)),
        unit("b", 41, zone_id="z", building_id="A", location=(45.44, 9.12)),
    ]

    result = solve(needs, units, weights=weights)

    weight_of = {
        Term.PREFERENCE: 3,
        Term.DISTANCE: 1.5,
        Term.AREA_FIT: 2.5,
        Term.NEIGHBOURS: 1,
    }
    for explanation in result.explanations.values():
        assert explanation.score == sum(t.points for t in explanation.terms)
        for term in explanation.terms:
            assert abs(term.points - term.value * weight_of[term.term] * POINTS) <= 1
    assert result.objective == sum(e.score for e in result.explanations.values())


def test_preferred_unit_breaking_a_rule_is_explained() -> None:
    result = solve(
        [need(1, size=1, preferred_unit_ids=("huge",))], [unit("huge", 90), unit("a", 35)]
    )

    note = result.explanations[1].preferences[0]
    assert note.outcome is PreferenceOutcome.INFEASIBLE
    assert note.constraints == (Constraint.ADEQUACY,)


def test_preferred_unit_outside_the_pool_is_explained() -> None:
    result = solve([need(1, preferred_unit_ids=("elsewhere",))], [unit("a")])

    assert result.explanations[1].preferences[0].outcome is PreferenceOutcome.NOT_IN_POOL


def test_distance_km_at_city_scale() -> None:
    # About 1.11 km per 0.01 degree of latitude.
    assert distance_km((45.45, 9.13), (45.46, 9.13)) == pytest.approx(1.112, abs=0.002)


def test_score_matrix_marks_infeasible_pairs_with_no_points() -> None:
    matrix = score_matrix([need(1, size=1)], [unit("fits", 40), unit("big", 90)])

    assert matrix.feasible.tolist() == [[True, False]]
    assert matrix.points[0, 1] == 0
    assert matrix.satisfied(Constraint.ADEQUACY).tolist() == [[True, False]]


def test_statements_read_the_explanation_in_order() -> None:
    needs = [
        need(1, size=2, preferred_unit_ids=("taken", "a"), neighbour_household_ids=(2,)),
        need(2, size=2, locked_unit_id="taken"),
    ]
    units = [unit("taken", building_id="X"), unit("a", 46.5, building_id="Y")]

    result = solve(needs, units)

    assert [(s.code, dict(s.params)) for s in result.explanations[1].statements] == [
        ("preference_choice", {"choice": 2}),
        ("preferred_unit_taken", {"rank": 1, "unit_id": "taken", "taken_by": 2}),
        ("distance_unknown", {}),
        ("area_fit", {"area_m2": 46.5, "min_m2": 38.0, "max_m2": 55.0}),
        ("neighbours_apart", {"neighbours": [2]}),
    ]


def test_unmatched_statement_names_the_binding_constraint() -> None:
    result = solve(
        [need(1, must_move_by=date(2026, 6, 30))], [unit("late", available_from=date(2026, 9, 1))]
    )

    (statement,) = result.explanations[1].statements
    assert statement.code == "unmatched_availability"
    assert STATEMENTS[statement.code] % dict(statement.params) == (
        "No suitable unit is available by 2026-06-30; the earliest is available on 2026-09-01."
    )


def test_decimal_rules_and_weights_from_the_database_are_accepted() -> None:
    from decimal import Decimal

    table = AdequacyTable(ranges={1: (Decimal("28"), None)})
    weights = Weights(preference=Decimal("2.5"), distance=Decimal("1"))  # type: ignore[arg-type]

    result = solve([need(1, size=1)], [unit("a", 40)], adequacy=table, weights=weights)

    assert result.assignments == {1: "a"}


def test_negative_weight_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        Weights(distance=-1)
