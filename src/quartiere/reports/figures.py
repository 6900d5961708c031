"""Arithmetic for report figures: months of a period, medians, shares. No Django here."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field

SECONDS_PER_DAY = 86400


def month_start(day: dt.date) -> dt.date:
    """Return the first day of ``day``'s month."""
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    """Return the first day of the month ``count`` months after ``month`` (may be negative)."""
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """List the first days of every month from ``first``'s to ``last``'s, both included."""
    months: list[dt.date] = []
    month, end = month_start(first), month_start(last)
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


def median_days(seconds: Iterable[float | None]) -> float | None:
    """Return the median of durations given in seconds, in days (None when there are none)."""
    values = [s for s in seconds if s is not None]
    if not values:
        return None
    return statistics.median(values) / SECONDS_PER_DAY


def share(part: int, whole: int) -> float | None:
    """Return ``part / whole`` (None when ``whole`` is zero)."""
    return part / whole if whole else None


@dataclass
class FigureRow:
    """The figures of one group (a month, a category, a lab, or a combination of them).

    ``within_sla`` counts the resolved reports whose resolution date is on or before their
    due date; the share is taken over the resolved reports.
    """

    lab_id: int | None = None
    lab_name: str = ""
    category_id: int | None = None
    category_name: str = ""
    month: dt.date | None = None
    received: int = 0
    open_count: int = 0
    acknowledged: int = 0
    resolved: int = 0
    within_sla: int = 0
    median_acknowledge_days: float | None = None
    median_resolve_days: float | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def share_within_sla(self) -> float | None:
        return share(self.within_sla, self.resolved)

    @property
    def percent_within_sla(self) -> float | None:
        value = self.share_within_sla
        return None if value is None else round(value * 100, 1)


def fill_months(rows: list[FigureRow], months: list[dt.date]) -> list[FigureRow]:
    """Return one row per month, in order, with empty rows for the months without reports."""
    by_month = {row.month: row for row in rows}
    return [by_month.get(month) or FigureRow(month=month) for month in months]
