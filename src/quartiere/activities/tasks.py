"""Background work for activities: the outbox sender and the reminders before sessions."""

from __future__ import annotations

from django_tasks import task

from quartiere.activities import services


@task()
def activity_message_send_task(message_id: int) -> str:
    """Send one queued e-mail; the row records success or the failure."""
    return services.activity_message_send(message_id=message_id).status


@task()
def session_reminders_send_task(hours_ahead: int = 24) -> int:
    """Queue the reminders for sessions in the next ``hours_ahead`` hours (idempotent)."""
    return services.session_reminders_send(hours_ahead=hours_ahead)
