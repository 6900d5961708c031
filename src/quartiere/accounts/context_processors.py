from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from quartiere.accounts.selectors import lab_list, user_scope


def current_lab(request: HttpRequest) -> dict[str, Any]:
    """Expose the current lab and, lazily, the labs to switch between."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    lab = getattr(request, "lab", None)
    return {
        "current_lab": lab if lab else None,
        "switchable_labs": lambda: list(
            lab_list(user=user).select_related(None).only("id", "name")
        ),
        "scope": user_scope(user),
    }
