"""Business days with Italian holidays and the patron saint's day (no database)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quartiere.reports import sla


def test_add_business_days_skips_the_weekend():
    friday = dt.date(2026, 11, 20)
    assert sla.add_business_days(friday, 1) == dt.date(2026, 11, 23)


def test_add_business_days_skips_milans_patron_saint_only_in_milan():
    friday = dt.date(2026, 12, 4)
    assert sla.add_business_days(friday, 1, "MI") == dt.date(2026, 12, 9)
    assert sla.add_business_days(friday, 1, "") == dt.date(2026, 12, 7)


def test_add_business_days_skips_easter_monday_and_liberation_day():
    # Easter 2027 is 28 March: Monday 29 March is a holiday.
    assert sla.add_business_days(dt.date(2027, 3, 26), 1) == dt.date(2027, 3, 30)
    assert not sla.is_business_day(dt.date(2027, 4, 25))


def test_add_business_days_crosses_the_new_year():
    assert sla.add_business_days(dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 4)


def test_add_business_days_rejects_negative_days():
    with pytest.raises(ValueError, match="negative"):
        sla.add_business_days(dt.date(2026, 1, 1), -1)


@given(
    st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 31)),
    st.integers(min_value=0, max_value=60),
)
def test_business_days_between_inverts_add_business_days(start, days):
    end = sla.add_business_days(start, days, "MI")
    assert sla.business_days_between(start, end, "MI") == days
    assert end == start or sla.is_business_day(end, "MI")


def test_is_known_subdivision_accepts_provinces_and_refuses_others():
    assert sla.is_known_subdivision("MI")
    assert not sla.is_known_subdivision("XX")
