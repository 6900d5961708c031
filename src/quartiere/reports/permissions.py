"""Who may do what with reports, beyond the capabilities their roles grant."""

from __future__ import annotations

from typing import Any

from quartiere.accounts.selectors import user_scope
from quartiere.reports.selectors import LAB_STAFF_ROLES


def is_lab_staff(user: Any) -> bool:
    """Tell whether the user handles a lab's queue (coordinator, operator or superuser)."""
    scope = user_scope(user)
    return bool(getattr(user, "is_superuser", False) or scope.roles & LAB_STAFF_ROLES)


def can_view_report_contact(user: Any) -> bool:
    """Lab staff call residents back; others need the capability to read residents."""
    return bool(user.has_perm("people.view_resident")) or is_lab_staff(user)
