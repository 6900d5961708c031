"""Test data for payment batches: a measure with its rule and account, enrolments, hours.

Attendance rows are written directly with their denormalised copies (lab, month, validated),
as the registers' services would leave them, so payment tests do not depend on register flows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from quartiere.accounts.tests.factories import OrganisationFactory
from quartiere.people.tests.factories import ResidentFactory
from quartiere.training.enums import RegisterStatus
from quartiere.training.models import (
    AccreditedOperator,
    AllowanceRule,
    AttendanceRecord,
    AttendanceRegister,
    EligibilityCheck,
    Enrolment,
    Measure,
    PaymentAccount,
    TrainingPath,
    TrainingSession,
)

IBANS = [
    "IT60X0542811101000000123456",
    "IT07X0542811101000000654321",
    "DE89370400440532013000",
    "FR1420041010050500013M02606",
    "NL91ABNA0417164300",
    "GB82WEST12345698765432",
]
DEBTOR_IBAN = "IT40S0542811101000000123456"


def make_measure(lab: Any, *, min_ratio: str | None = "0.75", budget: str = "100000") -> Measure:
    measure = Measure.objects.create(
        lab=lab, name="Inclusione attiva", allowance_budget=Decimal(budget)
    )
    AllowanceRule.objects.create(
        measure=measure,
        valid_from=dt.date(2020, 1, 1),
        hourly_rate=Decimal("5.00"),
        month_cap=Decimal("400.00"),
        person_cap=Decimal("2000.00"),
        min_attendance_ratio=Decimal(min_ratio) if min_ratio is not None else None,
    )
    PaymentAccount.objects.create(
        measure=measure, debtor_name="Comune di Prova", iban=DEBTOR_IBAN, bic="BPMOIT22XXX"
    )
    return measure


def make_path(measure: Measure) -> TrainingPath:
    operator, _created = AccreditedOperator.objects.get_or_create(
        organisation=OrganisationFactory(), lab=measure.lab
    )
    return TrainingPath.objects.create(
        measure=measure,
        lab=measure.lab,
        operator=operator,
        title="Percorso",
        hours=Decimal("200"),
        places=30,
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2024, 12, 31),
    )


def make_enrolment(path: TrainingPath, *, number: int = 0, iban: str | None = None) -> Enrolment:
    resident = ResidentFactory(lab=path.lab)
    check = EligibilityCheck.objects.create(
        measure=path.measure,
        resident=resident,
        lab=path.lab,
        checked_on=dt.date(2024, 1, 1),
        passed=True,
    )
    value = iban or IBANS[number % len(IBANS)]
    return Enrolment.objects.create(
        path=path,
        resident=resident,
        lab=path.lab,
        measure=path.measure,
        eligibility=check,
        enrolled_on=dt.date(2024, 1, 1),
        planned_hours=Decimal("200"),
        objectives="Objectives",
        iban=value,
        iban_masked=f"{value[:4]}…{value[-4:]}",
        account_holder=f"{resident.first_name} {resident.last_name}",
    )


def add_hours(
    enrolment: Enrolment,
    month: dt.date,
    hours: str,
    *,
    scheduled: str | None = None,
    validated: bool = True,
) -> AttendanceRecord:
    """Record one session in ``month`` where ``enrolment`` attended ``hours`` of ``scheduled``."""
    scheduled = scheduled or hours
    day = 1 + AttendanceRecord.objects.count() % 27
    start = dt.datetime(month.year, month.month, day, 9, tzinfo=dt.UTC)
    session = TrainingSession.objects.create(
        path=enrolment.path,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=float(scheduled)),
        hours=Decimal(scheduled),
    )
    register = AttendanceRegister.objects.create(
        session=session,
        lab=enrolment.lab,
        status=RegisterStatus.VALIDATED if validated else RegisterStatus.SUBMITTED,
    )
    return AttendanceRecord.objects.create(
        register=register,
        enrolment=enrolment,
        hours_present=Decimal(hours),
        effective_hours=Decimal(hours),
        scheduled_hours=Decimal(scheduled),
        lab=enrolment.lab,
        month=month.replace(day=1),
        is_validated=validated,
    )


def correct_hours(record: AttendanceRecord, hours: str) -> None:
    """Apply a correction to a validated record, as the registers' service leaves it."""
    AttendanceRecord.objects.filter(pk=record.pk).update(effective_hours=Decimal(hours))
