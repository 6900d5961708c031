"""quartiere activities_send_reminders [--hours N]: e-mail a reminder before each session.

``quartiere worker`` runs the same every hour (the periodic job "activities.session_reminders",
``tasks.session_reminders_job``); this command is for a run by hand. Each registration gets one
reminder per session however often it runs. It also queues again the e-mails that failed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from quartiere.activities import services


class Command(BaseCommand):
    help = (
        "Queue a reminder e-mail for each confirmed registration to a session starting in the "
        "next hours (once per registration and session), and retry failed e-mails."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--hours", type=int, default=24, help="remind about sessions starting within N hours"
        )

    def handle(self, *args: Any, hours: int, **opts: Any) -> None:
        queued = services.session_reminders_send(hours_ahead=hours)
        retried = services.activity_messages_retry_failed()
        self.stdout.write(f"{queued} reminders queued, {retried} e-mails queued again.")
