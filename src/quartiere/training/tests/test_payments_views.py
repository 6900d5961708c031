"""Payment batch pages: scope, permissions, four-eyes, export download, outcomes, queries."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from quartiere.accounts.enums import Role
from quartiere.training.models import PaymentBatch
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
def measure(lab):
    return make_measure(lab)


@pytest.fixture
def path(measure):
    return make_path(measure)


@pytest.fixture
def approver(make_user, lab):
    return make_user(Role.LAB_COORDINATOR, lab, username="coordinator_a2")


@pytest.fixture
def frozen(path, measure, coordinator):
    for number in range(3):
        add_hours(make_enrolment(path, number=number), JAN, "20")
    batch = svc.payment_batch_create(measure=measure, month=JAN, actor=coordinator)
    return svc.payment_batch_build(batch=batch, actor=coordinator)


@pytest.fixture
def exported(frozen, approver):
    svc.payment_batch_approve(batch=frozen, actor=approver)
    return svc.payment_batch_export(batch=frozen, actor=approver)


def test_payment_batch_list_shows_own_lab_batches_only(frozen, login, other_lab, make_user):
    other_measure = make_measure(other_lab)
    PaymentBatch.objects.create(lab=other_lab, measure=other_measure, month=JAN)
    coordinator_b = make_user(Role.LAB_COORDINATOR, other_lab, username="coordinator_b")

    response = login(coordinator_b).get(reverse("training:payment_batch_list"))

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 1
    assert response.context["page"].object_list[0].lab == other_lab


def test_payment_batch_list_refuses_lab_operator(login, operator):
    response = login(operator).get(reverse("training:payment_batch_list"))

    assert response.status_code == 403


def test_payment_batch_detail_of_other_lab_is_404(frozen, login, other_lab, make_user):
    coordinator_b = make_user(Role.LAB_COORDINATOR, other_lab, username="coordinator_b")

    response = login(coordinator_b).get(reverse("training:payment_batch_detail", args=[frozen.pk]))

    assert response.status_code == 404


def test_payment_batch_list_queries_are_constant(
    frozen, measure, coordinator, login, django_assert_max_num_queries
):
    client = login(coordinator)
    client.get(reverse("training:payment_batch_list"))
    for month in range(2, 8):
        svc.payment_batch_create(measure=measure, month=dt.date(2024, month, 1), actor=coordinator)

    with django_assert_max_num_queries(14):
        response = client.get(reverse("training:payment_batch_list"))

    assert len(response.context["page"].object_list) == 7


def test_payment_batch_detail_queries_do_not_grow_with_lines(
    frozen, path, coordinator, login, django_assert_max_num_queries
):
    client = login(coordinator)
    url = reverse("training:payment_batch_detail", args=[frozen.pk])
    with django_assert_max_num_queries(16) as few:
        client.get(url)
    for number in range(3, 12):
        add_hours(make_enrolment(path, number=number), JAN, "20")
    svc.payment_batch_build(batch=frozen, actor=coordinator)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)

    assert response.context["page"].paginator.count == 12


def test_builder_sees_no_approve_button_and_post_is_refused(frozen, coordinator, login):
    client = login(coordinator)

    page = client.get(reverse("training:payment_batch_detail", args=[frozen.pk]))
    client.post(reverse("training:payment_batch_approve", args=[frozen.pk]))

    assert b'data-testid="approve-form"' not in page.content
    assert b'data-testid="four-eyes"' in page.content
    frozen.refresh_from_db()
    assert frozen.state == PaymentBatchState.FROZEN


def test_second_coordinator_approves_from_the_page(frozen, approver, login):
    response = login(approver).post(
        reverse("training:payment_batch_approve", args=[frozen.pk]), {"note": "ok"}
    )

    assert response.status_code == 302
    frozen.refresh_from_db()
    assert frozen.state == PaymentBatchState.APPROVED


def test_region_official_may_approve(frozen, region_official, login):
    login(region_official).post(reverse("training:payment_batch_approve", args=[frozen.pk]))

    frozen.refresh_from_db()
    assert frozen.approved_by == region_official


def test_download_returns_the_stored_bytes(exported, coordinator, login):
    client = login(coordinator)

    first = client.get(reverse("training:payment_batch_download", args=[exported.pk]))
    client.post(reverse("training:payment_batch_export", args=[exported.pk]))
    second = client.get(reverse("training:payment_batch_download", args=[exported.pk]))

    assert first.content == bytes(exported.sepa_file)
    assert second.content == first.content
    assert first["Content-Type"] == "application/xml"


def test_outcome_import_lists_line_errors_and_records_nothing(exported, coordinator, login):
    upload = io.BytesIO(b"end_to_end_id,status\nUNKNOWN,ACSC\n")
    upload.name = "esiti.csv"

    response = login(coordinator).post(
        reverse("training:payment_batch_outcome_import", args=[exported.pk]), {"file": upload}
    )

    assert response.status_code == 400
    assert response.context["import_errors"][0][0] == 2
    assert b'data-testid="import-errors"' in response.content
    exported.refresh_from_db()
    assert exported.state == PaymentBatchState.EXPORTED


def test_outcome_import_closes_batch(exported, coordinator, login):
    ids = exported.lines.values_list("end_to_end_id", flat=True)
    upload = io.BytesIO("\n".join(f"{e2e},ACSC" for e2e in ids).encode())
    upload.name = "esiti.csv"

    response = login(coordinator).post(
        reverse("training:payment_batch_outcome_import", args=[exported.pk]), {"file": upload}
    )

    assert response.status_code == 302
    exported.refresh_from_db()
    assert exported.state == PaymentBatchState.PAID


def test_lines_export_xlsx_masks_iban(frozen, coordinator, login):
    response = login(coordinator).get(
        reverse("training:payment_batch_lines_export", args=[frozen.pk]), {"format": "xlsx"}
    )

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4
    ibans = [row[2] for row in rows[1:]]
    assert all("…" in value for value in ibans)


def test_create_batch_for_future_month_shows_field_error(measure, coordinator, login):
    response = login(coordinator).post(
        reverse("training:payment_batch_create"), {"measure": measure.pk, "month": "2999-01"}
    )

    assert response.status_code == 400
    assert response.context["create_form"].errors["month"]


def test_payment_account_refuses_bad_iban(measure, coordinator, login):
    response = login(coordinator).post(
        reverse("training:payment_account_edit", args=[measure.pk]),
        {"debtor_name": "Comune", "iban": "IT00X0000000000000000000000", "bic": ""},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["iban"]


def test_anonymous_is_sent_to_login(frozen, client):
    response = client.get(reverse("training:payment_batch_detail", args=[frozen.pk]))

    assert response.status_code == 302
