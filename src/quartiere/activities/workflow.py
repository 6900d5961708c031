"""Which status changes an activity may make: draft -> published -> cancelled (draft may be
cancelled too); cancelled is final."""

from __future__ import annotations

from django.utils.translation import gettext as _

from quartiere.activities.enums import ActivityStatus as S
from quartiere.core.exceptions import InvalidTransitionError

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.PUBLISHED, S.CANCELLED}),
    S.PUBLISHED: frozenset({S.CANCELLED}),
    S.CANCELLED: frozenset(),
}


def can_transition(current: str, target: str) -> bool:
    """Tell whether the workflow allows ``current`` -> ``target``."""
    return target in TRANSITIONS.get(current, frozenset())


def ensure_transition(current: str, target: str) -> None:
    """Raise InvalidTransitionError unless ``current`` -> ``target`` is allowed."""
    if not can_transition(current, target):
        raise InvalidTransitionError(
            _("An activity that is “%(current)s” cannot become “%(target)s”.")
            % {"current": S(current).label, "target": S(target).label}
        )


def accepts_registrations(*, status: str, is_registration_open: bool) -> bool:
    """Tell whether an activity takes registrations: published and open."""
    return status == S.PUBLISHED and is_registration_open
