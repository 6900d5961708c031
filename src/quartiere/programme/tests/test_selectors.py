"""Public selectors: tree with progress and funding, totals that add up, constant queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from quartiere.programme import selectors, services
from quartiere.programme.models import Allocation
from quartiere.programme.tests.factories import (
    ActionFactory,
    ActionLineFactory,
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
    with django_assert_num_queries(4):
        selectors.action_tree_public(programme=programme)
    for n in range(10):
        a = ActionFactory(line=tree["l2"], key=f"more-{n}")
        MilestoneFactory(action=a)
        AllocationFactory(action=a, source=fesr)
    with django_assert_num_queries(4):
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


def _same_detail(page: selectors.ActionDetail, orm: selectors.ActionDetail) -> None:
    assert page.action == orm.action
    assert page.action.title == orm.action.title
    assert page.action.description == orm.action.description
    assert page.action.line.name == orm.action.line.name
    assert page.action.responsible_organisation == orm.action.responsible_organisation
    if orm.action.responsible_organisation is not None:
        assert page.action.responsible_organisation.name == (
            orm.action.responsible_organisation.name
        )
    assert page.parent == orm.parent
    assert [c.action for c in page.children] == [c.action for c in orm.children]
    assert page.node.progress == orm.node.progress
    assert page.milestones == orm.milestones
    assert [(m.title, m.achieved_on, m.planned_on) for m in page.milestones] == [
        (m.title, m.achieved_on, m.planned_on) for m in orm.milestones
    ]
    assert page.photos == orm.photos
    assert page.documents == orm.documents
    assert page.buildings == orm.buildings
    assert page.news == orm.news
    assert [
        (a.source.code, a.amount, a.committed_amount, a.paid_amount) for a in page.allocations
    ] == [(a.source.code, a.amount, a.committed_amount, a.paid_amount) for a in orm.allocations]


def test_action_public_page_reads_what_action_public_get_reads_when_content_varies(
    tree, programme, fesr, lab, operator
) -> None:
    from quartiere.accounts.tests.factories import OrganisationFactory
    from quartiere.programme.models import ActionPhoto, Document
    from quartiere.territory.tests.factories import BuildingFactory

    c1 = tree["c1"]
    c1.responsible_organisation = OrganisationFactory(name="ALER Milano")
    c1.description_it = "Demolizione <b>e</b> ricostruzione"
    c1.save()
    c1.buildings.add(BuildingFactory(district=lab.district, street="Via Zurigo", number="2"))
    c1.buildings.add(BuildingFactory(district=lab.district, street="Via Manzano", number="4"))
    MilestoneFactory(action=c1, weight=3, planned_on=dt.date(2020, 5, 1))
    ActionPhoto.objects.create(action=c1, image="p.jpg", alt_it="Il cantiere", order=2)
    ActionPhoto.objects.create(action=c1, image="q.jpg", alt_it="Il progetto", order=1)
    Document.objects.create(
        programme=programme,
        action=c1,
        title_it="Progetto",
        file="d.pdf",
        published_on=dt.date(2021, 1, 1),
    )
    Document.objects.create(
        programme=programme,
        action=c1,
        title_it="Riservato",
        file="e.pdf",
        published_on=dt.date(2021, 1, 2),
        is_public=False,
    )
    NewsItemFactory(programme=programme, action=c1)
    allocation = Allocation.objects.get(action=c1, source=fesr)
    services.payment_create(
        actor=operator,
        allocation=allocation,
        paid_on=dt.date(2023, 1, 1),
        amount=Decimal("1234.56"),
    )

    for ref in ["c1", str(c1.pk), "parent", "leaf"]:
        action = selectors.action_public_get(
            programme=programme, **({"action_id": int(ref)} if ref.isdigit() else {"key": ref})
        )
        _same_detail(selectors.action_public_page(programme=programme, ref=ref), action)
    detail = selectors.action_public_page(programme=programme, ref="c1")
    assert [d.title for d in detail.documents] == ["Progetto"]
    assert [p.alt for p in detail.photos] == ["Il progetto", "Il cantiere"]
    assert detail.allocations[0].paid_amount == Decimal("1234.56")


def test_action_public_page_hides_unpublished_and_unknown_actions_and_parents(
    tree, programme
) -> None:
    tree["parent"].is_published = False
    tree["parent"].save()

    with pytest.raises(type(tree["c1"]).DoesNotExist):
        selectors.action_public_page(programme=programme, ref="parent")
    with pytest.raises(type(tree["c1"]).DoesNotExist):
        selectors.action_public_page(programme=programme, ref="nessuna")
    with pytest.raises(type(tree["c1"]).DoesNotExist):
        selectors.action_public_page(programme=programme, ref="999999")
    assert selectors.action_public_page(programme=programme, ref="c1").parent is None


def test_public_page_reads_answer_for_each_programme_when_read_one_after_the_other(
    tree, programme, other_lab
) -> None:
    """The reads are compiled once: each call must still read its own programme's rows."""
    from quartiere.programme.tests.factories import ProgrammeFactory

    other = ProgrammeFactory(lab=other_lab, slug="bollate-test", name="Programma Bollate")
    line = ActionLineFactory(programme=other, code="Z")
    ActionFactory(line=line, key="only-here", title_it="Solo a Bollate")
    NewsItemFactory(programme=other, lab=other_lab, title_it="Notizia di Bollate")
    NewsItemFactory(programme=programme, title_it="Notizia del test")

    for _ in range(2):
        first = selectors.programme_public_page_get(slug=programme.slug)
        second = selectors.programme_public_page_get(slug=other.slug)
        assert (first, first.lab.slug) == (programme, programme.lab.slug)
        assert (second, second.lab.name) == (other, other_lab.name)
        assert [n.action.key for n in selectors.action_tree_public(programme=other).nodes()] == [
            "only-here"
        ]
        assert len(list(selectors.action_tree_public(programme=programme).nodes())) == 4
        assert [n.title for n in selectors.news_public_headlines(programme=other)] == [
            "Notizia di Bollate"
        ]
        assert [n.title for n in selectors.news_public_headlines(programme=programme)] == [
            "Notizia del test"
        ]
        assert selectors.action_public_page(programme=other, ref="only-here").action.title == (
            "Solo a Bollate"
        )
        with pytest.raises(type(tree["c1"]).DoesNotExist):
            selectors.action_public_page(programme=other, ref="c1")
    programme.is_published = False
    programme.save()
    with pytest.raises(type(programme).DoesNotExist):
        selectors.programme_public_page_get(slug=programme.slug)


def test_news_public_headlines_are_the_latest_published_news_when_drafts_exist(programme) -> None:
    items = [NewsItemFactory(programme=programme) for _ in range(4)]
    NewsItemFactory(programme=programme, status="draft", published_at=None)

    assert selectors.news_public_headlines(programme=programme, limit=3) == (
        selectors.news_public_list(programme=programme, limit=3)
    )
    assert len(items) == 4
