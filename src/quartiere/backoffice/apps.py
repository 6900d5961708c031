from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    """Staff pages: composes the contexts' selectors and services into the lab's work screens."""

    name = "quartiere.backoffice"
    label = "backoffice"
    verbose_name = _("Back office")
