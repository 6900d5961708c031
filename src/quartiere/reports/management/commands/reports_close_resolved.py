"""Close resolved reports whose reopen window has passed (run daily, e.g. from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from quartiere.reports import services


class Command(BaseCommand):
    help = "Close resolved reports whose reopen window has passed (dry run unless --apply)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--apply", action="store_true", help="really close them")

    def handle(self, *args: Any, **options: Any) -> None:
        count = services.reports_close_expired(dry_run=not options["apply"])
        verb = "Closed" if options["apply"] else "Would close"
        self.stdout.write(f"{verb} {count} resolved report(s).")
