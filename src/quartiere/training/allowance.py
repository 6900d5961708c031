"""Participation allowance: the pure formula of DOMAIN.md section 4 (no Django imports).

    monthly_amount(m) = min(MONTH_CAP, HOURLY_RATE * validated_hours(m))   (half-up, cent)
    total_due         = min(PERSON_CAP, sum over months of monthly_amount(m))

The rule is per person and measure: a resident enrolled on several paths of the same measure
has their validated and scheduled hours of a month added up across those enrolments, and the
optional minimum attendance share, the monthly cap and the person cap apply once to that sum
(``compute_person``). Two paths in one month never pay more than one monthly cap.

A month below the optional minimum attendance share (validated / scheduled hours) is worth
nothing. The rule in force for a month is the version whose validity covers the first day of
that month. Every cap, threshold or missing rule leaves a ``Reason`` on the month, so a
participant page or a statement can explain the figure.

The person cap is applied in month order: the months are consumed from the earliest, and what
earlier batches already paid or froze (``already_paid_or_due_before``) counts against the cap
first. Everything here is ``Decimal`` euros; the only rounding is half-up to the cent at the
monthly step (``to_cents``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter
from typing import Any, NamedTuple

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

__all__ = [
    "CENT",
    "ZERO",
    "AllowanceResult",
    "Calculator",
    "MonthAllowance",
    "MonthHours",
    "Reason",
    "RuleVersion",
    "compute",
    "compute_person",
    "month_start",
    "rule_for",
    "to_cents",
]


def to_cents(value: Decimal) -> Decimal:
    """Round a Decimal amount half-up to the cent (the one rounding helper of this module)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def month_start(day: date) -> date:
    """The first day of the month of ``day``."""
    return day.replace(day=1)


class Reason(enum.Enum):
    """Why a month's amount differs from rate x hours (values are stable codes)."""

    NO_RULE = "no_rule"
    """No allowance rule version is in force for the month: nothing is due."""
    NO_HOURS = "no_hours"
    """No validated hours in the month."""
    BELOW_MIN_ATTENDANCE = "below_min_attendance"
    """Validated hours below the minimum share of scheduled hours: nothing is due."""
    MONTH_CAP = "month_cap"
    """Rate x hours exceeded the monthly cap: the cap is due."""
    PERSON_CAP_PARTIAL = "person_cap_partial"
    """The per-person cap was reached during this month: only the remainder is due."""
    PERSON_CAP_REACHED = "person_cap_reached"
    """The per-person cap had already been reached: nothing is due."""

    @property
    def explanation(self) -> str:
        """A plain English sentence (callers translate it through their own catalogue)."""
        return _EXPLANATIONS[self]


_EXPLANATIONS = {
    Reason.NO_RULE: "No allowance rule was in force this month.",
    Reason.NO_HOURS: "No validated hours this month.",
    Reason.BELOW_MIN_ATTENDANCE: "Attendance below the minimum share of scheduled hours.",
    Reason.MONTH_CAP: "Monthly cap applied.",
    Reason.PERSON_CAP_PARTIAL: "Per-person cap reached this month: only the remainder is due.",
    Reason.PERSON_CAP_REACHED: "Per-person cap already reached: nothing more is due.",
}


@dataclass(frozen=True, slots=True)
class RuleVersion:
    """One version of a measure's allowance rule, valid from ``valid_from`` to ``valid_to``.

    ``valid_to`` is inclusive; ``None`` means open-ended. ``min_attendance_ratio`` is a share
    between 0 and 1 (0.75 = 75% of scheduled hours) or ``None`` when the measure has no
    threshold.
    """

    valid_from: date
    valid_to: date | None
    hourly_rate: Decimal
    month_cap: Decimal
    person_cap: Decimal
    min_attendance_ratio: Decimal | None = None

    def covers(self, day: date) -> bool:
        """True when ``day`` falls within this version's validity."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class MonthHours(NamedTuple):
    """Validated and scheduled hours of one participant in one month."""

    month: date
    validated_hours: Decimal
    scheduled_hours: Decimal = ZERO


class MonthAllowance(NamedTuple):
    """The amount due for one month and how it was reached.

    ``gross`` is min(month cap, rate x hours) rounded to the cent, before the person cap;
    ``amount`` is what is due after the person cap. (A named tuple: immutable, and cheap to
    create for the many months of a batch.)
    """

    month: date
    validated_hours: Decimal
    scheduled_hours: Decimal
    rate: Decimal
    gross: Decimal
    amount: Decimal
    reasons: tuple[Reason, ...] = ()
    rule: RuleVersion | None = None

    @property
    def attendance_ratio(self) -> Decimal | None:
        """Validated over scheduled hours (None when nothing was scheduled)."""
        if self.scheduled_hours <= 0:
            return None
        return self.validated_hours / self.scheduled_hours


class AllowanceResult(NamedTuple):
    """One person's months in order (hours of all their enrolments of the measure added up),
    the total due for them and the person cap that bounded it. (A named tuple: immutable, and
    cheap to create for the thousands of people of a batch.)"""

    months: tuple[MonthAllowance, ...]
    total: Decimal
    already_counted: Decimal = ZERO
    person_cap: Decimal | None = None
    enrolment_count: int = 1
    """How many of the person's enrolments (paths) of the measure the months add up."""

    @property
    def remaining_cap(self) -> Decimal | None:
        """What could still be paid under the person cap after these months."""
        if self.person_cap is None:
            return None
        return max(ZERO, self.person_cap - self.already_counted - self.total)

    def for_month(self, month: date) -> MonthAllowance | None:
        """The allowance of ``month`` (any day in it), or None."""
        wanted = month_start(month)
        for item in self.months:
            if item.month == wanted:
                return item
        return None


def rule_for(rules: Sequence[RuleVersion], month: date) -> RuleVersion | None:
    """The rule version in force on the first day of ``month`` (latest ``valid_from`` wins)."""
    day = month_start(month)
    in_force = [rule for rule in rules if rule.covers(day)]
    if not in_force:
        return None
    return max(in_force, key=lambda rule: rule.valid_from)


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A rule version with its amounts already rounded, for the month loop."""

    rule: RuleVersion
    rate: Decimal
    month_cap: Decimal
    person_cap: Decimal
    ratio: Decimal | None

    @classmethod
    def of(cls, rule: RuleVersion) -> _Prepared:
        ratio = rule.min_attendance_ratio
        return cls(
            rule=rule,
            rate=Decimal(rule.hourly_rate),
            month_cap=to_cents(Decimal(rule.month_cap)),
            person_cap=to_cents(Decimal(rule.person_cap)),
            ratio=Decimal(ratio) if ratio is not None and ratio > 0 else None,
        )


_FIRST = itemgetter(0)
_UNSEEN: Any = object()
_NO_RULE: tuple[Reason, ...] = (Reason.NO_RULE,)
_NO_HOURS: tuple[Reason, ...] = (Reason.NO_HOURS,)
_BELOW_MIN: tuple[Reason, ...] = (Reason.BELOW_MIN_ATTENDANCE,)
_MONTH_CAP: tuple[Reason, ...] = (Reason.MONTH_CAP,)


def _decimal(value: Decimal | int | str) -> Decimal:
    return value if type(value) is Decimal else Decimal(value)


class Calculator:
    """``compute`` for many people under the same rules (rule lookups cached by month).

    A batch of thousands of participants creates one calculator and calls ``compute`` for each
    person; the result is the same as the module-level ``compute``.
    """

    __slots__ = ("_by_month", "rules")

    def __init__(self, rules: Sequence[RuleVersion]) -> None:
        self.rules = tuple(rules)
        self._by_month: dict[date, _Prepared | None] = {}

    def _rule(self, month: date) -> _Prepared | None:
        try:
            return self._by_month[month]
        except KeyError:
            rule = rule_for(self.rules, month)
            prepared = None if rule is None else _Prepared.of(rule)
            self._by_month[month] = prepared
            return prepared

    def compute(
        self,
        months: Iterable[tuple[date, Decimal, Decimal]],
        already_paid_or_due_before: Decimal = ZERO,
        *,
        enrolment_count: int = 1,
    ) -> AllowanceResult:
        """Compute one person's allowance in one measure; see the module-level ``compute``."""
        # Months in calendar order; entries of the same month (one per enrolment) added up.
        merged: list[tuple[date, Decimal, Decimal]] = []
        previous: date | None = None
        for month, validated, scheduled in sorted(months, key=_FIRST):
            if month.day != 1:
                month = month.replace(day=1)
            if type(validated) is not Decimal:
                validated = Decimal(validated)
            if type(scheduled) is not Decimal:
                scheduled = Decimal(scheduled)
            if month == previous:
                _month, before_validated, before_scheduled = merged[-1]
                merged[-1] = (month, before_validated + validated, before_scheduled + scheduled)
            else:
                merged.append((month, validated, scheduled))
                previous = month
        by_month = self._by_month
        already = ZERO
        if already_paid_or_due_before:
            already = to_cents(max(ZERO, _decimal(already_paid_or_due_before)))
        counted = already
        person_cap: Decimal | None = None
        results: list[MonthAllowance] = []
        append = results.append
        new = tuple.__new__  # MonthAllowance(...) without its Python-level __new__: many months
        for month, validated, scheduled in merged:
            prepared = by_month.get(month, _UNSEEN)
            if prepared is _UNSEEN:
                prepared = self._rule(month)
            if prepared is None:
                append(
                    new(
                        MonthAllowance,
                        (month, validated, scheduled, ZERO, ZERO, ZERO, _NO_RULE, None),
                    )
                )
                continue
            reasons: tuple[Reason, ...]
            if validated <= 0:
                gross, reasons = ZERO, _NO_HOURS
            elif (
                prepared.ratio is not None
                and scheduled > 0
                and validated < prepared.ratio * scheduled
            ):
                gross, reasons = ZERO, _BELOW_MIN
            else:
                gross = (prepared.rate * validated).quantize(CENT, rounding=ROUND_HALF_UP)
                if gross > prepared.month_cap:
                    gross, reasons = prepared.month_cap, _MONTH_CAP
                else:
                    reasons = ()
            cap = prepared.person_cap
            if person_cap is None or cap < person_cap:
                person_cap = cap
            amount = gross
            room = person_cap - counted
            if room < 0:
                room = ZERO
            if gross > room:
                amount = room
                if room > 0:
                    reasons = (*reasons, Reason.PERSON_CAP_PARTIAL)
                else:
                    reasons = (*reasons, Reason.PERSON_CAP_REACHED)
            counted += amount
            append(
                new(
                    MonthAllowance,
                    (
                        month,
                        validated,
                        scheduled,
                        prepared.rate,
                        gross,
                        amount,
                        reasons,
                        prepared.rule,
                    ),
                )
            )
        return new(
            AllowanceResult,
            (tuple(results), to_cents(counted - already), already, person_cap, enrolment_count),
        )

    def compute_person(
        self,
        months_by_enrolment: Mapping[int, Iterable[tuple[date, Decimal, Decimal]]],
        already_paid_or_due_before: Decimal = ZERO,
    ) -> AllowanceResult:
        """Compute one person's allowance from the months of each of their enrolments of the
        measure: the hours of a month are added up across enrolments first, so the minimum
        attendance share, the monthly cap and the person cap apply once per person."""
        return self.compute(
            [item for months in months_by_enrolment.values() for item in months],
            already_paid_or_due_before,
            enrolment_count=max(1, len(months_by_enrolment)),
        )


def compute_person(
    rules: Sequence[RuleVersion],
    months_by_enrolment: Mapping[int, Iterable[tuple[date, Decimal, Decimal]]],
    already_paid_or_due_before: Decimal = ZERO,
) -> AllowanceResult:
    """Compute the allowance of one person from their enrolments of the same measure.

    See ``Calculator.compute_person``.
    """
    return Calculator(rules).compute_person(months_by_enrolment, already_paid_or_due_before)


def compute(
    rules: Sequence[RuleVersion],
    months: Iterable[tuple[date, Decimal, Decimal]],
    already_paid_or_due_before: Decimal = ZERO,
) -> AllowanceResult:
    """Compute the allowance of one person in one measure for ``months``.

    ``months`` may hold several entries for the same month (one per enrolment of the person in
    the measure): they are added up before the minimum attendance share and the monthly cap,
    which apply per person and month. ``already_paid_or_due_before`` is what earlier batches
    already paid or froze for this person (months not in ``months``); it counts against the
    person cap first. Months are processed in calendar order. The person cap used is the one of
    the rule in force in each month (the tightest seen so far), so a rule change never lets the
    total exceed the cap in force when the money is due.
    """
    return Calculator(rules).compute(months, already_paid_or_due_before)
