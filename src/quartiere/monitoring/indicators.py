"""ESF common output indicators (Reg. (EU) 1304/2013 Annex I) from plain participant facts.

Pure: no Django. Every indicator is broken down by gender ("F", "M", "X"); a participant counts
in the breakdowns only when gender, employment status, age and education are all known,
otherwise only in the "total_only" column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

LONG_TERM_MONTHS = 12
LONG_TERM_MONTHS_UNDER_25 = 6


@dataclass(frozen=True)
class ParticipantFacts:
    gender: str
    birth_date: date | None
    entered_on: date
    employment_status: str
    unemployed_since: date | None
    education_level: str
    migrant_background: str = ""
    disability: str = ""
    other_disadvantage: str = ""
    is_homeless: bool = False
    is_rural: bool = False


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def indicator_codes(
    facts: ParticipantFacts,
    *,
    long_term_months: int = LONG_TERM_MONTHS,
    long_term_months_under_25: int = LONG_TERM_MONTHS_UNDER_25,
) -> set[str]:
    """Return the output indicator codes (CO01...) a participant counts in at entry."""
    codes: set[str] = set()
    age = _age(facts.birth_date, facts.entered_on) if facts.birth_date else None
    status = facts.employment_status
    if status == "unemployed":
        codes.add("CO01")
        if facts.unemployed_since is not None and age is not None:
            threshold = long_term_months_under_25 if age < 25 else long_term_months
            if _months_between(facts.unemployed_since, facts.entered_on) > threshold:
                codes.add("CO02")
    elif status in ("inactive", "inactive_education"):
        codes.add("CO03")
        if status == "inactive":
            codes.add("CO04")
    elif status == "employed":
        codes.add("CO05")
    if age is not None:
        if age < 25:
            codes.add("CO06")
        if age > 54:
            codes.add("CO07")
            if status in ("unemployed", "inactive"):
                codes.add("CO08")
    level = facts.education_level
    if level in ("isced_0", "isced_1_2"):
        codes.add("CO09")
    elif level == "isced_3_4":
        codes.add("CO10")
    elif level == "isced_5_8":
        codes.add("CO11")
    if facts.migrant_background == "yes":
        codes.add("CO15")
    if facts.disability == "yes":
        codes.add("CO16")
    if facts.other_disadvantage == "yes":
        codes.add("CO17")
    if facts.is_homeless:
        codes.add("CO18")
    if facts.is_rural:
        codes.add("CO19")
    return codes


INDICATORS = (
    "participants", "CO01", "CO02", "CO03", "CO04", "CO05", "CO06", "CO07", "CO08", "CO09",
    "CO10", "CO11", "CO15", "CO16", "CO17", "CO18", "CO19",
)  # fmt: skip


def is_complete(facts: ParticipantFacts) -> bool:
    """Whether a record may count in the gender breakdowns (all four core items known)."""
    return bool(
        facts.gender in ("F", "M", "X")
        and facts.employment_status
        and facts.birth_date
        and facts.education_level
    )


def output_indicators(participants: Iterable[ParticipantFacts]) -> dict[str, dict[str, int]]:
    """Count each indicator by gender; incomplete records go to ``total_only``.

    Returns ``{code: {"F": n, "M": n, "X": n, "total_only": n, "total": n}}``.
    """
    table = {code: {"F": 0, "M": 0, "X": 0, "total_only": 0, "total": 0} for code in INDICATORS}
    for facts in participants:
        column = facts.gender if is_complete(facts) else "total_only"
        for code in ("participants", *sorted(indicator_codes(facts))):
            table[code][column] += 1
            table[code]["total"] += 1
    return table
