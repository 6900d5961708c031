"""The demo programmes: Lorenteggio's figures add up, the demo action is findable."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest

from quartiere.accounts import seeds as account_seeds
from quartiere.programme import seeds, selectors
from quartiere.programme.enums import FundingKind
from quartiere.programme.models import Action, AllocationPayment, Document, NewsItem
from quartiere.territory import seeds as territory_seeds

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, tmp_path) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    ctx: dict[str, Any] = {}
    rng = random.Random(2026)
    account_seeds.seed_demo(size="tiny", rng=rng, ctx=ctx)
    territory_seeds.seed_demo(size="tiny", rng=rng, ctx=ctx)
    seeds.seed_demo(size="tiny", rng=rng, ctx=ctx)
    return ctx


def test_lorenteggio_funding_matches_the_programme_figures(seeded) -> None:
    programme = seeded["programmes"]["lorenteggio"]
    rows = selectors.funding_by_source(programme=programme)
    by_kind: dict[str, Decimal] = {}
    for row in rows:
        by_kind[row.kind] = by_kind.get(row.kind, Decimal(0)) + row.allocated_amount
    assert by_kind == {
        FundingKind.EU: Decimal("57000000"),
        FundingKind.REGIONAL: Decimal("22000000"),
        FundingKind.MUNICIPAL: Decimal("20000000"),
    }
    lines = selectors.funding_by_line(programme=programme)
    assert len(lines) == 4
    assert sum(r.allocated_amount for r in lines) == Decimal("99000000")


def test_the_giambellino_129_action_is_found_by_key(seeded) -> None:
    action = selectors.action_by_key(programme_slug="lorenteggio", key="giambellino-129")
    assert action is not None
    assert action.title_en == "Giambellino 129 green area"
    assert action.cup == "B47H18000450006"
    assert seeded["programme_actions"]["giambellino-129"] == action
    assert action.actual_end_on is not None
    assert action.actual_end_on.year == 2024


def test_seeded_tree_has_progress_payments_news_and_documents(seeded) -> None:
    programme = seeded["programmes"]["lorenteggio"]
    tree = selectors.action_tree_public(programme=programme)
    assert 0 < tree.progress < 1
    assert tree.paid_amount <= tree.committed_amount <= tree.allocated_amount
    assert AllocationPayment.objects.filter(allocation__action__programme=programme).exists()
    assert NewsItem.objects.filter(programme=programme, status="published").count() >= 5
    assert Document.objects.filter(programme=programme).exists()
    assert Action.objects.filter(programme=programme, buildings__isnull=False).exists()
    assert seeded["programmes"]["bollate"].actions.count() == 3
