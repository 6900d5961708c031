from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from quartiere.accounts.enums import Role
from quartiere.participation.enums import PhaseKind
from quartiere.participation.tests.factories import PhaseFactory, ProcessFactory, ProposalFactory
from quartiere.people.tests.factories import ResidentFactory


@pytest.fixture
def process(lab) -> Any:  # type: ignore[no-untyped-def]
    """A published process of lab A with its supports and proposals phases in force."""
    process = ProcessFactory(lab=lab)
    today = timezone.localdate()
    PhaseFactory(process=process, kind=PhaseKind.SUPPORTS)
    PhaseFactory(
        process=process,
        kind=PhaseKind.PROPOSALS,
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=10),
    )
    return process


@pytest.fixture
def proposal(process) -> Any:  # type: ignore[no-untyped-def]
    return ProposalFactory(process=process)


@pytest.fixture
def verified(make_user, lab) -> Any:  # type: ignore[no-untyped-def]
    """A portal user linked to a verified resident of lab A's district."""
    user = make_user(Role.RESIDENT, lab, username="resident_a", first_name="Amina")
    ResidentFactory(
        lab=lab, user=user, verified_at=timezone.now(), first_name="Amina", last_name="El Idrissi"
    )
    return user
