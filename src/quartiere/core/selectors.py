"""Reads of the audit and access logs, scoped by the caller to the labs a user may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from django.db.models import QuerySet

from quartiere.core.models import AccessEvent, AuditEvent


def audit_event_list(
    *,
    lab_ids: Collection[int] | None,
    action: str = "",
    actor_id: int | None = None,
    target_type: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """List audit events of the given labs (``None`` = every lab), newest first, filtered."""
    qs = AuditEvent.objects.select_related("actor")
    if lab_ids is not None:
        qs = qs.filter(lab_id__in=lab_ids)
    if action:
        qs = qs.filter(action__startswith=action)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    if target_type:
        qs = qs.filter(target_type=target_type)
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs.order_by("-at", "-id")


def audit_action_choices(*, lab_ids: Collection[int] | None) -> list[str]:
    """Return the distinct actions present in the visible audit log, for a filter menu."""
    qs = AuditEvent.objects.all()
    if lab_ids is not None:
        qs = qs.filter(lab_id__in=lab_ids)
    return list(qs.order_by("action").values_list("action", flat=True).distinct())


def access_event_list(*, lab_ids: Collection[int] | None) -> QuerySet[AccessEvent]:
    """List access events (sensitive reads and refusals) of the given labs, newest first."""
    qs = AccessEvent.objects.select_related("actor")
    if lab_ids is not None:
        qs = qs.filter(lab_id__in=lab_ids)
    return qs.order_by("-at", "-id")
