"""Which state changes a payment batch may make, and the guards that look only at the batch.

draft -> frozen (built: a snapshot of hours and amounts) -> approved (by a second person)
-> exported (the SEPA file, once) -> paid | partly_failed. A frozen batch may be rebuilt
(frozen -> frozen) until it is approved; draft, frozen and approved batches may be cancelled.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from quartiere.core.exceptions import ApplicationError, InvalidTransitionError
from quartiere.training.payments_enums import PaymentBatchState as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.FROZEN, S.CANCELLED}),
    S.FROZEN: frozenset({S.FROZEN, S.APPROVED, S.CANCELLED}),
    S.APPROVED: frozenset({S.EXPORTED, S.CANCELLED}),
    S.EXPORTED: frozenset({S.PAID, S.PARTLY_FAILED}),
    S.PAID: frozenset(),
    S.PARTLY_FAILED: frozenset(),
    S.CANCELLED: frozenset(),
}


class SelfApprovalError(ApplicationError):
    """The person who built a batch tried to approve it."""


def allowed_targets(current: str) -> frozenset[str]:
    """Return the states a batch in ``current`` may move to."""
    return TRANSITIONS.get(current, frozenset())


def can_transition(current: str, target: str) -> bool:
    """Tell whether the workflow allows ``current`` -> ``target``."""
    return target in allowed_targets(current)


def ensure_transition(current: str, target: str) -> None:
    """Raise InvalidTransitionError unless ``current`` -> ``target`` is allowed."""
    if not can_transition(current, target):
        raise InvalidTransitionError(
            _("A batch that is “%(current)s” cannot become “%(target)s”.")
            % {"current": S(current).label, "target": S(target).label}
        )


def ensure_not_builder(*, built_by_id: Any, approver_id: Any) -> None:
    """Raise SelfApprovalError when the approver is the person who built the batch."""
    if built_by_id is not None and built_by_id == approver_id:
        raise SelfApprovalError(
            _("You built this batch, so someone else must approve it (four-eyes rule).")
        )


def ensure_has_lines(line_count: int) -> None:
    """Raise ApplicationError when a batch has nothing to approve."""
    if line_count <= 0:
        raise ApplicationError(_("This batch has no lines: there is nothing to approve."))
