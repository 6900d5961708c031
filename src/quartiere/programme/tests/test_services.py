"""Programme services: validation errors write nothing, every change is audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from quartiere.core.exceptions import ApplicationError
from quartiere.core.models import AuditEvent
from quartiere.programme import services
from quartiere.programme.models import Action, Allocation, AllocationPayment, Milestone, NewsItem
from quartiere.programme.tests.factories import ActionFactory, AllocationFactory

pytestmark = pytest.mark.django_db


def test_allocation_over_budget_is_refused_and_nothing_written(tree, fesr, operator) -> None:
    c2 = tree["c2"]  # budget 100k, 80k from the Comune already
    with pytest.raises(ApplicationError) as exc:
        services.allocation_create(
            actor=operator, action=c2, source=fesr, amount=Decimal("20000.01")
        )
    assert "amount" in exc.value.fields
    assert "100000" in exc.value.message
    assert not Allocation.objects.filter(action=c2, source=fesr).exists()
    assert not AuditEvent.objects.filter(action="programme.allocation_create").exists()


def test_allocation_up_to_budget_is_accepted_and_audited(tree, fesr, operator) -> None:
    c2 = tree["c2"]
    services.allocation_create(actor=operator, action=c2, source=fesr, amount=Decimal("20000"))
    c2.refresh_from_db()
    assert c2.last_updated_by == operator
    event = AuditEvent.objects.get(action="programme.allocation_create")
    assert event.target_id == str(c2.pk)
    assert event.actor == operator


def test_raising_an_allocation_above_budget_is_refused(tree, operator) -> None:
    allocation = Allocation.objects.get(action=tree["c2"])
    with pytest.raises(ApplicationError):
        services.allocation_update(actor=operator, allocation=allocation, amount=Decimal("100001"))
    allocation.refresh_from_db()
    assert allocation.amount == Decimal("80000")


def test_budget_cannot_drop_below_allocated(tree, operator) -> None:
    with pytest.raises(ApplicationError) as exc:
        services.action_update(actor=operator, action=tree["c1"], budget_amount=Decimal("1000"))
    assert "budget_amount" in exc.value.fields
    assert Action.objects.get(pk=tree["c1"].pk).budget_amount == Decimal("300000")


def test_milestone_before_the_planned_start_is_refused(tree, operator) -> None:
    leaf = tree["leaf"]  # planned start 2020-01-01
    with pytest.raises(ApplicationError) as exc:
        services.milestone_create(
            actor=operator, action=leaf, title_it="Progetto", planned_on=dt.date(2019, 12, 31)
        )
    assert "planned_on" in exc.value.fields
    assert "2020-01-01" in exc.value.message
    assert not Milestone.objects.filter(action=leaf).exists()


def test_milestone_on_the_start_day_is_accepted_and_updates_last_updated(tree, operator) -> None:
    leaf = tree["leaf"]
    services.milestone_create(
        actor=operator, action=leaf, title_it="Avvio", planned_on=dt.date(2020, 1, 1), weight=2
    )
    leaf.refresh_from_db()
    assert leaf.last_updated_at is not None
    assert AuditEvent.objects.filter(
        action="programme.milestone_create", target_id=str(leaf.pk)
    ).exists()


def test_moving_the_start_after_a_milestone_is_refused(tree, operator) -> None:
    with pytest.raises(ApplicationError):
        services.action_update(
            actor=operator, action=tree["c1"], planned_start_on=dt.date(2023, 1, 1)
        )


def test_payments_beyond_committed_are_refused(tree, fesr, operator) -> None:
    allocation = Allocation.objects.get(action=tree["c1"], source=fesr)  # committed 150k
    services.payment_create(
        actor=operator, allocation=allocation, paid_on=dt.date(2023, 3, 1), amount=Decimal("100000")
    )
    with pytest.raises(ApplicationError) as exc:
        services.payment_create(
            actor=operator,
            allocation=allocation,
            paid_on=dt.date(2023, 4, 1),
            amount=Decimal("50000.01"),
        )
    assert "amount" in exc.value.fields
    assert AllocationPayment.objects.filter(allocation=allocation).count() == 1


def test_committed_cannot_drop_below_paid(tree, fesr, operator) -> None:
    allocation = Allocation.objects.get(action=tree["c1"], source=fesr)
    services.payment_create(
        actor=operator, allocation=allocation, paid_on=dt.date(2023, 3, 1), amount=Decimal("100000")
    )
    with pytest.raises(ApplicationError):
        services.allocation_update(
            actor=operator, allocation=allocation, committed_amount=Decimal("99999")
        )


def test_invalid_cup_is_refused(tree, operator) -> None:
    with pytest.raises(ApplicationError) as exc:
        services.action_update(actor=operator, action=tree["leaf"], cup="12345")
    assert "cup" in exc.value.fields


def test_valid_cup_is_stored_upper_case(tree, operator) -> None:
    action = services.action_update(actor=operator, action=tree["leaf"], cup="b41b16000230007")
    assert action.cup == "B41B16000230007"


def test_sub_action_must_share_the_line_of_its_parent(tree, operator) -> None:
    with pytest.raises(ApplicationError) as exc:
        services.action_update(actor=operator, action=tree["leaf"], parent=tree["parent"])
    assert "parent" in exc.value.fields


def test_action_cannot_be_its_own_ancestor(tree, operator) -> None:
    with pytest.raises(ApplicationError):
        services.action_update(actor=operator, action=tree["parent"], parent=tree["c1"])


def test_news_body_is_sanitised(programme, operator) -> None:
    item = services.news_create(
        actor=operator,
        lab=programme.lab,
        programme=programme,
        title_it="<b>Festa</b> nel cortile",
        body_it='<p onclick="x()">Vieni!<script>alert(1)</script> '
        '<a href="javascript:alert(1)">qui</a><a href="https://example.org">sito</a>'
        "<img src=x onerror=alert(1)></p>",
    )
    item.refresh_from_db()
    assert "<script" not in item.body_it
    assert "alert" not in item.body_it
    assert "onclick" not in item.body_it
    assert "javascript:" not in item.body_it
    assert '<a href="https://example.org" rel="noopener noreferrer">sito</a>' in item.body_it
    assert item.title_it == "Festa nel cortile"
    assert item.slug == "festa-nel-cortile"


def test_news_publish_sets_the_date_and_is_audited(programme, operator) -> None:
    item = services.news_create(actor=operator, lab=programme.lab, title_it="T", body_it="<p>x</p>")
    assert item.published_at is None
    services.news_publish(actor=operator, item=item)
    item = NewsItem.objects.get(pk=item.pk)
    assert item.is_published
    assert item.published_at is not None
    assert AuditEvent.objects.filter(action="programme.news_publish").exists()


def test_document_must_be_a_pdf_by_content(programme, operator) -> None:
    with pytest.raises(ApplicationError) as exc:
        services.document_create(
            actor=operator,
            programme=programme,
            title_it="Falso",
            data=b"<html>not a pdf</html>",
            published_on=dt.date(2024, 1, 1),
        )
    assert "file" in exc.value.fields


def test_action_with_payments_cannot_be_deleted(tree, fesr, operator) -> None:
    allocation = Allocation.objects.get(action=tree["c1"], source=fesr)
    services.payment_create(
        actor=operator, allocation=allocation, paid_on=dt.date(2023, 3, 1), amount=Decimal("1")
    )
    with pytest.raises(ApplicationError):
        services.action_delete(actor=operator, action=tree["c1"])


def test_duplicate_key_is_refused(tree, operator) -> None:
    with pytest.raises(ApplicationError) as exc:
        services.action_create(
            actor=operator,
            programme=tree["leaf"].programme,
            line=tree["l2"],
            title_it="Doppia",
            key="leaf",
        )
    assert "key" in exc.value.fields


def test_factory_action_helper_is_consistent() -> None:
    # Guard for the factories the other tests rely on.
    allocation = AllocationFactory()
    assert allocation.action.programme == allocation.action.line.programme
    assert isinstance(ActionFactory().budget_amount, Decimal)
