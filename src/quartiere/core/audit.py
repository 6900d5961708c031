"""The audit trail: every service that writes calls ``record``; sensitive reads call ``access``."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import models

from quartiere.core.models import AccessEvent, AccessOutcome, AuditEvent

logger = logging.getLogger("quartiere.audit")


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Return the plain values of ``fields`` on ``obj`` (foreign keys as ids)."""
    out: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = _plain(getattr(obj, attname))
    return out


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Return ``{field: [before, after]}`` for the fields whose value changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def _actor_id(actor: Any) -> int | None:
    return actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    label: str = "",
    lab_id: int | None = None,
    changes: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event: who (actor), what (action), which object, the changed fields."""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = target.pk
        label = label or str(target)
        if lab_id is None:
            lab_id = getattr(target, "lab_id", None)
    event = AuditEvent.objects.create(
        actor_id=_actor_id(actor),
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        target_label=label[:200],
        lab_id=lab_id,
        changes={k: _plain(v) for k, v in (changes or {}).items()},
    )
    logger.info("audit %s %s#%s by user %s", action, target_type, target_id, _actor_id(actor))
    return event


def access(
    *,
    actor: Any,
    target_type: str,
    target_id: str | int,
    outcome: str = AccessOutcome.GRANTED,
    purpose: str = "",
    lab_id: int | None = None,
    path: str = "",
) -> AccessEvent:
    """Log a read of special-category data, or a refused read of another lab's object."""
    logger.info("access %s %s#%s by user %s", outcome, target_type, target_id, _actor_id(actor))
    return AccessEvent.objects.create(
        actor_id=_actor_id(actor),
        outcome=outcome,
        target_type=target_type,
        target_id=str(target_id),
        purpose=purpose,
        lab_id=lab_id,
        path=path[:300],
    )
