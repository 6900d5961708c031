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


def session_reminders_job() -> str:
    """Hourly periodic job (``quartiere worker``), as ``activities_send_reminders``: queue the
    reminders for the next 24 hours and queue again the e-mails that failed (idempotent)."""
    queued = services.session_reminders_send(hours_ahead=24)
    retried = services.activity_messages_retry_failed()
    return f"{queued} reminders queued, {retried} e-mails queued again"
