"""The demo payment batches: every state, a downloadable SEPA file, a carried-over line."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from quartiere.accounts.enums import Role
from quartiere.training import sepa
from quartiere.training.models import PaymentBatch, PaymentLine
from quartiere.training.payments_enums import PaymentBatchState, PaymentLineKind
from quartiere.training.seeds_payments import seed_demo_payments
from quartiere.training.tests.payments_factories import (
    add_hours,
    make_enrolment,
    make_measure,
    make_path,
)

pytestmark = pytest.mark.django_db


def test_seed_demo_payments_builds_batches_in_every_state(lab, make_user):
    make_user(Role.LAB_COORDINATOR, lab, username="coord.lorenteggio")
    make_user(Role.REGION_OFFICIAL, username="regione")
    path = make_path(make_measure(lab))
    for number in range(4):
        enrolment = make_enrolment(path, number=number)
        for month in range(1, 9):
            add_hours(enrolment, dt.date(2024, month, 1), str(10 + 5 * number))

    seed_demo_payments(size="tiny", rng=random.Random(1), ctx={})

    states = set(PaymentBatch.objects.values_list("state", flat=True))
    assert states == {
        PaymentBatchState.PAID,
        PaymentBatchState.PARTLY_FAILED,
        PaymentBatchState.EXPORTED,
        PaymentBatchState.APPROVED,
        PaymentBatchState.FROZEN,
        PaymentBatchState.CANCELLED,
        PaymentBatchState.DRAFT,
    }
    exported = PaymentBatch.objects.get(state=PaymentBatchState.EXPORTED)
    sepa.validate_pain001(bytes(exported.sepa_file))
    assert exported.lines.filter(kind=PaymentLineKind.CARRY_OVER).count() == 1
    frozen = PaymentBatch.objects.get(state=PaymentBatchState.FROZEN)
    assert frozen.approved_by is None
    assert PaymentBatch.objects.get(state=PaymentBatchState.CANCELLED).month == frozen.month
    approved = PaymentBatch.objects.get(state=PaymentBatchState.APPROVED)
    assert approved.sepa_file is None
    assert approved.approved_by != approved.built_by


def test_seed_demo_payments_does_nothing_without_attendance(db):
    seed_demo_payments(size="tiny", rng=random.Random(1), ctx={})

    assert not PaymentLine.objects.exists()
