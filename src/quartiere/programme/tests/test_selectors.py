"""Public selectors: tree with progress and funding, totals that add up, constant queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from quartiere.programme import selectors, services
from quartiere.programme.models import Allocation
from quartiere.programme.tests.factories import (
    ActionFactory,
    AllocationFactory,
    MilestoneFactory,
    NewsItemFactory,
)

pytestmark = pytest.mark.django_db


def test_tree_progress_of_parent_is_budget_weighted(tree, programme) -> None:
    result = selectors.action_tree_public(programme=programme)
    parent = result.node(tree["parent"].pk)
    assert parent is not None
    # c1 (budget 300k) done, c2 (100k) not: 0.75
    assert parent.progress == pytest.approx(0.75)
    assert [c.action.key for c in parent.children] == ["c1", "c2"]
    assert parent.children[0].depth == 1


def test_tree_rolls_funding_up_to_the_parent(tree, programme) -> None:
    parent = selectors.action_tree_public(programme=programme).node(tree["parent"].pk)
    assert parent is not None
    assert parent.funding == {"POR FESR": Decimal("200000"), "Comune": Decimal("180000")}
    assert parent.allocated_amount == Decimal("380000")


def test_funding_by_source_and_by_line_add_up(tree, programme, fesr, operator) -> None:
    allocation = Allocation.objects.get(action=tree["c1"], source=fesr)
    services.payment_create(
        actor=operator, allocation=allocation, paid_on=dt.date(2023, 1, 1), amount=Decimal("1000")
    )
    by_source = selectors.funding_by_source(programme=programme)
    by_line = selectors.funding_by_line(programme=programme)
    total = selectors.action_tree_public(programme=programme)
    assert sum(r.allocated_amount for r in by_source) == Decimal("430000")
    assert sum(r.allocated_amount for r in by_line) == total.allocated_amount == Decimal("430000")
    assert sum(r.paid_amount for r in by_source) == sum(r.paid_amount for r in by_line)
    assert sum(r.paid_amount for r in by_line) == total.paid_amount == Decimal("1000")
    assert sum(r.share for r in by_source) == pytest.approx(1.0)


def test_unpublished_actions_are_not_public(tree, programme) -> None:
    tree["leaf"].is_published = False
    tree["leaf"].save()
    result = selectors.action_tree_public(programme=programme)
    assert result.node(tree["leaf"].pk) is None
    assert sum(r.allocated_amount for r in selectors.funding_by_line(programme=programme)) == (
        result.allocated_amount
    )
    with pytest.raises(type(tree["leaf"]).DoesNotExist):
        selectors.action_public_get(programme=programme, key="leaf")


def test_action_tree_public_uses_a_constant_number_of_queries(
    tree, programme, fesr, django_assert_num_queries
) -> None:
    with django_assert_num_queries(5):
        selectors.action_tree_public(programme=programme)
    for n in range(10):
        a = ActionFactory(line=tree["l2"], key=f"more-{n}")
        MilestoneFactory(action=a)
        AllocationFactory(action=a, source=fesr)
    with django_assert_num_queries(5):
        selectors.action_tree_public(programme=programme)


def test_action_public_get_by_key(tree, programme) -> None:
    detail = selectors.action_public_get(programme=programme, key="c1")
    assert detail.action == tree["c1"]
    assert detail.parent == tree["parent"]
    assert [a.source.code for a in detail.allocations] == ["POR FESR", "Comune"]
    assert detail.node.progress == 1.0


def test_news_public_list_shows_published_only(programme) -> None:
    shown = NewsItemFactory(programme=programme)
    NewsItemFactory(programme=programme, status="draft", published_at=None)
    assert selectors.news_public_list(programme=programme) == [shown]
    assert selectors.news_public_get(lab_id=programme.lab_id, slug=shown.slug) == shown


def test_programme_search_finds_actions_news_and_documents(tree, programme) -> None:
    NewsItemFactory(programme=programme, title_it="Inaugurazione del giardino")
    results = selectors.programme_search(programme=programme, q="giardino")
    assert len(results.news) == 1
    results = selectors.programme_search(programme=programme, q="Azione")
    assert len(results.actions) == 4


def test_programme_for_lab(programme, other_lab) -> None:
    assert selectors.programme_for_lab(lab_id=programme.lab_id) == programme
    assert selectors.programme_for_lab(lab_id=other_lab.pk) is None
    programme.other_labs.add(other_lab)
    assert selectors.programme_for_lab(lab_id=other_lab.pk) == programme


def test_programme_search_without_programme_or_lab_finds_news_everywhere(programme) -> None:
    NewsItemFactory(programme=programme, title_it="Orti condivisi")
    assert len(selectors.programme_search(q="orti").news) == 1


def test_milestone_public_list_orders_achieved_and_next(tree, programme) -> None:
    achieved = selectors.milestone_public_list(programme=programme, achieved=True)
    upcoming = selectors.milestone_public_list(programme=programme, achieved=False)
    assert [m.action.key for m in achieved] == ["c1"]
    assert [m.action.key for m in upcoming] == ["c2"]
