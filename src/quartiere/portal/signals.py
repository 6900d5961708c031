"""Cache invalidation: any saved or deleted programme row makes the cached programme pages stale.

The programme context's services cannot call the portal (the portal sits above it), so the
portal listens to the programme models' signals and bumps the pages' cache version.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

PROGRAMME_MODELS = [
    "Programme",
    "ActionLine",
    "Action",
    "ActionPhoto",
    "Milestone",
    "FundingSource",
    "Allocation",
    "AllocationPayment",
    "NewsItem",
    "Document",
]


def programme_changed(sender: Any, **kwargs: Any) -> None:
    """Bump the programme pages' cache version (the next request renders them afresh)."""
    from quartiere.programme.public_views import cache_version_bump

    cache_version_bump()


def connect() -> None:
    """Listen to every programme model (called once from PortalConfig.ready)."""
    for name in PROGRAMME_MODELS:
        model = apps.get_model("programme", name)
        uid = f"portal-cache-{name}"
        post_save.connect(programme_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(programme_changed, sender=model, dispatch_uid=f"{uid}-delete")
    for through in [
        apps.get_model("programme", "Action").buildings.through,
        apps.get_model("programme", "Programme").other_labs.through,
    ]:
        m2m_changed.connect(
            programme_changed, sender=through, dispatch_uid=f"portal-cache-{through.__name__}"
        )
