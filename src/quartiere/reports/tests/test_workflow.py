"""The transition table and its guards (no database)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from quartiere.core.exceptions import InvalidTransitionError
from quartiere.reports import workflow
from quartiere.reports.enums import ReportStatus as S

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def test_ensure_transition_allows_the_main_path():
    path = [S.SUBMITTED, S.ACKNOWLEDGED, S.FORWARDED, S.IN_PROGRESS, S.RESOLVED, S.CLOSED]
    for current, target in itertools.pairwise(path):
        workflow.ensure_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.SUBMITTED, S.RESOLVED),
        (S.SUBMITTED, S.CLOSED),
        (S.CLOSED, S.IN_PROGRESS),
        (S.REJECTED, S.ACKNOWLEDGED),
        (S.MERGED, S.REOPENED),
        (S.IN_PROGRESS, S.REJECTED),
    ],
)
def test_ensure_transition_raises_when_the_table_has_no_arrow(current, target):
    with pytest.raises(InvalidTransitionError):
        workflow.ensure_transition(current, target)


def test_terminal_statuses_have_no_way_out():
    assert workflow.allowed_targets(S.REJECTED) == frozenset()
    assert workflow.allowed_targets(S.MERGED) == frozenset()


def test_ensure_reopenable_passes_within_the_window():
    workflow.ensure_reopenable(
        status=S.RESOLVED, resolved_at=NOW - dt.timedelta(days=14), reopen_days=15, now=NOW
    )


def test_ensure_reopenable_raises_after_the_window():
    with pytest.raises(InvalidTransitionError):
        workflow.ensure_reopenable(
            status=S.CLOSED, resolved_at=NOW - dt.timedelta(days=16), reopen_days=15, now=NOW
        )


def test_ensure_reopenable_raises_when_never_resolved():
    with pytest.raises(InvalidTransitionError):
        workflow.ensure_reopenable(status=S.IN_PROGRESS, resolved_at=None, reopen_days=15, now=NOW)
