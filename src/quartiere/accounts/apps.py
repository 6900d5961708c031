from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "quartiere.accounts"
    label = "accounts"
    verbose_name = _("Accounts, organisations and labs")

    def ready(self) -> None:
        from quartiere.accounts import authcache

        authcache.connect()
