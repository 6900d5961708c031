"""Sentences built from the solver's explanation codes (no database)."""

from __future__ import annotations

from django.utils import translation

from quartiere.relocation import explain
from quartiere.relocation.enums import BindingConstraint


def test_unmatched_sentences_start_with_the_binding_constraint_when_area_binds() -> None:
    codes = {
        "reason": "adequacy",
        "params": {"units_in_pool": 12, "cumulative": [["adequacy", 0]], "size": 6,
                   "min_m2": 78.0, "max_m2": None},
    }  # fmt: skip

    with translation.override("en"):
        sentences = explain.unmatched_sentences(codes)
        label = str(BindingConstraint.ADEQUACY.label)

    assert sentences[0] == label
    assert "12 units in the pool." in sentences
    assert "Household of 6: 78-… m² needed." in sentences


def test_matched_sentences_name_the_preference_when_first_choice_given() -> None:
    codes = {
        "terms": {"preference": {"points": 4000, "choice": 1}, "distance": {"km": 0.42}},
        "preferences": [{"unit_id": 7, "rank": 1, "outcome": "honoured", "constraints": []}],
    }

    with translation.override("en"):
        sentences = explain.matched_sentences(codes, {7: "Via Odazio 5 · A101"})

    assert "Its preference no. 1." in sentences
    assert "0.4 km from the original building." in sentences
    assert "Preference 1 (Via Odazio 5 · A101): given." in sentences


def test_reason_label_explains_a_newly_matched_household_when_it_lacked_units_before() -> None:
    with translation.override("en"):
        text = explain.reason_label("was_unmatched", {"constraint": "competition"})

    assert text == "before, it had no unit: Every suitable unit went to another household"
