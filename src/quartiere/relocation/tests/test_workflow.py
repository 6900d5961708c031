"""The need and offer workflow tables (no database)."""

from __future__ import annotations

import itertools

import pytest

from quartiere.core.exceptions import InvalidTransitionError
from quartiere.relocation import workflow
from quartiere.relocation.enums import NeedStatus, OfferStatus


def test_workflow_allows_the_task_force_path_when_followed_in_order() -> None:
    path = list(NeedStatus.values)

    for current, target in itertools.pairwise(path):
        assert workflow.can_transition(current, target), (current, target)


def test_workflow_refuses_moving_back_when_household_has_moved() -> None:
    with pytest.raises(InvalidTransitionError):
        workflow.ensure_transition(NeedStatus.MOVED, NeedStatus.ASSESSED)


def test_workflow_refuses_skipping_the_offer_when_matched() -> None:
    assert not workflow.can_transition(NeedStatus.MATCHED, NeedStatus.ACCEPTED)


def test_offer_workflow_refuses_answer_when_already_refused() -> None:
    with pytest.raises(InvalidTransitionError):
        workflow.ensure_offer_transition(OfferStatus.REFUSED, OfferStatus.ACCEPTED)


def test_workflow_lets_needs_be_edited_only_when_no_offer_is_out() -> None:
    editable = {s for s in NeedStatus.values if workflow.is_editable(s)}

    assert editable == {NeedStatus.TO_ASSESS, NeedStatus.ASSESSED, NeedStatus.MATCHED}
