"""Each eligibility gate passes and fails on its own evidence (pure, no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from quartiere.training import eligibility as el
from quartiere.training.enums import Gate, IncomeSupport

TODAY = dt.date(2025, 6, 15)
ALL_ON = el.GateConfig(
    age=True,
    residence=True,
    target_building_ids=frozenset({7}),
    district_id=1,
    unemployed=True,
    min_unemployed_months=6,
    permit=True,
    isee=True,
    isee_threshold=Decimal("18000"),
    income_support=True,
)
GOOD = el.Evidence(
    birth_date=dt.date(1990, 1, 1),
    building_id=7,
    building_district_id=1,
    is_unemployed=True,
    unemployed_since=dt.date(2024, 1, 1),
    citizenship="IT",
    isee_value=Decimal("12000"),
    isee_date=dt.date(2025, 3, 1),
    income_support=IncomeSupport.NONE,
)


def result(gate: Gate, cfg: el.GateConfig = ALL_ON, **changes: object) -> el.GateResult:
    ev = el.Evidence(**{**GOOD.__dict__, **changes})
    return next(r for r in el.evaluate(cfg, ev, today=TODAY) if r.gate == gate)


def test_evaluate_passes_every_gate_when_evidence_is_good():
    assert el.all_passed(el.evaluate(ALL_ON, GOOD, today=TODAY))


def test_age_gate_fails_when_under_18():
    r = result(Gate.AGE, birth_date=dt.date(2007, 6, 16))
    assert (r.passed, r.code, r.params["age"]) == (False, "too_young", 17)


def test_age_gate_passes_on_18th_birthday():
    assert result(Gate.AGE, birth_date=dt.date(2007, 6, 15)).passed


def test_age_gate_fails_when_birth_date_missing():
    assert result(Gate.AGE, birth_date=None).code == "birth_date_missing"


def test_residence_gate_fails_outside_target_buildings():
    r = result(Gate.RESIDENCE, building_id=8)
    assert (r.passed, r.code) == (False, "outside_target_area")


def test_residence_gate_fails_without_tenancy():
    assert result(Gate.RESIDENCE, building_id=None).code == "no_tenancy"


def test_residence_gate_uses_district_when_no_target_buildings():
    cfg = el.GateConfig(**{**ALL_ON.__dict__, "target_building_ids": None})
    assert result(Gate.RESIDENCE, cfg, building_id=99).passed
    assert not result(Gate.RESIDENCE, cfg, building_id=99, building_district_id=2).passed


def test_unemployed_gate_fails_when_too_recent():
    r = result(Gate.UNEMPLOYED, unemployed_since=dt.date(2025, 2, 1))
    assert (r.passed, r.code, r.params["months"]) == (False, "unemployed_too_short", 4)


def test_unemployed_gate_fails_when_not_unemployed():
    r = result(Gate.UNEMPLOYED, is_unemployed=False, unemployed_since=None)
    assert r.code == "not_unemployed"


def test_permit_gate_passes_eu_citizen_without_permit():
    assert result(Gate.PERMIT, citizenship="RO").code == "eu_citizen"


def test_permit_gate_fails_non_eu_with_expired_permit():
    r = result(Gate.PERMIT, citizenship="MA", permit_expires_on=dt.date(2025, 6, 14))
    assert (r.passed, r.code) == (False, "permit_expired")


def test_permit_gate_passes_non_eu_with_valid_permit():
    assert result(Gate.PERMIT, citizenship="MA", permit_expires_on=TODAY).passed


def test_permit_gate_fails_non_eu_without_permit():
    assert result(Gate.PERMIT, citizenship="EG").code == "permit_missing"


def test_isee_gate_fails_over_threshold():
    r = result(Gate.ISEE, isee_value=Decimal("18000.01"))
    assert (r.passed, r.code) == (False, "isee_over")


def test_isee_gate_passes_at_threshold():
    assert result(Gate.ISEE, isee_value=Decimal("18000.00")).passed


def test_isee_gate_fails_when_certificate_outdated():
    assert result(Gate.ISEE, isee_date=dt.date(2024, 6, 14)).code == "isee_outdated"


def test_isee_gate_fails_when_missing():
    assert result(Gate.ISEE, isee_value=None).code == "isee_missing"


@pytest.mark.parametrize("kind", [IncomeSupport.NASPI, IncomeSupport.DIS_COLL, IncomeSupport.CIG])
def test_income_support_gate_fails_when_receiving(kind):
    r = result(Gate.INCOME_SUPPORT, income_support=kind)
    assert (r.passed, r.code) == (False, "support_received")


def test_income_support_gate_fails_when_not_declared():
    assert result(Gate.INCOME_SUPPORT, income_support="").code == "support_not_declared"


def test_switched_off_gate_passes_as_not_checked():
    cfg = el.GateConfig(**{**ALL_ON.__dict__, "isee": False})
    r = result(Gate.ISEE, cfg, isee_value=None)
    assert (r.enabled, r.passed, r.code) == (False, True, "not_checked")


def test_describe_gives_reason_in_words():
    r = result(Gate.ISEE, isee_value=Decimal("20000"))
    assert "18" in el.describe(Gate.ISEE, r.as_json())
