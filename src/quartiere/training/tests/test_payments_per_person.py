"""The allowance is per resident and measure, across all their enrolments (all paths): the
minimum attendance, the monthly cap and the person cap apply once to the hours added up, and a
batch pays one line per person and month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from quartiere.accounts.enums import Role
from quartiere.training import selectors
from quartiere.training.models import AllowanceRule, Enrolment, PaymentLine
from quartiere.training.payments_enums import PaymentLineKind
from quartiere.training.services import payments as svc
from quartiere.training.tests.payments_factories import (
    IBANS,
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


def second_enrolment(first: Enrolment, *, iban: str | None = None) -> Enrolment:
    """The same resident enrolled on another path of the same measure."""
    other = make_path(first.measure)
    other.title = "Second path"
    other.save(update_fields=["title"])
    iban = iban or first.iban
    return Enrolment.objects.create(
        path=other,
        resident=first.resident,
        lab=first.lab,
        measure=first.measure,
        eligibility=first.eligibility,
        enrolled_on=first.enrolled_on,
        planned_hours=first.planned_hours,
        objectives="Second path",
        iban=iban,
        iban_masked=f"{iban[:4]}…{iban[-4:]}",
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


def test_two_paths_in_one_month_pay_at_most_one_monthly_cap(measure, coordinator):
    first = make_enrolment(make_path(measure))
    second = second_enrolment(first)
    add_hours(first, JAN, "100")
    add_hours(second, JAN, "100")

    batch = built(measure, JAN, coordinator)

    line = batch.lines.get()
    assert batch.total_amount == Decimal("400.00")
    assert line.enrolment_id == first.pk
    assert line.amount == Decimal("400.00")
    assert line.validated_hours == Decimal("200.00")
    assert line.reasons == ["month_cap"]


def test_two_paths_add_up_their_hours_under_the_monthly_cap(measure, coordinator):
    first = make_enrolment(make_path(measure))
    second = second_enrolment(first)
    add_hours(first, JAN, "30")
    add_hours(second, JAN, "20")

    batch = built(measure, JAN, coordinator)

    assert list(batch.lines.values_list("enrolment_id", "amount")) == [
        (first.pk, Decimal("250.00"))
    ]


def test_minimum_attendance_is_checked_on_the_scheduled_hours_of_all_paths(measure, coordinator):
    first = make_enrolment(make_path(measure))
    second = second_enrolment(first)
    add_hours(first, JAN, "10", scheduled="40")  # 25% on this path
    add_hours(second, JAN, "35", scheduled="40")  # 87.5% on the other: 45 / 80 = 56% in all

    batch = built(measure, JAN, coordinator)

    assert batch.line_count == 0


def test_two_paths_consume_one_person_cap_across_batches(measure, coordinator, approver):
    set_person_cap(measure, "1000.00")
    first = make_enrolment(make_path(measure))
    second = second_enrolment(first)
    for month in (JAN, FEB, MAR, APR):
        add_hours(first, month, "100")
        add_hours(second, month, "100")

    exported(measure, JAN, coordinator, approver)
    exported(measure, FEB, coordinator, approver)
    march = built(measure, MAR, coordinator)
    april = built(measure, APR, coordinator)

    assert committed(first, second) == Decimal("1000.00")
    assert march.total_amount == Decimal("200.00")
    assert "person_cap_partial" in march.lines.get().reasons
    assert april.line_count == 0


def test_rebuild_gives_the_same_single_line(measure, coordinator):
    first = make_enrolment(make_path(measure))
    second = second_enrolment(first)
    add_hours(first, JAN, "100")
    add_hours(second, JAN, "100")
    batch = built(measure, JAN, coordinator)
    before = list(batch.lines.values_list("enrolment_id", "amount", "end_to_end_id"))

    rebuilt = svc.payment_batch_build(batch=batch, actor=coordinator)

    assert list(rebuilt.lines.values_list("enrolment_id", "amount", "end_to_end_id")) == before
    assert committed(first, second) == Decimal("400.00")


def test_the_line_is_paid_to_the_latest_enrolments_account(measure, coordinator):
    first = make_enrolment(make_path(measure))
    second = second_enrolment(first, iban=IBANS[1])
    add_hours(first, JAN, "10")
    add_hours(second, JAN, "10")

    line = built(measure, JAN, coordinator).lines.get()

    assert line.enrolment_id == first.pk
    assert line.iban == IBANS[1]
    assert line.iban_masked == second.iban_masked


def test_two_residents_have_independent_caps(measure, coordinator):
    path = make_path(measure)
    first = make_enrolment(path)
    someone_else = make_enrolment(path, number=1)  # enrolled between the two paths of `first`
    second = second_enrolment(first)
    for enrolment in (first, second, someone_else):
        add_hours(enrolment, JAN, "100")

    batch = built(measure, JAN, coordinator)

    assert dict(batch.lines.values_list("enrolment_id", "amount")) == {
        first.pk: Decimal("400.00"),
        someone_else.pk: Decimal("400.00"),
    }


def test_correction_on_one_path_adjusts_the_persons_month_in_the_next_batch(
    measure, coordinator, approver
):
    AllowanceRule.objects.filter(measure=measure).update(min_attendance_ratio=None)
    first = make_enrolment(make_path(measure))
    second = second_enrolment(first)
    record = add_hours(first, JAN, "100")
    add_hours(second, JAN, "10")
    add_hours(first, FEB, "20")
    exported(measure, JAN, coordinator, approver)  # 110 h -> 400 (monthly cap)
    correct_hours(record, "20")  # January: 30 h -> 150

    february = built(measure, FEB, coordinator)

    lines = {
        (line.kind, line.month): (line.enrolment_id, line.amount) for line in february.lines.all()
    }
    assert lines == {
        (PaymentLineKind.ALLOWANCE, FEB): (first.pk, Decimal("100.00")),
        (PaymentLineKind.ADJUSTMENT, JAN): (first.pk, Decimal("-250.00")),
    }
    assert committed(first, second) == Decimal("250.00")


def test_a_month_paid_on_both_paths_earlier_is_recovered_in_the_next_batch(measure, coordinator):
    """Batches built before the rule was applied per person paid one line per enrolment: the
    next batch counts them together and recovers what went over the person's monthly cap."""
    first = make_enrolment(make_path(measure))
    second = second_enrolment(first)
    add_hours(first, JAN, "100")
    add_hours(second, JAN, "100")
    january = built(measure, JAN, coordinator)
    PaymentLine.objects.create(  # the second path's line, as the per-enrolment build left it
        batch=january,
        enrolment=second,
        lab=second.lab,
        month=JAN,
        kind=PaymentLineKind.ALLOWANCE,
        validated_hours=Decimal("100"),
        scheduled_hours=Decimal("100"),
        gross_amount=Decimal("400.00"),
        amount=Decimal("400.00"),
        end_to_end_id=f"Q{january.pk}-{second.pk}-202401-A",
    )

    february = built(measure, FEB, coordinator)

    adjustment = february.lines.get(kind=PaymentLineKind.ADJUSTMENT)
    assert (adjustment.enrolment_id, adjustment.month) == (first.pk, JAN)
    assert adjustment.amount == Decimal("-400.00")
    assert committed(first, second) == Decimal("400.00")


def test_participant_page_shows_the_persons_calculation_and_this_paths_hours(measure):
    first = make_enrolment(make_path(measure))
    second = second_enrolment(first)
    add_hours(first, JAN, "100")
    add_hours(second, JAN, "20")
    add_hours(second, FEB, "10")

    data = selectors.enrolment_allowance(enrolment=second)

    assert data.result.total == Decimal("450.00")  # January capped at 400, February 50
    assert data.result.enrolment_count == 2
    assert [m.validated_hours for m in data.result.months] == [Decimal("120"), Decimal("10")]
    assert [m.validated_hours for m in data.path_months] == [Decimal("20"), Decimal("10")]
    assert selectors.measure_allowance_due(measure_ids=[measure.pk])[measure.pk] == Decimal(
        "450.00"
    )


def test_participant_page_renders_the_per_person_explanation(measure, client, coordinator):
    first = make_enrolment(make_path(measure))
    second = second_enrolment(first)
    add_hours(first, JAN, "100")
    add_hours(second, JAN, "20")
    client.force_login(coordinator)

    html = client.get(reverse("training:enrolment_detail", args=[second.pk])).content.decode()

    assert 'data-testid="allowance-per-person"' in html
    assert "Le ore dei 2 percorsi di questa persona in questa misura si sommano" in html
    assert 'data-testid="allowance-path-hours">20,00<' in html
    assert "120,00 h" in html


def test_statement_lists_the_other_paths_and_the_per_person_rule(measure):
    first = make_enrolment(make_path(measure))
    second = second_enrolment(first)
    add_hours(first, JAN, "100")
    add_hours(second, JAN, "20")

    with translation.override("en"):
        html = render_to_string("training/statement_pdf.html", statement_context(second))

    assert 'data-testid="statement-other-paths">Percorso<' in html
    assert "allowance-per-person" in html
    assert "still available EUR 1,600.00" in html
