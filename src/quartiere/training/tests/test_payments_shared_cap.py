"""One person cap per resident and measure, across all their enrolments (all paths)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import translation

from quartiere.accounts.enums import Role
from quartiere.training import selectors
from quartiere.training.models import AllowanceRule, Enrolment, PaymentLine
from quartiere.training.payments_enums import PaymentLineKind
from quartiere.training.services import payments as svc
from quartiere.training.tests.payments_factories import (
    add_hours,
    correct_hours,
    make_enrolment,
    make_measure,
    make_path,
)
from quartiere.training.views.enrolments import statement_context

pytestmark = pytest.mark.django_db

JAN = dt.date(2024, 1, 1)
FEB = dt.date(2024, 2, 1)
MAR = dt.date(2024, 3, 1)
APR = dt.date(2024, 4, 1)


@pytest.fixture
def measure(lab):
    return make_measure(lab)


@pytest.fixture
def approver(make_user, lab):
    return make_user(Role.LAB_COORDINATOR, lab, username="coordinator_cap2")


def second_enrolment(first: Enrolment) -> Enrolment:
    """The same resident enrolled on another path of the same measure."""
    other = make_path(first.measure)
    return Enrolment.objects.create(
        path=other,
        resident=first.resident,
        lab=first.lab,
        measure=first.measure,
        eligibility=first.eligibility,
        enrolled_on=first.enrolled_on,
        planned_hours=first.planned_hours,
        objectives="Second path",
        iban=first.iban,
        iban_masked=first.iban_masked,
        account_holder=first.account_holder,
    )


def set_person_cap(measure, amount: str) -> None:
    AllowanceRule.objects.filter(measure=measure).update(person_cap=Decimal(amount))


def built(measure, month, actor):
    batch = svc.payment_batch_create(measure=measure, month=month, actor=actor)
    return svc.payment_batch_build(batch=batch, actor=actor)


def exported(measure, month, builder, approver):
    batch = built(measure, month, builder)
    svc.payment_batch_approve(batch=batch, actor=approver)
    return svc.payment_batch_export(batch=batch, actor=approver, execution_on=dt.date(2024, 5, 5))


def committed(*enrolments: Enrolment) -> Decimal:
    """What live batches froze for these enrolments (allowances and adjustments)."""
    total = PaymentLine.objects.filter(
        enrolment__in=enrolments,
        is_void=False,
        kind__in=[PaymentLineKind.ALLOWANCE, PaymentLineKind.ADJUSTMENT],
    ).aggregate(s=Sum("amount"))["s"]
    return total or Decimal("0.00")


def test_two_enrolments_of_one_resident_never_exceed_the_cap_across_batches(
    measure, coordinator, approver
):
    first = make_enrolment(make_path(measure))
    second = second_enrolment(first)
    for month in (JAN, FEB, MAR, APR):
        add_hours(first, month, "100")
        add_hours(second, month, "100")

    exported(measure, JAN, coordinator, approver)
    exported(measure, FEB, coordinator, approver)
    march = built(measure, MAR, coordinator)
    april = built(measure, APR, coordinator)

    assert committed(first, second) == Decimal("2000.00")
    assert march.total_amount == Decimal("400.00")
    assert april.line_count == 0


def test_the_remaining_cap_is_shared_in_enrolment_order_within_a_batch(measure, coordinator):
    set_person_cap(measure, "600.00")
    first = make_enrolment(make_path(measure))
    second = second_enrolment(first)
    add_hours(first, JAN, "100")
    add_hours(second, JAN, "100")

    batch = built(measure, JAN, coordinator)

    amounts = dict(batch.lines.values_list("enrolment_id", "amount"))
    assert amounts == {first.pk: Decimal("400.00"), second.pk: Decimal("200.00")}
    assert "person_cap_partial" in batch.lines.get(enrolment=second).reasons


def test_rebuild_gives_the_same_shared_split(measure, coordinator):
    set_person_cap(measure, "600.00")
    first = make_enrolment(make_path(measure))
    second = second_enrolment(first)
    add_hours(first, JAN, "100")
    add_hours(second, JAN, "100")
    batch = built(measure, JAN, coordinator)
    before = sorted(batch.lines.values_list("enrolment_id", "amount"))

    rebuilt = svc.payment_batch_build(batch=batch, actor=coordinator)

    assert sorted(rebuilt.lines.values_list("enrolment_id", "amount")) == before
    assert committed(first, second) == Decimal("600.00")


def test_two_residents_have_independent_caps(measure, coordinator):
    set_person_cap(measure, "600.00")
    path = make_path(measure)
    first = make_enrolment(path)
    someone_else = make_enrolment(path, number=1)  # enrolled between the two paths of `first`
    second = second_enrolment(first)
    for month in (JAN, FEB):
        for enrolment in (first, second, someone_else):
            add_hours(enrolment, month, "100")

    built(measure, JAN, coordinator)
    built(measure, FEB, coordinator)

    assert committed(first, second) == Decimal("600.00")
    assert committed(someone_else) == Decimal("600.00")


def test_correction_after_freezing_keeps_the_shared_total_within_the_cap(
    measure, coordinator, approver
):
    set_person_cap(measure, "600.00")
    first = make_enrolment(make_path(measure))
    second = second_enrolment(first)
    record = add_hours(first, JAN, "100")
    add_hours(second, JAN, "100")
    add_hours(first, FEB, "100")
    add_hours(second, FEB, "100")
    exported(measure, JAN, coordinator, approver)
    correct_hours(record, "20")  # January of the first path drops from 400 to 100

    built(measure, FEB, coordinator)

    assert committed(first, second) == Decimal("600.00")


def test_participant_page_counts_the_other_enrolments_of_the_measure(measure):
    set_person_cap(measure, "600.00")
    first = make_enrolment(make_path(measure))
    second = second_enrolment(first)
    add_hours(first, JAN, "100")
    add_hours(second, JAN, "100")
    add_hours(second, FEB, "100")

    mine = selectors.enrolment_allowance(enrolment=second).result

    assert mine.total == Decimal("200.00")
    assert mine.shared_counted == Decimal("400.00")
    assert mine.remaining_cap == Decimal("0.00")
    assert selectors.measure_allowance_due(measure_ids=[measure.pk])[measure.pk] == Decimal(
        "600.00"
    )


def test_statement_shows_the_cap_used_by_the_other_paths(measure):
    first = make_enrolment(make_path(measure))
    second = second_enrolment(first)
    add_hours(first, JAN, "100")
    add_hours(second, JAN, "20")

    with translation.override("en"):
        html = render_to_string("training/statement_pdf.html", statement_context(second))

    assert "allowance-shared-cap" in html
    assert "use EUR 400.00 of this cap" in html
    assert "still available EUR 1,500.00" in html
