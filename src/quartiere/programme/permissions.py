"""Who may do what on a programme, beyond the capabilities their roles grant."""

from __future__ import annotations

from typing import Any

from quartiere.accounts.selectors import user_scope
from quartiere.programme.models import Programme


def can_edit_programme(user: Any, programme: Programme, perm: str = "change_action") -> bool:
    """Staff of the programme's lead lab (or of a lab sharing it) holding the capability.

    Region-wide roles (region officials, evaluators) see every programme but never edit one.
    """
    if not user.has_perm(f"programme.{perm}"):
        return False
    if getattr(user, "is_superuser", False):
        return True
    scope = user_scope(user)
    if scope.all_labs:
        return False
    if programme.lab_id in scope.lab_ids:
        return True
    return programme.other_labs.filter(pk__in=scope.lab_ids).exists()
