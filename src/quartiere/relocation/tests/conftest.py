"""Fixtures of the relocation tests: a plan in lab A with one household and one free unit."""

from __future__ import annotations

from typing import Any

import pytest

from quartiere.relocation.tests import factories as f


@pytest.fixture
def plan(lab: Any) -> Any:
    return f.make_plan(lab)


@pytest.fixture
def origin(lab: Any) -> Any:
    """The building being vacated."""
    return f.make_building(lab, street="Via Lorenteggio", number="181")


@pytest.fixture
def destination(lab: Any) -> Any:
    return f.make_building(lab, street="Via Odazio", number="5", latitude="45.450000")
