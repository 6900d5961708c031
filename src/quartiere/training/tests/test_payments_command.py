"""``quartiere payments list`` and ``quartiere payments export``."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from quartiere.accounts.enums import Role
from quartiere.training.payments_enums import PaymentBatchState
from quartiere.training.services import payments as svc
from quartiere.training.tests.payments_factories import (
    add_hours,
    make_enrolment,
    make_measure,
    make_path,
)

pytestmark = pytest.mark.django_db

JAN = dt.date(2024, 1, 1)


@pytest.fixture
def approved(lab, coordinator, make_user):
    measure = make_measure(lab)
    add_hours(make_enrolment(make_path(measure)), JAN, "20")
    batch = svc.payment_batch_create(measure=measure, month=JAN, actor=coordinator)
    svc.payment_batch_build(batch=batch, actor=coordinator)
    approver = make_user(Role.LAB_COORDINATOR, lab, username="coordinator_a2")
    return svc.payment_batch_approve(batch=batch, actor=approver)


def test_payments_list_prints_id_lab_month_state_total(approved):
    out = StringIO()

    call_command("payments", "list", stdout=out)

    line = out.getvalue().splitlines()[1].split()
    assert line[0] == str(approved.pk)
    assert "2024-01" in line
    assert "approved" in line
    assert line[-1] == "100.00"


def test_payments_export_writes_same_bytes_as_the_page(approved, tmp_path, coordinator):
    target = tmp_path / "batch.xml"

    call_command("payments", "export", str(approved.pk), "--output", str(target), stderr=StringIO())
    call_command(
        "payments",
        "export",
        str(approved.pk),
        "--output",
        str(tmp_path / "b.xml"),
        stderr=StringIO(),
    )

    approved.refresh_from_db()
    assert approved.state == PaymentBatchState.EXPORTED
    assert target.read_bytes() == bytes(approved.sepa_file)
    assert (tmp_path / "b.xml").read_bytes() == target.read_bytes()


def test_payments_export_refuses_frozen_batch(lab, coordinator, tmp_path):
    measure = make_measure(lab)
    add_hours(make_enrolment(make_path(measure)), JAN, "20")
    batch = svc.payment_batch_create(measure=measure, month=JAN, actor=coordinator)
    svc.payment_batch_build(batch=batch, actor=coordinator)

    with pytest.raises(CommandError):
        call_command("payments", "export", str(batch.pk), "--output", str(tmp_path / "x.xml"))

    assert not (tmp_path / "x.xml").exists()
