"""Print the demo log-ins (one per role)."""

from __future__ import annotations

import os
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

PASSWORD = "quartiere-demo"  # noqa: S105 - published demo credential


class Command(BaseCommand):
    help = "Print the demo users and their roles."

    def handle(self, *args: Any, **opts: Any) -> None:
        membership = apps.get_model("accounts", "Membership")
        rows = membership.objects.select_related("user", "lab").order_by("lab__name", "role")
        host = os.environ.get("HOST", "127.0.0.1")
        port = os.environ.get("PORT", "8000")
        self.stdout.write("")
        self.stdout.write(f"Quartiere demo on http://{host}:{port}/  (synthetic data only)")
        self.stdout.write(
            f"Log in at http://{host}:{port}/accounts/login/ with password "
            f"'{PASSWORD}' and one of these users:"
        )
        for m in rows:
            where = m.lab.name if m.lab else "Regione Lombardia"
            self.stdout.write(f"  {m.user.username:<24} {m.get_role_display():<20} {where}")
        self.stdout.write(f"  {'admin':<24} {'administrator':<20} /admin/")
        self.stdout.write("")
