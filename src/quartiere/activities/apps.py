import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quartiere.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from quartiere.core import periodic

        # Idempotent: each registration gets one reminder per session however often it runs.
        periodic.register(
            "activities.session_reminders",
            interval=dt.timedelta(hours=1),
            path="quartiere.activities.tasks.session_reminders_job",
        )
