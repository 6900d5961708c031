"""A small published programme in ``lab``: two lines, a parent with children, funding, news."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache

from quartiere.programme.enums import NewsStatus
from quartiere.programme.models import AllocationPayment, Document, FundingSource
from quartiere.programme.tests.factories import (
    ActionFactory,
    ActionLineFactory,
    AllocationFactory,
    MilestoneFactory,
    NewsItemFactory,
    ProgrammeFactory,
)


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def programme(lab):  # type: ignore[no-untyped-def]
    return ProgrammeFactory(lab=lab, slug="lorenteggio-test", name="Programma Lorenteggio di prova")


def _source(code: str) -> FundingSource:
    return FundingSource.objects.get(code=code)


@pytest.fixture
def tree(programme) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Two lines; line A has a parent with two funded children; line B one leaf."""
    fesr, comune = _source("POR FESR"), _source("Comune")
    l1 = ActionLineFactory(programme=programme, code="A", name_it="Patrimonio abitativo", order=1)
    l2 = ActionLineFactory(programme=programme, code="B", name_it="Spazio pubblico", order=2)
    parent = ActionFactory(
        line=l1, key="manzano", title_it="Via Manzano 4", budget_amount=Decimal("400000")
    )
    c1 = ActionFactory(
        line=l1,
        parent=parent,
        key="manzano-demolizione",
        title_it="Demolizione di via Manzano 4",
        budget_amount=Decimal("300000"),
        cup="B41B16000230007",
        place_label="via Manzano 4",
        latitude=Decimal("45.4500"),
        longitude=Decimal("9.1400"),
    )
    c2 = ActionFactory(
        line=l1,
        parent=parent,
        key="manzano-ricostruzione",
        title_it="Ricostruzione di via Manzano 4",
        budget_amount=Decimal("100000"),
    )
    leaf = ActionFactory(
        line=l2,
        key="giambellino-129",
        title_it="Area verde Giambellino 129",
        budget_amount=Decimal("50000"),
    )
    MilestoneFactory(
        action=c1, title_it="Progetto approvato", weight=1, achieved_on=dt.date(2022, 1, 1)
    )
    MilestoneFactory(
        action=c1, title_it="Cantiere aperto", weight=1, planned_on=dt.date(2027, 3, 1)
    )
    a1 = AllocationFactory(
        action=c1, source=fesr, amount=Decimal("200000"), committed_amount=Decimal("150000")
    )
    AllocationFactory(action=c1, source=comune, amount=Decimal("100000"))
    AllocationFactory(action=leaf, source=comune, amount=Decimal("50000"))
    AllocationPayment.objects.create(
        allocation=a1, paid_on=dt.date(2023, 5, 1), amount=Decimal("80000")
    )
    NewsItemFactory(
        programme=programme,
        slug="cantiere",
        title_it="Apre il cantiere",
        summary_it="Si parte.",
        status=NewsStatus.PUBLISHED,
    )
    Document.objects.create(
        programme=programme,
        action=c1,
        title_it="Progetto esecutivo",
        file="programme/documents/2024/progetto.pdf",
        published_on=dt.date(2024, 1, 10),
    )
    return {"parent": parent, "c1": c1, "c2": c2, "leaf": leaf, "allocation": a1}
