"""Payment batches: build and freeze, four-eyes approval, export once, outcomes, carry-over."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from quartiere.accounts.enums import Role
from quartiere.core.exceptions import ApplicationError, ImportRejectedError, InvalidTransitionError
from quartiere.core.models import AuditEvent
from quartiere.training import sepa
from quartiere.training.models import PaymentBatch, PaymentLine
from quartiere.training.payments_enums import PaymentBatchState, PaymentLineKind, PaymentOutcome
from quartiere.training.payments_workflow import SelfApprovalError
from quartiere.training.services import payments as svc
from quartiere.training.tests.payments_factories import (
    add_hours,
    correct_hours,
    make_enrolment,
    make_measure,
    make_path,
)

pytestmark = pytest.mark.django_db

JAN = dt.date(2024, 1, 1)
FEB = dt.date(2024, 2, 1)
MAR = dt.date(2024, 3, 1)


@pytest.fixture
def measure(lab):
    return make_measure(lab)


@pytest.fixture
def path(measure):
    return make_path(measure)


@pytest.fixture
def approver(make_user, lab):
    return make_user(Role.LAB_COORDINATOR, lab, username="coordinator_a2")


def built(measure, month, actor):
    batch = svc.payment_batch_create(measure=measure, month=month, actor=actor)
    return svc.payment_batch_build(batch=batch, actor=actor)


def exported(measure, month, builder, approver):
    batch = built(measure, month, builder)
    svc.payment_batch_approve(batch=batch, actor=approver)
    return svc.payment_batch_export(batch=batch, actor=approver, execution_on=dt.date(2024, 4, 5))


def test_payment_batch_build_freezes_hours_amounts_and_iban(path, measure, coordinator):
    enrolment = make_enrolment(path)
    add_hours(enrolment, JAN, "20")
    add_hours(enrolment, JAN, "20")

    batch = built(measure, JAN, coordinator)

    assert batch.state == PaymentBatchState.FROZEN
    line = batch.lines.get()
    assert line.kind == PaymentLineKind.ALLOWANCE
    assert line.validated_hours == Decimal("40")
    assert line.amount == Decimal("200.00")
    assert line.iban == enrolment.iban
    assert line.holder_name == enrolment.account_holder
    assert batch.total_amount == Decimal("200.00")
    assert batch.built_by == coordinator
    assert batch.debtor_iban == measure.payment_account.iban


def test_payment_batch_build_ignores_unvalidated_registers(path, measure, coordinator):
    enrolment = make_enrolment(path)
    add_hours(enrolment, JAN, "10")
    add_hours(enrolment, JAN, "30", validated=False)

    batch = built(measure, JAN, coordinator)

    assert batch.lines.get().amount == Decimal("50.00")


def test_payment_batch_build_pays_nothing_below_minimum_attendance(path, measure, coordinator):
    enrolment = make_enrolment(path)
    add_hours(enrolment, JAN, "10", scheduled="40")

    batch = built(measure, JAN, coordinator)

    assert batch.line_count == 0


def test_payment_batch_build_applies_month_cap(path, measure, coordinator):
    enrolment = make_enrolment(path)
    add_hours(enrolment, JAN, "100")

    line = built(measure, JAN, coordinator).lines.get()

    assert line.amount == Decimal("400.00")
    assert line.reasons == ["month_cap"]


def test_payment_batch_build_refuses_without_payment_account(path, measure, coordinator):
    measure.payment_account.delete()
    batch = svc.payment_batch_create(measure=measure, month=JAN, actor=coordinator)

    with pytest.raises(ApplicationError):
        svc.payment_batch_build(batch=batch, actor=coordinator)

    batch.refresh_from_db()
    assert batch.state == PaymentBatchState.DRAFT


def test_payment_batch_create_refuses_second_batch_for_same_month(measure, coordinator):
    svc.payment_batch_create(measure=measure, month=JAN, actor=coordinator)

    with pytest.raises(ApplicationError):
        svc.payment_batch_create(measure=measure, month=JAN, actor=coordinator)


def test_payment_batch_create_refuses_future_month(measure, coordinator):
    with pytest.raises(ApplicationError):
        svc.payment_batch_create(
            measure=measure, month=dt.date(2024, 5, 1), actor=coordinator, today=dt.date(2024, 4, 9)
        )


def test_payment_batch_rebuild_replaces_snapshot_without_doubling(path, measure, coordinator):
    enrolment = make_enrolment(path)
    record = add_hours(enrolment, JAN, "20")
    batch = built(measure, JAN, coordinator)
    correct_hours(record, "30")

    batch = svc.payment_batch_build(batch=batch, actor=coordinator)

    assert batch.lines.count() == 1
    assert batch.lines.get().amount == Decimal("150.00")
    assert PaymentLine.objects.filter(enrolment=enrolment).count() == 1


def test_payment_batch_approve_refuses_the_builder(path, measure, coordinator):
    add_hours(make_enrolment(path), JAN, "20")
    batch = built(measure, JAN, coordinator)

    with pytest.raises(SelfApprovalError):
        svc.payment_batch_approve(batch=batch, actor=coordinator)

    batch.refresh_from_db()
    assert batch.state == PaymentBatchState.FROZEN
    assert batch.approved_by is None


def test_payment_batch_approve_refuses_user_without_capability(
    path, measure, coordinator, operator
):
    add_hours(make_enrolment(path), JAN, "20")
    batch = built(measure, JAN, coordinator)

    with pytest.raises(PermissionDenied):
        svc.payment_batch_approve(batch=batch, actor=operator)


def test_payment_batch_approve_by_second_person(path, measure, coordinator, approver):
    add_hours(make_enrolment(path), JAN, "20")
    batch = built(measure, JAN, coordinator)

    batch = svc.payment_batch_approve(batch=batch, actor=approver)

    assert batch.state == PaymentBatchState.APPROVED
    assert batch.approved_by == approver
    assert AuditEvent.objects.filter(action="training.payment_batch_approve").exists()


def test_payment_batch_approve_refused_by_database_for_builder(path, measure, coordinator):
    add_hours(make_enrolment(path), JAN, "20")
    batch = built(measure, JAN, coordinator)

    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentBatch.objects.filter(pk=batch.pk).update(approved_by=coordinator)


def test_payment_batch_export_once_returns_same_bytes(path, measure, coordinator, approver):
    add_hours(make_enrolment(path, number=0), JAN, "20")
    add_hours(make_enrolment(path, number=1), JAN, "30")
    batch = exported(measure, JAN, coordinator, approver)
    first = bytes(batch.sepa_file)

    again = svc.payment_batch_export(batch=batch, actor=coordinator)

    assert bytes(again.sepa_file) == first
    assert again.state == PaymentBatchState.EXPORTED
    assert batch.state_changes.filter(to_state=PaymentBatchState.EXPORTED).count() == 1
    sepa.validate_pain001(first)
    assert b"<NbOfTxs>2</NbOfTxs>" in first
    assert b"<CtrlSum>250.00</CtrlSum>" in first


def test_payment_batch_export_refuses_unapproved_batch(path, measure, coordinator):
    add_hours(make_enrolment(path), JAN, "20")
    batch = built(measure, JAN, coordinator)

    with pytest.raises(InvalidTransitionError):
        svc.payment_batch_export(batch=batch, actor=coordinator)


def test_payment_batch_record_outcome_closes_partly_failed(path, measure, coordinator, approver):
    one, two = make_enrolment(path, number=0), make_enrolment(path, number=1)
    add_hours(one, JAN, "20")
    add_hours(two, JAN, "20")
    batch = exported(measure, JAN, coordinator, approver)
    e1, e2 = batch.lines.order_by("enrolment_id").values_list("end_to_end_id", flat=True)
    csv_file = f"end_to_end_id,status,reason\n{e1},ACSC,\n{e2},RJCT,AC04 closed account\n"

    summary = svc.payment_batch_import_outcome(
        batch=batch, actor=coordinator, content=csv_file.encode()
    )

    batch.refresh_from_db()
    assert (summary.paid, summary.failed) == (1, 1)
    assert batch.state == PaymentBatchState.PARTLY_FAILED
    assert batch.failed_amount == Decimal("100.00")
    assert batch.lines.get(end_to_end_id=e2).failure_reason == "AC04 closed account"


def test_payment_batch_record_outcome_rejects_unknown_id_and_writes_nothing(
    path, measure, coordinator, approver
):
    add_hours(make_enrolment(path), JAN, "20")
    batch = exported(measure, JAN, coordinator, approver)
    e2e = batch.lines.get().end_to_end_id
    content = f"{e2e},ACSC\nNOPE-1,ACSC\n".encode()

    with pytest.raises(ImportRejectedError) as caught:
        svc.payment_batch_import_outcome(batch=batch, actor=coordinator, content=content)

    assert caught.value.errors[0][0] == 2
    assert batch.lines.get().outcome == PaymentOutcome.PENDING


def test_payment_batch_record_outcome_refuses_changing_a_recorded_outcome(
    path, measure, coordinator, approver
):
    add_hours(make_enrolment(path), JAN, "20")
    batch = exported(measure, JAN, coordinator, approver)
    e2e = batch.lines.get().end_to_end_id
    svc.payment_batch_import_outcome(batch=batch, actor=coordinator, content=f"{e2e},RJCT".encode())

    with pytest.raises(ImportRejectedError):
        svc.payment_batch_import_outcome(
            batch=batch, actor=coordinator, content=f"{e2e},ACSC".encode()
        )

    assert batch.lines.get().outcome == PaymentOutcome.FAILED


def test_payment_batch_import_reads_pain002(path, measure, coordinator, approver):
    add_hours(make_enrolment(path), JAN, "20")
    batch = exported(measure, JAN, coordinator, approver)
    e2e = batch.lines.get().end_to_end_id
    report = f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt>
<GrpHdr><MsgId>R1</MsgId><CreDtTm>2024-04-06T10:00:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>{batch.sepa_message_id}</OrgnlMsgId>
<OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId></OrgnlGrpInfAndSts>
<OrgnlPmtInfAndSts><OrgnlPmtInfId>X</OrgnlPmtInfId>
<TxInfAndSts><OrgnlEndToEndId>{e2e}</OrgnlEndToEndId><TxSts>RJCT</TxSts>
<StsRsnInf><Rsn><Cd>AC04</Cd></Rsn></StsRsnInf></TxInfAndSts>
</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>"""

    svc.payment_batch_import_outcome(batch=batch, actor=coordinator, content=report.encode())

    line = batch.lines.get()
    assert line.outcome == PaymentOutcome.FAILED
    assert line.failure_reason == "AC04"


def test_payment_batch_mark_paid_closes_batch(path, measure, coordinator, approver):
    add_hours(make_enrolment(path), JAN, "20")
    batch = exported(measure, JAN, coordinator, approver)

    svc.payment_batch_mark_paid(batch=batch, actor=coordinator)

    batch.refresh_from_db()
    assert batch.state == PaymentBatchState.PAID
    assert batch.paid_amount == Decimal("100.00")


def test_failed_payment_is_carried_over_once(path, measure, coordinator, approver):
    enrolment = make_enrolment(path)
    add_hours(enrolment, JAN, "20")
    add_hours(enrolment, FEB, "10")
    jan = exported(measure, JAN, coordinator, approver)
    failed = jan.lines.get()
    svc.payment_line_record_outcome(line=failed, actor=coordinator, paid=False, reason="AC04")

    feb = exported(measure, FEB, coordinator, approver)
    carried = feb.lines.get(kind=PaymentLineKind.CARRY_OVER)
    svc.payment_batch_mark_paid(batch=feb, actor=coordinator)
    mar = built(measure, MAR, coordinator)

    assert carried.carried_from == failed
    assert carried.amount == Decimal("100.00")
    assert feb.total_amount == Decimal("150.00")
    assert not mar.lines.filter(kind=PaymentLineKind.CARRY_OVER).exists()


def test_correction_after_freezing_goes_to_next_batch_as_adjustment(
    path, measure, coordinator, approver
):
    enrolment = make_enrolment(path)
    record = add_hours(enrolment, JAN, "20")
    add_hours(enrolment, FEB, "10")
    exported(measure, JAN, coordinator, approver)
    correct_hours(record, "26")

    feb = built(measure, FEB, coordinator)

    adjustment = feb.lines.get(kind=PaymentLineKind.ADJUSTMENT)
    assert adjustment.month == JAN
    assert adjustment.amount == Decimal("30.00")
    assert feb.total_amount == Decimal("80.00")


def test_downward_correction_is_recorded_to_recover_not_transferred(
    path, measure, coordinator, approver
):
    enrolment = make_enrolment(path)
    record = add_hours(enrolment, JAN, "20")
    add_hours(enrolment, FEB, "10")
    exported(measure, JAN, coordinator, approver)
    correct_hours(record, "16")

    feb = exported(measure, FEB, coordinator, approver)

    adjustment = feb.lines.get(kind=PaymentLineKind.ADJUSTMENT)
    assert adjustment.amount == Decimal("-20.00")
    assert adjustment.outcome == PaymentOutcome.NOT_TRANSFERRED
    assert feb.recovery_amount == Decimal("20.00")
    assert b"-D</EndToEndId>" not in bytes(feb.sepa_file)


def test_person_cap_counts_what_earlier_batches_froze(path, measure, coordinator, approver):
    enrolment = make_enrolment(path)
    months = [dt.date(2024, m, 1) for m in range(1, 7)]
    for month in months:
        add_hours(enrolment, month, "100")
    for month in months[:5]:
        exported(measure, month, coordinator, approver)

    june = built(measure, months[5], coordinator)

    assert june.line_count == 0
    total = sum(PaymentLine.objects.filter(enrolment=enrolment).values_list("amount", flat=True))
    assert total == Decimal("2000.00")


def test_rebuild_refused_when_a_later_batch_relies_on_it(path, measure, coordinator):
    enrolment = make_enrolment(path)
    add_hours(enrolment, JAN, "20")
    add_hours(enrolment, FEB, "20")
    jan = built(measure, JAN, coordinator)
    built(measure, FEB, coordinator)

    with pytest.raises(ApplicationError):
        svc.payment_batch_build(batch=jan, actor=coordinator)


def test_cancelled_batch_frees_the_month_without_double_payment(path, measure, coordinator):
    enrolment = make_enrolment(path)
    add_hours(enrolment, JAN, "20")
    first = built(measure, JAN, coordinator)
    svc.payment_batch_cancel(batch=first, actor=coordinator, note="wrong month")

    second = built(measure, JAN, coordinator)

    assert second.lines.count() == 1
    assert PaymentLine.objects.filter(enrolment=enrolment, is_void=False).count() == 1


def test_second_live_allowance_for_same_month_is_refused_by_database(path, measure, coordinator):
    enrolment = make_enrolment(path)
    add_hours(enrolment, JAN, "20")
    line = built(measure, JAN, coordinator).lines.get()
    other = PaymentBatch.objects.create(lab=measure.lab, measure=measure, month=FEB)

    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(
            batch=other,
            enrolment=enrolment,
            lab=measure.lab,
            month=JAN,
            kind=PaymentLineKind.ALLOWANCE,
            gross_amount=line.amount,
            amount=line.amount,
            end_to_end_id="OTHER",
        )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_interrupted_build_leaves_no_partial_batch(path, measure, coordinator, monkeypatch):
    for number in range(3):
        add_hours(make_enrolment(path, number=number), JAN, "20")
    batch = svc.payment_batch_create(measure=measure, month=JAN, actor=coordinator)

    def crash(batch):
        raise RuntimeError("killed after the last line insert")

    monkeypatch.setattr(svc, "_snapshot_accounts", crash)
    with pytest.raises(RuntimeError):
        svc.payment_batch_build(batch=batch, actor=coordinator)

    batch.refresh_from_db()
    assert batch.state == PaymentBatchState.DRAFT
    assert not PaymentLine.objects.exists()


def test_build_interrupted_while_the_next_chunk_is_read_leaves_no_partial_batch(
    path, measure, coordinator, monkeypatch
):
    """The server streams the enrolments while the build computes those already received: a
    crash in the middle cancels the query, rolls everything back and leaves the connection
    usable."""
    enrolments = [make_enrolment(path, number=number) for number in range(4)]
    for enrolment in enrolments:
        add_hours(enrolment, JAN, "20")
    batch = svc.payment_batch_create(measure=measure, month=JAN, actor=coordinator)
    monkeypatch.setattr(svc, "FETCH", 1)  # one enrolment per chunk: rows still to come
    compute = svc.allowance.Calculator.compute
    seen: list[int] = []

    def crash(self, months, *args, **kwargs):
        seen.append(1)
        if len(seen) == 3:
            raise RuntimeError("killed in the middle of the stream")
        return compute(self, months, *args, **kwargs)

    monkeypatch.setattr(svc.allowance.Calculator, "compute", crash)
    with pytest.raises(RuntimeError):
        svc.payment_batch_build(batch=batch, actor=coordinator)

    batch.refresh_from_db()
    assert batch.state == PaymentBatchState.DRAFT
    assert not PaymentLine.objects.exists()
    monkeypatch.setattr(svc.allowance.Calculator, "compute", compute)
    rebuilt = svc.payment_batch_build(batch=batch, actor=coordinator)
    assert rebuilt.line_count == 4


def test_build_writes_every_line_once_when_the_lines_spill_to_a_temporary_file(
    path, measure, coordinator, monkeypatch
):
    enrolments = [make_enrolment(path, number=number) for number in range(7)]
    for enrolment in enrolments:
        add_hours(enrolment, JAN, "20")
    batch = svc.payment_batch_create(measure=measure, month=JAN, actor=coordinator)
    monkeypatch.setattr(svc, "CHUNK", 2)  # four chunks of lines
    monkeypatch.setattr(svc, "SPOOL_MEMORY", 64)  # past 64 bytes they go to disk

    built_batch = svc.payment_batch_build(batch=batch, actor=coordinator)

    lines = PaymentLine.objects.filter(batch=built_batch)
    assert built_batch.line_count == 7
    assert sorted(lines.values_list("enrolment_id", flat=True)) == sorted(e.pk for e in enrolments)
    assert {line.amount for line in lines} == {Decimal("100.00")}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_interrupted_export_leaves_no_file_and_can_be_retried(
    path, measure, coordinator, approver, monkeypatch
):
    add_hours(make_enrolment(path), JAN, "20")
    batch = built(measure, JAN, coordinator)
    svc.payment_batch_approve(batch=batch, actor=approver)
    real_write = svc.write_sepa_file

    def crash(*, batch, content):
        raise OSError("disk full")

    monkeypatch.setattr(svc, "write_sepa_file", crash)
    with pytest.raises(OSError, match="disk full"):
        svc.payment_batch_export(batch=batch, actor=approver)
    batch.refresh_from_db()
    assert batch.state == PaymentBatchState.APPROVED
    assert batch.sepa_file is None

    monkeypatch.setattr(svc, "write_sepa_file", real_write)
    batch = svc.payment_batch_export(batch=batch, actor=approver)
    assert batch.state == PaymentBatchState.EXPORTED
    assert batch.state_changes.filter(to_state=PaymentBatchState.EXPORTED).count() == 1
