"""Which status changes a proposal may make, and which phase of a process is in force.

submitted -> published (admitted at moderation) or refused (not admitted, with a reason);
published -> in_evaluation -> accepted | partly_accepted | rejected (with a reason);
a published proposal may also get its outcome directly. Outcomes and refusals are final.

Phases are rows with dates; the phase in force on a day is the one whose dates include it
(the latest-starting one when two overlap).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

from django.utils import formats
from django.utils.translation import gettext as _

from quartiere.core.exceptions import ApplicationError, InvalidTransitionError
from quartiere.participation.enums import PhaseKind
from quartiere.participation.enums import ProposalStatus as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.PUBLISHED, S.REFUSED}),
    S.PUBLISHED: frozenset({S.IN_EVALUATION, S.ACCEPTED, S.PARTLY_ACCEPTED, S.REJECTED}),
    S.IN_EVALUATION: frozenset({S.ACCEPTED, S.PARTLY_ACCEPTED, S.REJECTED}),
    S.REFUSED: frozenset(),
    S.ACCEPTED: frozenset(),
    S.PARTLY_ACCEPTED: frozenset(),
    S.REJECTED: frozenset(),
}


class PhaseLike(Protocol):
    kind: str
    starts_on: dt.date
    ends_on: dt.date


def allowed_targets(current: str) -> frozenset[str]:
    """Return the statuses a proposal in ``current`` may move to."""
    return TRANSITIONS.get(current, frozenset())


def can_transition(current: str, target: str) -> bool:
    """Tell whether the workflow allows ``current`` -> ``target``."""
    return target in allowed_targets(current)


def ensure_transition(current: str, target: str) -> None:
    """Raise InvalidTransitionError unless ``current`` -> ``target`` is allowed."""
    if not can_transition(current, target):
        raise InvalidTransitionError(
            _("A proposal that is “%(current)s” cannot become “%(target)s”.")
            % {"current": S(current).label, "target": S(target).label}
        )


def phase_in_force(phases: Iterable[PhaseLike], on: dt.date) -> PhaseLike | None:
    """Return the phase whose dates include ``on`` (the latest-starting one), or None."""
    current = [p for p in phases if p.starts_on <= on <= p.ends_on]
    return max(current, key=lambda p: p.starts_on) if current else None


def _date(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def phase_closed_reason(phases: Iterable[PhaseLike], kind: str, on: dt.date) -> str | None:
    """Return why the ``kind`` phase is not open on ``on`` (with its dates), or None if open."""
    phase = next((p for p in phases if p.kind == kind), None)
    label = PhaseKind(kind).label
    if phase is None:
        return _("This process has no “%(phase)s” phase.") % {"phase": label}
    if on < phase.starts_on:
        if kind == PhaseKind.SUPPORTS:
            return _("Supports open on %(date)s.") % {"date": _date(phase.starts_on)}
        if kind == PhaseKind.PROPOSALS:
            return _("Proposals open on %(date)s.") % {"date": _date(phase.starts_on)}
        return _("The “%(phase)s” phase opens on %(date)s.") % {
            "phase": label,
            "date": _date(phase.starts_on),
        }
    if on > phase.ends_on:
        if kind == PhaseKind.SUPPORTS:
            return _("Supports closed on %(date)s.") % {"date": _date(phase.ends_on)}
        if kind == PhaseKind.PROPOSALS:
            return _("Proposals closed on %(date)s.") % {"date": _date(phase.ends_on)}
        return _("The “%(phase)s” phase closed on %(date)s.") % {
            "phase": label,
            "date": _date(phase.ends_on),
        }
    return None


def ensure_phase_open(phases: Iterable[PhaseLike], kind: str, on: dt.date) -> None:
    """Raise ApplicationError with the dates unless the ``kind`` phase is in force on ``on``."""
    reason = phase_closed_reason(phases, kind, on)
    if reason:
        raise ApplicationError(reason)
