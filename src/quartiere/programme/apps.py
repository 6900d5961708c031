from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quartiere.programme"
    label = "programme"
    verbose_name = _("Regeneration programme")
