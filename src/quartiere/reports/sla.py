"""Service-level dates in business days: weekends, Italian public holidays and the local
patron saint's day (from the ``holidays`` library) do not count. No Django here."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _calendar(subdivision: str, year: int) -> frozenset[dt.date]:
    cal = holidays.country_holidays("IT", subdiv=subdivision or None, years=[year, year + 1])
    return frozenset(cal.keys())


def is_business_day(day: dt.date, subdivision: str = "") -> bool:
    """Tell whether ``day`` is a working day (Monday to Friday, not a holiday)."""
    return day.weekday() < 5 and day not in _calendar(subdivision, day.year)


def add_business_days(start: dt.date, days: int, subdivision: str = "") -> dt.date:
    """Return the date ``days`` business days after ``start`` (``start`` itself not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    remaining = days
    while remaining:
        day += dt.timedelta(days=1)
        if is_business_day(day, subdivision):
            remaining -= 1
    return day


def business_days_between(start: dt.date, end: dt.date, subdivision: str = "") -> int:
    """Count business days after ``start`` up to and including ``end`` (0 when end <= start)."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_business_day(day, subdivision):
            count += 1
    return count


def is_known_subdivision(code: str) -> bool:
    """Tell whether ``code`` is an Italian province/city known to the holidays library."""
    return code in holidays.country_holidays("IT").subdivisions


def holidays_between(
    start: dt.date, end: dt.date, subdivision: str = "", language: str = "it_IT"
) -> list[tuple[dt.date, str]]:
    """List the holidays from ``start`` to ``end`` (both included) with their names."""
    cal = holidays.country_holidays(
        "IT",
        subdiv=subdivision or None,
        years=list(range(start.year, end.year + 1)),
        language=language,
    )
    return sorted((day, name) for day, name in cal.items() if start <= day <= end)
