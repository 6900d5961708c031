import datetime as dt

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quartiere.reports"
    label = "reports"
    verbose_name = "Segnalazioni"

    def ready(self) -> None:
        from quartiere.core import periodic

        # ``reports_close_resolved --apply``, daily; a closed report is never closed twice.
        periodic.register(
            "reports.close_resolved",
            interval=dt.timedelta(days=1),
            path="quartiere.reports.services.reports_close_expired",
            kwargs={"dry_run": False},
        )
        # Open311 requests accepted by POST become reports (with the database task queue).
        periodic.register(
            "reports.open311_intake",
            interval=dt.timedelta(seconds=2),
            path="quartiere.reports.services.open311_intakes_process",
        )
