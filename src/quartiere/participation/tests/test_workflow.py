from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from quartiere.core.exceptions import ApplicationError, InvalidTransitionError
from quartiere.participation import workflow
from quartiere.participation.enums import PhaseKind
from quartiere.participation.enums import ProposalStatus as S


@dataclass
class Phase:
    kind: str
    starts_on: dt.date
    ends_on: dt.date


PHASES = [
    Phase(PhaseKind.PROPOSALS, dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
    Phase(PhaseKind.SUPPORTS, dt.date(2026, 4, 1), dt.date(2026, 4, 30)),
]


def test_workflow_allows_publishing_a_submitted_proposal():
    workflow.ensure_transition(S.SUBMITTED, S.PUBLISHED)


def test_workflow_refuses_an_outcome_before_moderation():
    with pytest.raises(InvalidTransitionError):
        workflow.ensure_transition(S.SUBMITTED, S.ACCEPTED)


@pytest.mark.parametrize("final", [S.ACCEPTED, S.PARTLY_ACCEPTED, S.REJECTED, S.REFUSED])
def test_workflow_outcomes_are_final(final):
    assert workflow.allowed_targets(final) == frozenset()


def test_phase_in_force_is_the_phase_including_the_day():
    assert workflow.phase_in_force(PHASES, dt.date(2026, 4, 10)).kind == PhaseKind.SUPPORTS


def test_phase_in_force_is_none_between_phases():
    assert workflow.phase_in_force(PHASES, dt.date(2026, 5, 10)) is None


def test_phase_closed_reason_says_when_supports_open():
    reason = workflow.phase_closed_reason(PHASES, PhaseKind.SUPPORTS, dt.date(2026, 3, 10))
    assert reason is not None
    assert "1" in reason
    assert "2026" in reason


def test_phase_closed_reason_says_when_supports_closed():
    reason = workflow.phase_closed_reason(PHASES, PhaseKind.SUPPORTS, dt.date(2026, 5, 2))
    assert reason is not None
    assert "30" in reason


def test_phase_is_open_on_its_last_day():
    assert workflow.phase_closed_reason(PHASES, PhaseKind.SUPPORTS, dt.date(2026, 4, 30)) is None


def test_ensure_phase_open_refuses_a_missing_phase():
    with pytest.raises(ApplicationError):
        workflow.ensure_phase_open(PHASES, PhaseKind.RESULTS, dt.date(2026, 4, 1))
