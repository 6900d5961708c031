"""Attendance registers: refusals per field, submission, validation lock, corrections."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from quartiere.core.exceptions import ApplicationError, InvalidTransitionError
from quartiere.core.models import AuditEvent
from quartiere.training.enums import RegisterStatus
from quartiere.training.models import AttendanceCorrection, AttendanceRecord
from quartiere.training.selectors import enrolment_allowance, validated_hours_by_month
from quartiere.training.services import enrolment as enrolment_svc
from quartiere.training.services import registers as svc
from quartiere.training.services.registers import AttendanceEntry
from quartiere.training.tests.conftest import enrol, make_resident

pytestmark = pytest.mark.django_db


def _filled(world, hours="3.50", **entry):
    enrolment = enrol(world)
    register = svc.register_open(actor=world.trainer, session=world.session)
    svc.register_save(
        actor=world.trainer,
        register=register,
        entries=[AttendanceEntry(enrolment.pk, Decimal(hours), **entry)],
    )
    return register, enrolment


def _validated(world):
    register, enrolment = _filled(world)
    svc.register_submit(actor=world.trainer, register=register)
    register = svc.register_validate(actor=world.responsible, register=register)
    return register, enrolment


def test_register_save_stores_lines_with_month_and_lab(world):
    _filled(world, late_minutes=15)
    record = AttendanceRecord.objects.get()
    assert record.effective_hours == Decimal("3.50")
    assert record.month == dt.date(2025, 3, 1)
    assert record.lab_id == world.lab.pk
    assert not record.is_validated


def test_register_save_refuses_hours_beyond_session_length(world):
    enrolment = enrol(world)
    register = svc.register_open(actor=world.trainer, session=world.session)
    with pytest.raises(ApplicationError) as exc:
        svc.register_save(
            actor=world.trainer,
            register=register,
            entries=[AttendanceEntry(enrolment.pk, Decimal("4.25"))],
        )
    assert f"hours_{enrolment.pk}" in exc.value.fields
    assert not AttendanceRecord.objects.exists()


def test_register_save_refuses_hours_beyond_what_late_arrival_allows(world):
    enrolment = enrol(world)
    register = svc.register_open(actor=world.trainer, session=world.session)
    with pytest.raises(ApplicationError) as exc:
        svc.register_save(
            actor=world.trainer,
            register=register,
            entries=[AttendanceEntry(enrolment.pk, Decimal("4.00"), late_minutes=30)],
        )
    assert f"hours_{enrolment.pk}" in exc.value.fields


def test_register_save_refuses_person_not_enrolled_on_session_day(world):
    late = make_resident(world.lab, world.building, first_name="Sara", last_name="Neri")
    enrolment = enrol(world, late, on=dt.date(2025, 3, 10))  # after the 3 March session
    register = svc.register_open(actor=world.trainer, session=world.session)
    with pytest.raises(ApplicationError) as exc:
        svc.register_save(
            actor=world.trainer,
            register=register,
            entries=[AttendanceEntry(enrolment.pk, Decimal("2"))],
        )
    assert exc.value.fields[f"hours_{enrolment.pk}"]
    assert not AttendanceRecord.objects.exists()


def test_register_save_refuses_person_of_another_path(world):
    from quartiere.training.tests.factories import TrainingPathFactory

    other_path = TrainingPathFactory(measure=world.measure, operator=world.operator)
    enrolment = enrol(world, path=other_path)
    register = svc.register_open(actor=world.trainer, session=world.session)
    with pytest.raises(ApplicationError):
        svc.register_save(
            actor=world.trainer,
            register=register,
            entries=[AttendanceEntry(enrolment.pk, Decimal("2"))],
        )


def test_register_save_refuses_withdrawn_person_after_withdrawal(world):
    enrolment = enrol(world)
    enrolment_svc.enrolment_withdraw(
        actor=world.coordinator,
        enrolment=enrolment,
        withdrawn_on=dt.date(2025, 3, 1),
        reason="Trasferito",
    )
    register = svc.register_open(actor=world.trainer, session=world.session)
    with pytest.raises(ApplicationError):
        svc.register_save(
            actor=world.trainer,
            register=register,
            entries=[AttendanceEntry(enrolment.pk, Decimal("2"))],
        )


def test_register_submit_refuses_missing_participant(world):
    enrol(world)
    register = svc.register_open(actor=world.trainer, session=world.session)
    with pytest.raises(ApplicationError, match="missing"):
        svc.register_submit(actor=world.trainer, register=register)


def test_register_validate_refused_for_the_person_who_entered_it(world):
    register, _ = _filled(world)
    svc.register_submit(actor=world.trainer, register=register)
    with pytest.raises(ApplicationError):
        svc.register_validate(actor=world.trainer, register=register)


def test_register_validate_marks_lines_validated(world):
    register, enrolment = _validated(world)
    assert register.status == RegisterStatus.VALIDATED
    assert register.validated_by == world.responsible
    assert AttendanceRecord.objects.get().is_validated
    rows = list(validated_hours_by_month(month=dt.date(2025, 3, 15), lab_id=world.lab.pk))
    assert rows[0]["enrolment_id"] == enrolment.pk
    assert rows[0]["validated_hours"] == Decimal("3.50")


def test_validated_register_is_locked(world):
    register, enrolment = _validated(world)
    with pytest.raises(InvalidTransitionError):
        svc.register_save(
            actor=world.trainer,
            register=register,
            entries=[AttendanceEntry(enrolment.pk, Decimal("1"))],
        )
    assert AttendanceRecord.objects.get().hours_present == Decimal("3.50")


def test_attendance_correct_adds_entry_and_changes_effective_hours(world):
    _validated(world)
    record = AttendanceRecord.objects.get()
    svc.attendance_correct(
        actor=world.coordinator, record=record, hours_present=Decimal("4"), reason="Errore"
    )
    svc.attendance_correct(
        actor=world.coordinator, record=record, hours_present=Decimal("3"), reason="Rettifica"
    )
    record.refresh_from_db()
    assert record.hours_present == Decimal("3.50")  # the original stays
    assert record.effective_hours == Decimal("3.00")  # the latest correction counts
    assert AttendanceCorrection.objects.count() == 2
    assert AuditEvent.objects.filter(action="training.attendance_correct").count() == 2


def test_attendance_correct_requires_reason(world):
    _validated(world)
    with pytest.raises(ApplicationError) as exc:
        svc.attendance_correct(
            actor=world.coordinator,
            record=AttendanceRecord.objects.get(),
            hours_present=Decimal("2"),
            reason="",
        )
    assert "reason" in exc.value.fields


def test_attendance_correct_refuses_hours_beyond_session(world):
    _validated(world)
    with pytest.raises(ApplicationError) as exc:
        svc.attendance_correct(
            actor=world.coordinator,
            record=AttendanceRecord.objects.get(),
            hours_present=Decimal("9"),
            reason="x",
        )
    assert "hours_present" in exc.value.fields


def test_attendance_correct_refused_on_draft_register(world):
    _filled(world)
    with pytest.raises(InvalidTransitionError):
        svc.attendance_correct(
            actor=world.coordinator,
            record=AttendanceRecord.objects.get(),
            hours_present=Decimal("2"),
            reason="x",
        )


def test_enrolment_allowance_counts_only_validated_hours(world):
    _register, enrolment = _validated(world)
    result = enrolment_allowance(enrolment=enrolment).result
    assert result.total == Decimal("17.50")  # 3.5 h x EUR 5.00


def test_register_return_sends_back_to_draft_with_reason(world):
    register, _enrolment = _filled(world)
    svc.register_submit(actor=world.trainer, register=register)
    register = svc.register_return(
        actor=world.responsible, register=register, reason="Manca una firma"
    )
    assert register.status == RegisterStatus.DRAFT
    assert AuditEvent.objects.filter(action="training.register_return").exists()


def test_register_return_requires_reason(world):
    register, _enrolment = _filled(world)
    svc.register_submit(actor=world.trainer, register=register)
    with pytest.raises(ApplicationError) as exc:
        svc.register_return(actor=world.responsible, register=register, reason="")
    assert "reason" in exc.value.fields
