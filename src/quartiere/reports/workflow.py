"""Which status changes a report may make, and the guards that look only at the report.

submitted -> acknowledged -> forwarded -> in_progress -> resolved -> closed;
rejected and merged end a report; a resolved or closed report may be reopened.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from quartiere.core.exceptions import InvalidTransitionError
from quartiere.reports.enums import ReportStatus as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.ACKNOWLEDGED, S.REJECTED, S.MERGED}),
    S.ACKNOWLEDGED: frozenset({S.FORWARDED, S.IN_PROGRESS, S.RESOLVED, S.REJECTED, S.MERGED}),
    S.FORWARDED: frozenset({S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED, S.MERGED}),
    S.IN_PROGRESS: frozenset({S.FORWARDED, S.RESOLVED, S.MERGED}),
    S.RESOLVED: frozenset({S.CLOSED, S.REOPENED}),
    S.REOPENED: frozenset({S.FORWARDED, S.IN_PROGRESS, S.RESOLVED, S.REJECTED, S.MERGED}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.REJECTED: frozenset(),
    S.MERGED: frozenset(),
}


def allowed_targets(current: str) -> frozenset[str]:
    """Return the statuses a report in ``current`` may move to."""
    return TRANSITIONS.get(current, frozenset())


def can_transition(current: str, target: str) -> bool:
    """Tell whether the workflow allows ``current`` -> ``target``."""
    return target in allowed_targets(current)


def ensure_transition(current: str, target: str) -> None:
    """Raise InvalidTransitionError unless ``current`` -> ``target`` is allowed."""
    if not can_transition(current, target):
        raise InvalidTransitionError(
            _("A report that is “%(current)s” cannot become “%(target)s”.")
            % {"current": S(current).label, "target": S(target).label}
        )


def reopen_deadline(resolved_at: dt.datetime | None, reopen_days: int) -> dt.datetime | None:
    """Return the last moment a resolved report may be reopened by its resident."""
    if resolved_at is None:
        return None
    return resolved_at + dt.timedelta(days=reopen_days)


def ensure_reopenable(
    *, status: str, resolved_at: dt.datetime | None, reopen_days: int, now: dt.datetime
) -> None:
    """Raise InvalidTransitionError unless the report is resolved/closed and within the window."""
    ensure_transition(status, S.REOPENED)
    deadline = reopen_deadline(resolved_at, reopen_days)
    if deadline is None or now > deadline:
        raise InvalidTransitionError(
            _(
                "This report can no longer be reopened: the %(days)s days after its "
                "resolution have passed. Please submit a new report."
            )
            % {"days": reopen_days}
        )
