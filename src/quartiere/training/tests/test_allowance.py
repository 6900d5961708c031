"""The pure allowance formula (DOMAIN.md section 4), examples and properties."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from quartiere.training.allowance import (
    MonthHours,
    Reason,
    RuleVersion,
    compute,
    compute_person,
    rule_for,
    to_cents,
)

D = Decimal

DEFAULT = RuleVersion(
    valid_from=date(2020, 1, 1),
    valid_to=None,
    hourly_rate=D("5.00"),
    month_cap=D("400.00"),
    person_cap=D("2000.00"),
    min_attendance_ratio=D("0.75"),
)
NO_THRESHOLD = RuleVersion(
    valid_from=date(2020, 1, 1),
    valid_to=None,
    hourly_rate=D("5.00"),
    month_cap=D("400.00"),
    person_cap=D("2000.00"),
    min_attendance_ratio=None,
)


def hours(month: int, validated: str, scheduled: str = "0", year: int = 2024) -> MonthHours:
    return MonthHours(date(year, month, 1), D(validated), D(scheduled))


def test_monthly_amount_is_rate_times_hours():
    result = compute([DEFAULT], [hours(3, "40", "50")])
    assert result.months[0].amount == D("200.00")
    assert result.months[0].reasons == ()
    assert result.total == D("200.00")


def test_month_cap_applied_with_reason():
    result = compute([DEFAULT], [hours(3, "100", "100")])
    month = result.months[0]
    assert month.amount == D("400.00")
    assert Reason.MONTH_CAP in month.reasons


def test_below_minimum_attendance_nothing_due():
    result = compute([DEFAULT], [hours(3, "37", "50")])
    assert result.months[0].amount == D("0.00")
    assert result.months[0].reasons == (Reason.BELOW_MIN_ATTENDANCE,)


def test_exactly_at_minimum_attendance_is_due():
    result = compute([DEFAULT], [hours(3, "37.5", "50")])
    assert result.months[0].amount == D("187.50")


def test_no_threshold_pays_any_hours():
    result = compute([NO_THRESHOLD], [hours(3, "1", "50")])
    assert result.months[0].amount == D("5.00")


def test_half_up_rounding_to_the_cent_at_monthly_step():
    rule = RuleVersion(date(2020, 1, 1), None, D("4.33"), D("400"), D("2000"), None)
    # 4.33 * 2.5 = 10.825 -> 10.83 (half up); twice = 21.66 (not 21.65 from summing first).
    result = compute([rule], [hours(3, "2.5"), hours(4, "2.5")])
    assert [m.amount for m in result.months] == [D("10.83"), D("10.83")]
    assert result.total == D("21.66")


def test_person_cap_partial_then_reached():
    months = [hours(m, "100", "100") for m in range(1, 8)]
    result = compute([DEFAULT], months)
    amounts = [m.amount for m in result.months]
    assert amounts == [D("400.00")] * 5 + [D("0.00")] * 2
    assert result.total == D("2000.00")
    assert Reason.PERSON_CAP_REACHED in result.months[5].reasons


def test_person_cap_counts_what_earlier_batches_paid():
    result = compute([DEFAULT], [hours(6, "100", "100")], already_paid_or_due_before=D("1850"))
    month = result.months[0]
    assert month.amount == D("150.00")
    assert Reason.PERSON_CAP_PARTIAL in month.reasons
    assert result.remaining_cap == D("0.00")


def test_no_rule_in_force_nothing_due():
    rule = RuleVersion(date(2024, 5, 1), None, D("5"), D("400"), D("2000"), None)
    result = compute([rule], [hours(4, "40")])
    assert result.months[0].amount == D("0.00")
    assert result.months[0].reasons == (Reason.NO_RULE,)


def test_rule_versions_apply_by_month():
    old = RuleVersion(date(2024, 1, 1), date(2024, 3, 31), D("5"), D("400"), D("2000"), None)
    new = RuleVersion(date(2024, 4, 1), None, D("6"), D("400"), D("2000"), None)
    result = compute([old, new], [hours(3, "10"), hours(4, "10")])
    assert [m.amount for m in result.months] == [D("50.00"), D("60.00")]
    assert rule_for([old, new], date(2024, 4, 15)) == new


def test_zero_hours_has_reason():
    result = compute([DEFAULT], [hours(3, "0", "40")])
    assert result.months[0].amount == D("0.00")
    assert result.months[0].reasons == (Reason.NO_HOURS,)


def test_same_month_entries_are_summed():
    result = compute([NO_THRESHOLD], [hours(3, "10"), hours(3, "5")])
    assert len(result.months) == 1
    assert result.months[0].amount == D("75.00")


def test_months_are_returned_in_calendar_order():
    result = compute([NO_THRESHOLD], [hours(5, "1"), hours(2, "1")])
    assert [m.month.month for m in result.months] == [2, 5]


hour_values = st.decimals(min_value=0, max_value=300, places=2, allow_nan=False)
month_lists = st.lists(
    st.tuples(st.integers(min_value=1, max_value=12), hour_values, hour_values),
    min_size=0,
    max_size=12,
    unique_by=lambda t: t[0],
)
rates = st.decimals(min_value=D("0.01"), max_value=D("50"), places=2)
caps = st.decimals(min_value=D("0"), max_value=D("5000"), places=2)
ratios = st.one_of(st.none(), st.decimals(min_value=0, max_value=1, places=2))


def _rule(rate, month_cap, person_cap, ratio):
    return RuleVersion(date(2020, 1, 1), None, rate, month_cap, person_cap, ratio)


def _months(items):
    return [MonthHours(date(2024, m, 1), v, s) for m, v, s in items]


@settings(max_examples=200, deadline=None)
@given(month_lists, rates, caps, caps, ratios, caps)
def test_never_above_caps_never_negative(items, rate, month_cap, person_cap, ratio, before):
    rule = _rule(rate, month_cap, person_cap, ratio)
    result = compute([rule], _months(items), already_paid_or_due_before=before)
    for month in result.months:
        assert D("0") <= month.amount <= to_cents(month_cap)
        assert month.amount <= month.gross
    assert result.total >= 0
    assert result.total <= max(D("0"), to_cents(person_cap) - to_cents(before))
    assert result.total == sum((m.amount for m in result.months), D("0"))


@settings(max_examples=200, deadline=None)
@given(month_lists, rates, caps, caps, ratios)
def test_amounts_are_exact_cents(items, rate, month_cap, person_cap, ratio):
    result = compute([_rule(rate, month_cap, person_cap, ratio)], _months(items))
    for month in result.months:
        assert month.amount == month.amount.quantize(D("0.01"))
    assert result.total == result.total.quantize(D("0.01"))


@settings(max_examples=200, deadline=None)
@given(
    hour_values,
    st.decimals(min_value=0, max_value=50, places=2),
    rates,
    caps,
    caps,
)
def test_monotonic_in_hours(validated, extra, rate, month_cap, person_cap):
    rule = _rule(rate, month_cap, person_cap, None)
    low = compute([rule], [MonthHours(date(2024, 1, 1), validated, D("0"))])
    high = compute([rule], [MonthHours(date(2024, 1, 1), validated + extra, D("0"))])
    assert high.total >= low.total


@settings(max_examples=100, deadline=None)
@given(month_lists, rates, caps, caps)
def test_splitting_history_does_not_change_total(items, rate, month_cap, person_cap):
    """Computing months in two steps (earlier batch, then the rest) gives the same total."""
    rule = _rule(rate, month_cap, person_cap, None)
    months = sorted(_months(items), key=lambda m: m.month)
    whole = compute([rule], months)
    cut = len(months) // 2
    first = compute([rule], months[:cut])
    second = compute([rule], months[cut:], already_paid_or_due_before=first.total)
    assert first.total + second.total == whole.total


def test_two_paths_in_one_month_pay_at_most_one_monthly_cap():
    rule = _rule(D("5.00"), D("400.00"), D("2000.00"), None)

    result = compute_person([rule], {7: [hours(1, "100")], 3: [hours(1, "100")]})

    assert [m.amount for m in result.months] == [D("400.00")]
    assert result.months[0].validated_hours == D("200")
    assert result.months[0].reasons == (Reason.MONTH_CAP,)
    assert result.total == D("400.00")
    assert result.enrolment_count == 2


def test_two_paths_add_up_under_the_monthly_cap():
    rule = _rule(D("5.00"), D("400.00"), D("2000.00"), None)

    result = compute_person([rule], {1: [hours(1, "30")], 2: [hours(1, "20")]})

    assert result.months[0].amount == D("250.00")
    assert result.months[0].reasons == ()


def test_minimum_attendance_is_checked_on_the_hours_of_all_paths():
    # 10 of 40 scheduled hours on one path, 35 of 40 on the other: 45 / 80 = 56% < 75%.
    result = compute_person([DEFAULT], {1: [hours(1, "10", "40")], 2: [hours(1, "35", "40")]})

    assert result.months[0].amount == D("0.00")
    assert result.months[0].reasons == (Reason.BELOW_MIN_ATTENDANCE,)
    assert result.months[0].scheduled_hours == D("80")


def test_person_cap_consumed_once_by_the_months_of_all_paths():
    rule = _rule(D("5.00"), D("400.00"), D("1000.00"), None)
    result = compute_person(
        [rule],
        {
            7: [hours(1, "100"), hours(2, "100")],
            3: [hours(2, "100"), hours(3, "100"), hours(4, "100")],
        },
    )

    assert [m.amount for m in result.months] == [D("400.00"), D("400.00"), D("200.00"), D("0.00")]
    assert Reason.PERSON_CAP_PARTIAL in result.months[2].reasons
    assert Reason.PERSON_CAP_REACHED in result.months[3].reasons
    assert result.remaining_cap == D("0.00")


path_months = st.lists(
    st.tuples(st.integers(1, 12), hour_values, hour_values), max_size=12, unique_by=lambda t: t[0]
)


@given(st.lists(path_months, min_size=1, max_size=3), rates, caps, caps, ratios, caps)
@settings(max_examples=150, deadline=None)
def test_paths_of_one_person_never_exceed_one_monthly_cap_or_the_person_cap(
    paths, rate, month_cap, person_cap, ratio, before
):
    rule = _rule(rate, month_cap, person_cap, ratio)
    result = compute_person([rule], {n: _months(items) for n, items in enumerate(paths)}, before)

    assert len({m.month for m in result.months}) == len(result.months)
    for month in result.months:
        assert D("0") <= month.amount <= to_cents(month_cap)
    assert result.total <= max(D("0"), to_cents(person_cap) - to_cents(before))
    assert result.total == sum((m.amount for m in result.months), D("0"))


@given(st.lists(path_months, min_size=1, max_size=3), rates, caps, caps, ratios)
@settings(max_examples=150, deadline=None)
def test_paths_of_one_person_are_computed_as_their_summed_hours(
    paths, rate, month_cap, person_cap, ratio
):
    """The per-person rule: several paths give what one path with the summed hours gives."""
    rule = _rule(rate, month_cap, person_cap, ratio)
    summed: dict[int, tuple[Decimal, Decimal]] = {}
    for items in paths:
        for month, validated, scheduled in items:
            v, s = summed.get(month, (D("0"), D("0")))
            summed[month] = (v + validated, s + scheduled)

    split = compute_person([rule], {n: _months(items) for n, items in enumerate(paths)})
    single = compute([rule], _months([(m, v, s) for m, (v, s) in summed.items()]))

    assert [(m.month, m.amount, m.reasons) for m in split.months] == [
        (m.month, m.amount, m.reasons) for m in single.months
    ]
    assert split.total == single.total


@given(st.lists(path_months, min_size=2, max_size=3), rates, caps, caps)
@settings(max_examples=100, deadline=None)
def test_adding_a_path_never_lowers_the_total_without_a_threshold(
    paths, rate, month_cap, person_cap
):
    rule = _rule(rate, month_cap, person_cap, None)
    fewer = compute_person([rule], {n: _months(items) for n, items in enumerate(paths[:-1])})
    more = compute_person([rule], {n: _months(items) for n, items in enumerate(paths)})

    assert more.total >= fewer.total
