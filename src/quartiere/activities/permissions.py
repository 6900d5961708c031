"""Who may do what with activities: capabilities combined with the user's labs."""

from __future__ import annotations

from typing import Any

from quartiere.accounts.selectors import user_scope


def can_manage_activities(user: Any) -> bool:
    """Lab staff with the capability to run activities (in some lab)."""
    return bool(user.has_perm("activities.manage_activity"))


def can_manage_activity(user: Any, activity: Any) -> bool:
    """The capability, in the activity's lab."""
    return can_manage_activities(user) and user_scope(user).sees_lab(activity.lab_id)


def can_create_activity_in(user: Any, lab_id: int) -> bool:
    """The capability, in that lab."""
    return can_manage_activities(user) and user_scope(user).sees_lab(lab_id)


def can_view_activity_figures(user: Any) -> bool:
    """Lab staff for their labs, the Region for every lab."""
    return bool(user.has_perm("activities.view_activity_figures"))
