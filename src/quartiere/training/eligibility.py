"""Eligibility gates of a measure: each gate looks at recorded evidence and says pass or fail.

No queries here: the service gathers the evidence, calls ``evaluate`` and stores the results in
an ``EligibilityCheck`` snapshot. Results are stored as codes with parameters, and
``describe`` turns one into a sentence in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from quartiere.training.enums import Gate, IncomeSupport

# EU member states (ISO 3166-1 alpha-2); their citizens need no residence permit.
EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
# EEA and Switzerland: free movement too.
FREE_MOVEMENT = EU_COUNTRIES | {"IS", "LI", "NO", "CH"}


@dataclass(frozen=True)
class GateConfig:
    """The gates a measure switches on, with their parameters."""

    age: bool = True
    min_age: int = 18
    residence: bool = True
    target_building_ids: frozenset[int] | None = None  # None: any building of the district
    district_id: int | None = None
    unemployed: bool = True
    min_unemployed_months: int = 0
    permit: bool = True
    isee: bool = False
    isee_threshold: Decimal = Decimal("18000.00")
    isee_max_age_months: int = 12
    income_support: bool = False


@dataclass(frozen=True)
class Evidence:
    """What is known about the resident on the day of the check."""

    birth_date: dt.date | None = None
    building_id: int | None = None
    building_district_id: int | None = None
    is_unemployed: bool | None = None
    unemployed_since: dt.date | None = None
    citizenship: str = ""
    permit_expires_on: dt.date | None = None
    isee_value: Decimal | None = None
    isee_date: dt.date | None = None
    income_support: str = ""


@dataclass(frozen=True)
class GateResult:
    gate: str
    enabled: bool
    passed: bool
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "passed": self.passed,
            "code": self.code,
            "params": dict(self.params),
        }


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Full years of age on ``day``."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def months_between(start: dt.date, end: dt.date) -> int:
    """Full months from ``start`` to ``end`` (0 when end is before start)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 - months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def _age(cfg: GateConfig, ev: Evidence, today: dt.date) -> GateResult:
    if ev.birth_date is None:
        return GateResult(Gate.AGE, True, False, "birth_date_missing")
    years = age_on(ev.birth_date, today)
    if years < cfg.min_age:
        return GateResult(Gate.AGE, True, False, "too_young", {"age": years, "min": cfg.min_age})
    return GateResult(Gate.AGE, True, True, "age_ok", {"age": years, "min": cfg.min_age})


def _residence(cfg: GateConfig, ev: Evidence, today: dt.date) -> GateResult:
    if ev.building_id is None:
        return GateResult(Gate.RESIDENCE, True, False, "no_tenancy")
    if cfg.target_building_ids:
        ok = ev.building_id in cfg.target_building_ids
        code = "in_target_area" if ok else "outside_target_area"
    else:
        ok = ev.building_district_id is not None and ev.building_district_id == cfg.district_id
        code = "in_district" if ok else "outside_district"
    return GateResult(Gate.RESIDENCE, True, ok, code)


def _unemployed(cfg: GateConfig, ev: Evidence, today: dt.date) -> GateResult:
    if not ev.is_unemployed or ev.unemployed_since is None:
        return GateResult(Gate.UNEMPLOYED, True, False, "not_unemployed")
    if ev.unemployed_since > today:
        return GateResult(Gate.UNEMPLOYED, True, False, "unemployed_future")
    months = months_between(ev.unemployed_since, today)
    if months < cfg.min_unemployed_months:
        return GateResult(
            Gate.UNEMPLOYED,
            True,
            False,
            "unemployed_too_short",
            {"months": months, "min": cfg.min_unemployed_months},
        )
    return GateResult(
        Gate.UNEMPLOYED,
        True,
        True,
        "unemployed_ok",
        {"months": months, "min": cfg.min_unemployed_months},
    )


def _permit(cfg: GateConfig, ev: Evidence, today: dt.date) -> GateResult:
    country = (ev.citizenship or "").upper()
    if not country:
        return GateResult(Gate.PERMIT, True, False, "citizenship_missing")
    if country in FREE_MOVEMENT:
        return GateResult(Gate.PERMIT, True, True, "eu_citizen")
    if ev.permit_expires_on is None:
        return GateResult(Gate.PERMIT, True, False, "permit_missing")
    if ev.permit_expires_on < today:
        return GateResult(
            Gate.PERMIT, True, False, "permit_expired", {"on": ev.permit_expires_on.isoformat()}
        )
    return GateResult(
        Gate.PERMIT, True, True, "permit_valid", {"on": ev.permit_expires_on.isoformat()}
    )


def _isee(cfg: GateConfig, ev: Evidence, today: dt.date) -> GateResult:
    if ev.isee_value is None or ev.isee_date is None:
        return GateResult(Gate.ISEE, True, False, "isee_missing")
    limit = {"threshold": str(cfg.isee_threshold), "value": str(ev.isee_value)}
    if ev.isee_date > today:
        return GateResult(Gate.ISEE, True, False, "isee_future")
    if ev.isee_date < months_before(today, cfg.isee_max_age_months):
        return GateResult(
            Gate.ISEE, True, False, "isee_outdated", {"months": cfg.isee_max_age_months}
        )
    if ev.isee_value > cfg.isee_threshold:
        return GateResult(Gate.ISEE, True, False, "isee_over", limit)
    return GateResult(Gate.ISEE, True, True, "isee_ok", limit)


def _income_support(cfg: GateConfig, ev: Evidence, today: dt.date) -> GateResult:
    if not ev.income_support:
        return GateResult(Gate.INCOME_SUPPORT, True, False, "support_not_declared")
    if ev.income_support != IncomeSupport.NONE:
        return GateResult(
            Gate.INCOME_SUPPORT, True, False, "support_received", {"kind": ev.income_support}
        )
    return GateResult(Gate.INCOME_SUPPORT, True, True, "support_none")


CHECKS = (
    (Gate.AGE, "age", _age),
    (Gate.RESIDENCE, "residence", _residence),
    (Gate.UNEMPLOYED, "unemployed", _unemployed),
    (Gate.PERMIT, "permit", _permit),
    (Gate.ISEE, "isee", _isee),
    (Gate.INCOME_SUPPORT, "income_support", _income_support),
)


def evaluate(cfg: GateConfig, ev: Evidence, *, today: dt.date) -> list[GateResult]:
    """Run every gate; a switched-off gate is reported as not checked (and passes)."""
    results = []
    for gate, switch, check in CHECKS:
        if getattr(cfg, switch):
            results.append(check(cfg, ev, today))
        else:
            results.append(GateResult(gate, False, True, "not_checked"))
    return results


def all_passed(results: Collection[GateResult]) -> bool:
    return all(r.passed for r in results)


def _money(value: str) -> str:
    return number_format(Decimal(value), decimal_pos=2, force_grouping=True)


def describe(gate: str, result: Mapping[str, Any]) -> str:
    """Say in words why a stored gate result passed or failed."""
    code = result.get("code", "")
    p = result.get("params") or {}
    messages: dict[str, Any] = {
        "not_checked": lambda: _("Not checked for this measure."),
        "birth_date_missing": lambda: _("The date of birth is not recorded."),
        "too_young": lambda: _("Aged %(age)s: the minimum age is %(min)s.") % p,
        "age_ok": lambda: _("Aged %(age)s (minimum %(min)s).") % p,
        "no_tenancy": lambda: _("No current tenancy is recorded for the resident's household."),
        "in_target_area": lambda: _("Lives in a building of the target area."),
        "outside_target_area": lambda: _("Lives outside the buildings of the target area."),
        "in_district": lambda: _("Lives in the lab's district."),
        "outside_district": lambda: _("Lives outside the lab's district."),
        "not_unemployed": lambda: _("Not declared unemployed (no start date of unemployment)."),
        "unemployed_future": lambda: _("The start date of unemployment is in the future."),
        "unemployed_too_short": lambda: (
            _("Unemployed for %(months)s months: at least %(min)s are required.") % p
        ),
        "unemployed_ok": lambda: _("Unemployed for %(months)s months (minimum %(min)s).") % p,
        "citizenship_missing": lambda: _("Citizenship is not recorded."),
        "eu_citizen": lambda: _("EU/EEA citizen: no residence permit needed."),
        "permit_missing": lambda: _("Non-EU citizen with no residence permit recorded."),
        "permit_expired": lambda: (
            _("The residence permit expired on %(on)s.")
            % {"on": date_format(dt.date.fromisoformat(p["on"]), "SHORT_DATE_FORMAT")}
        ),
        "permit_valid": lambda: (
            _("Residence permit valid until %(on)s.")
            % {"on": date_format(dt.date.fromisoformat(p["on"]), "SHORT_DATE_FORMAT")}
        ),
        "isee_missing": lambda: _("No ISEE value and date recorded."),
        "isee_future": lambda: _("The ISEE certificate date is in the future."),
        "isee_outdated": lambda: _("The ISEE certificate is older than %(months)s months.") % p,
        "isee_over": lambda: (
            _("ISEE EUR %(value)s is over the threshold of EUR %(threshold)s.")
            % {"value": _money(p["value"]), "threshold": _money(p["threshold"])}
        ),
        "isee_ok": lambda: (
            _("ISEE EUR %(value)s, within the threshold of EUR %(threshold)s.")
            % {"value": _money(p["value"]), "threshold": _money(p["threshold"])}
        ),
        "support_not_declared": lambda: _("Income support not declared."),
        "support_received": lambda: (
            _("Receives income support (%(kind)s).") % {"kind": IncomeSupport(p["kind"]).label}
        ),
        "support_none": lambda: _("Declares no income support."),
    }
    text = messages.get(code)
    return str(text()) if text else code
