"""Background work for reports: the outbox sender."""

from __future__ import annotations

from django_tasks import task

from quartiere.reports import services


@task()
def notification_send_task(notification_id: int) -> str:
    """Send one queued e-mail; the row records success or the failure."""
    return services.notification_send(notification_id=notification_id).status
