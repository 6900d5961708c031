"""Fixtures of the programme tests: a small programme in lab A with two lines and funding."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from quartiere.programme.models import FundingSource
from quartiere.programme.tests.factories import (
    ActionFactory,
    ActionLineFactory,
    AllocationFactory,
    MilestoneFactory,
    ProgrammeFactory,
)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Uploaded files of the tests go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def programme(lab):  # type: ignore[no-untyped-def]
    return ProgrammeFactory(lab=lab, slug="lorenteggio-test", name="Programma Test")


@pytest.fixture
def fesr(db) -> FundingSource:  # type: ignore[no-untyped-def]
    return FundingSource.objects.get(code="POR FESR")


@pytest.fixture
def comune(db) -> FundingSource:  # type: ignore[no-untyped-def]
    return FundingSource.objects.get(code="Comune")


@pytest.fixture
def tree(programme, fesr, comune) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Two lines; line 1 has a parent with two funded children; line 2 one leaf."""
    l1 = ActionLineFactory(programme=programme, code="A", order=1)
    l2 = ActionLineFactory(programme=programme, code="B", order=2)
    parent = ActionFactory(line=l1, key="parent", budget_amount=Decimal("400000"))
    c1 = ActionFactory(line=l1, parent=parent, key="c1", budget_amount=Decimal("300000"))
    c2 = ActionFactory(line=l1, parent=parent, key="c2", budget_amount=Decimal("100000"))
    leaf = ActionFactory(line=l2, key="leaf", budget_amount=Decimal("50000"))
    MilestoneFactory(action=c1, weight=1, achieved_on=dt.date(2022, 1, 1))
    MilestoneFactory(action=c2, weight=1)
    AllocationFactory(
        action=c1, source=fesr, amount=Decimal("200000"), committed_amount=Decimal("150000")
    )
    AllocationFactory(action=c1, source=comune, amount=Decimal("100000"))
    AllocationFactory(action=c2, source=comune, amount=Decimal("80000"))
    AllocationFactory(action=leaf, source=fesr, amount=Decimal("50000"))
    return {"l1": l1, "l2": l2, "parent": parent, "c1": c1, "c2": c2, "leaf": leaf}
