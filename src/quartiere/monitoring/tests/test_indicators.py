from datetime import date

from quartiere.monitoring.indicators import ParticipantFacts, indicator_codes, output_indicators


def facts(**overrides: object) -> ParticipantFacts:
    base: dict[str, object] = {
        "gender": "F",
        "birth_date": date(1980, 5, 1),
        "entered_on": date(2026, 3, 1),
        "employment_status": "unemployed",
        "unemployed_since": date(2025, 6, 1),
        "education_level": "isced_1_2",
    }
    base.update(overrides)
    return ParticipantFacts(**base)  # type: ignore[arg-type]


def test_indicator_codes_long_term_unemployed_when_over_twelve_months() -> None:
    assert {"CO01", "CO02", "CO09"} <= indicator_codes(facts(unemployed_since=date(2025, 1, 1)))
    assert "CO02" not in indicator_codes(facts(unemployed_since=date(2025, 6, 1)))


def test_indicator_codes_long_term_threshold_is_six_months_under_25() -> None:
    young = facts(birth_date=date(2004, 1, 1), unemployed_since=date(2025, 8, 1))
    assert {"CO02", "CO06"} <= indicator_codes(young)


def test_indicator_codes_over_54_and_inactive_counts_co08() -> None:
    codes = indicator_codes(facts(birth_date=date(1960, 1, 1), employment_status="inactive"))
    assert {"CO03", "CO04", "CO07", "CO08"} <= codes
    assert "CO01" not in codes


def test_indicator_codes_refused_sensitive_item_counts_nothing() -> None:
    codes = indicator_codes(facts(migrant_background="refused", disability="yes"))
    assert "CO15" not in codes
    assert "CO16" in codes


def test_output_indicators_incomplete_records_count_only_in_total() -> None:
    table = output_indicators([facts(), facts(gender="M"), facts(education_level="")])
    assert table["participants"] == {"F": 1, "M": 1, "X": 0, "total_only": 1, "total": 3}
    assert table["CO01"]["total"] == 3
