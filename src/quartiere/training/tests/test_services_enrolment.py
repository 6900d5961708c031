"""Eligibility snapshots, enrolment refusals (gates, IBAN, holder, places) and its lifecycle."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from quartiere.core.exceptions import ApplicationError, InvalidTransitionError
from quartiere.core.models import AuditEvent
from quartiere.monitoring.enums import SensitiveAnswer
from quartiere.monitoring.models import Participant, Participation
from quartiere.monitoring.services import EntryData
from quartiere.training.enums import EnrolmentStatus, IncomeSupport
from quartiere.training.models import EligibilityCheck, Enrolment
from quartiere.training.services import enrolment as svc
from quartiere.training.tests.conftest import GOOD_IBAN, TODAY, eligible_evidence, enrol

pytestmark = pytest.mark.django_db


def _check(world, **evidence):
    return svc.eligibility_check_run(
        actor=world.coordinator,
        measure=world.measure,
        resident=world.resident,
        checked_on=TODAY,
        **{**eligible_evidence(), **evidence},
    )


def _create(world, check, **overrides):
    kwargs = {
        "actor": world.coordinator,
        "path": world.path,
        "check": check,
        "enrolled_on": TODAY,
        "planned_hours": Decimal("80"),
        "objectives": "Competenze digitali",
        "iban": GOOD_IBAN,
        "account_holder": "Mario Rossi",
        "entry_data": EntryData(employment_status="unemployed"),
        **overrides,
    }
    return svc.enrolment_create(**kwargs)


def test_eligibility_check_stores_evidence_and_results(world):
    check = _check(world)
    assert check.passed
    assert check.isee_value == Decimal("9500.00")
    assert check.residence_building == world.building
    assert set(check.results) == {
        "age",
        "residence",
        "unemployed",
        "permit",
        "isee",
        "income_support",
    }


def test_eligibility_check_records_failed_gate(world):
    check = _check(world, income_support=IncomeSupport.NASPI)
    assert not check.passed
    assert check.results["income_support"]["code"] == "support_received"
    assert EligibilityCheck.objects.count() == 1


def test_enrolment_create_enrols_eligible_resident(world):
    enrolment = _create(world, _check(world))
    assert enrolment.status == EnrolmentStatus.ENROLLED
    assert enrolment.iban == GOOD_IBAN
    assert enrolment.iban_masked.endswith("3456")
    assert "0542811101" not in enrolment.iban_masked


def test_enrolment_create_refused_with_reason_when_gate_fails(world):
    check = _check(world, isee_value=Decimal("25000"))
    with pytest.raises(ApplicationError, match="ISEE"):
        _create(world, check)
    assert not Enrolment.objects.exists()


def test_enrolment_create_refuses_iban_with_bad_checksum(world):
    bad = GOOD_IBAN[:-1] + ("7" if GOOD_IBAN[-1] != "7" else "8")
    with pytest.raises(ApplicationError) as exc:
        _create(world, _check(world), iban=bad)
    assert "iban" in exc.value.fields
    assert not Enrolment.objects.exists()


def test_enrolment_create_refuses_account_in_someone_elses_name(world):
    with pytest.raises(ApplicationError) as exc:
        _create(world, _check(world), account_holder="Giuseppe Rossi")
    assert "account_holder" in exc.value.fields


def test_enrolment_create_accepts_holder_in_other_order_and_case(world):
    assert _create(world, _check(world), account_holder="ROSSI  mario").pk


def test_enrolment_create_refuses_second_enrolment_on_same_path(world):
    _create(world, _check(world))
    with pytest.raises(ApplicationError, match="already enrolled"):
        _create(world, _check(world))


def test_enrolment_create_refuses_when_path_full(world):
    world.path.places = 0
    world.path.save()
    with pytest.raises(ApplicationError, match="no places"):
        _create(world, _check(world))


def test_enrolment_create_refuses_stale_check(world):
    with pytest.raises(ApplicationError, match="older than"):
        _create(world, _check(world), enrolled_on=TODAY + dt.timedelta(days=45))


def test_enrolment_create_records_esf_entry_data_and_participation(world):
    data = EntryData(
        employment_status="unemployed",
        education_level="isced_1_2",
        migrant_background=SensitiveAnswer.REFUSED,
    )
    enrolment = _create(world, _check(world), entry_data=data)
    participant = Participant.objects.get(resident_id=world.resident.pk)
    assert participant.migrant_background == SensitiveAnswer.REFUSED
    participation = Participation.objects.get(participant=participant)
    assert participation.operation_key == f"training.path:{enrolment.path_id}"
    assert participation.entered_on == TODAY


def test_enrolment_audit_never_holds_the_iban(world):
    _create(world, _check(world))
    for event in AuditEvent.objects.filter(action__startswith="training."):
        assert GOOD_IBAN not in str(event.changes)


def test_enrolment_withdraw_records_reason_and_esf_exit(world):
    enrolment = enrol(world)
    svc.enrolment_start(actor=world.coordinator, enrolment=enrolment, started_on=TODAY)
    svc.enrolment_withdraw(
        actor=world.coordinator,
        enrolment=enrolment,
        withdrawn_on=TODAY + dt.timedelta(days=20),
        reason="Ha trovato lavoro",
    )
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.WITHDRAWN
    assert enrolment.withdrawal_reason == "Ha trovato lavoro"
    assert Participation.objects.get().exited_on == TODAY + dt.timedelta(days=20)


def test_enrolment_withdraw_requires_reason(world):
    enrolment = enrol(world)
    with pytest.raises(ApplicationError) as exc:
        svc.enrolment_withdraw(
            actor=world.coordinator, enrolment=enrolment, withdrawn_on=TODAY, reason=" "
        )
    assert "reason" in exc.value.fields


def test_enrolment_complete_refused_before_start(world):
    enrolment = enrol(world)
    with pytest.raises(InvalidTransitionError):
        svc.enrolment_complete(actor=world.coordinator, enrolment=enrolment, completed_on=TODAY)


def test_enrolment_complete_after_start(world):
    enrolment = enrol(world)
    svc.enrolment_start(actor=world.coordinator, enrolment=enrolment, started_on=TODAY)
    svc.enrolment_complete(
        actor=world.coordinator, enrolment=enrolment, completed_on=dt.date(2025, 12, 20)
    )
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED
