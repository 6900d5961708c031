"""Which status changes a relocation need may make (a table; guards look only at the need).

to_assess -> assessed -> matched -> offered -> accepted -> moved -> returned.
A solve moves needs between assessed and matched; a refused or withdrawn offer sends the need
back to assessed; a temporary move ends with the return.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from quartiere.core.exceptions import InvalidTransitionError
from quartiere.relocation.enums import NeedStatus as S
from quartiere.relocation.enums import OfferStatus as O

TRANSITIONS: dict[str, frozenset[str]] = {
    S.TO_ASSESS: frozenset({S.ASSESSED}),
    S.ASSESSED: frozenset({S.TO_ASSESS, S.MATCHED, S.OFFERED}),
    S.MATCHED: frozenset({S.TO_ASSESS, S.ASSESSED, S.OFFERED}),
    S.OFFERED: frozenset({S.ASSESSED, S.ACCEPTED}),
    S.ACCEPTED: frozenset({S.ASSESSED, S.MOVED}),
    S.MOVED: frozenset({S.RETURNED}),
    S.RETURNED: frozenset(),
}

OFFER_TRANSITIONS: dict[str, frozenset[str]] = {
    O.MADE: frozenset({O.ACCEPTED, O.REFUSED, O.WITHDRAWN}),
    O.ACCEPTED: frozenset({O.WITHDRAWN, O.ENDED}),
    O.REFUSED: frozenset(),
    O.WITHDRAWN: frozenset(),
    O.ENDED: frozenset(),
}

# Needs whose answers are still being edited: the form may change them.
EDITABLE = frozenset({S.TO_ASSESS, S.ASSESSED, S.MATCHED})


def allowed_targets(current: str) -> frozenset[str]:
    """Return the statuses a need in ``current`` may move to."""
    return TRANSITIONS.get(current, frozenset())


def can_transition(current: str, target: str) -> bool:
    """Tell whether the workflow allows ``current`` -> ``target`` for a need."""
    return target in allowed_targets(current)


def ensure_transition(current: str, target: str) -> None:
    """Raise InvalidTransitionError unless a need may go from ``current`` to ``target``."""
    if not can_transition(current, target):
        raise InvalidTransitionError(
            _("A household that is “%(current)s” cannot become “%(target)s”.")
            % {"current": S(current).label, "target": S(target).label}
        )


def ensure_offer_transition(current: str, target: str) -> None:
    """Raise InvalidTransitionError unless an offer may go from ``current`` to ``target``."""
    if target not in OFFER_TRANSITIONS.get(current, frozenset()):
        raise InvalidTransitionError(
            _("An offer that is “%(current)s” cannot become “%(target)s”.")
            % {"current": O(current).label, "target": O(target).label}
        )


def is_editable(status: str) -> bool:
    """Tell whether a need's answers may still be edited (not once an offer is out)."""
    return status in EDITABLE
