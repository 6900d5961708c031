from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "quartiere.portal"
    label = "portal"
    verbose_name = _("Public portal")

    def ready(self) -> None:
        from quartiere.portal import signals, sources
        from quartiere.programme import public_views

        signals.connect()
        # The action page shows report counts and co-design processes, read by the portal.
        if sources.action_related not in public_views.ACTION_PAGE_EXTRAS:
            public_views.ACTION_PAGE_EXTRAS.append(sources.action_related)
