"""Who may do what with relocation plans, beyond the capabilities their roles grant."""

from __future__ import annotations

from typing import Any

from quartiere.accounts.selectors import user_scope


def can_view_meeting_note(user: Any, lab_id: int) -> bool:
    """Only the lab's own coordinators and operators read the notes of meetings with families
    (region-wide roles never do, whatever their capabilities)."""
    if getattr(user, "is_superuser", False):
        return True
    scope = user_scope(user)
    return (
        bool(user.has_perm("relocation.view_meeting_note"))
        and not scope.all_labs
        and lab_id in scope.lab_ids
    )
