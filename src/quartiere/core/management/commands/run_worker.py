"""quartiere worker: drain the task queue (django-tasks database backend) and, in a background
thread, run the periodic jobs the apps register (``quartiere.core.periodic``).

``--no-periodic`` runs the queue only (e.g. for a second worker); ``--batch`` never runs the
periodic jobs (it drains the queue and exits).
"""

from __future__ import annotations

import os
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from quartiere.core import periodic


class Command(DatabaseWorkerCommand):
    help = "Run the background task worker and the periodic jobs (reminders, daily closings)."

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-periodic",
            action="store_false",
            dest="periodic",
            help="do not run the periodic jobs in this worker",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        run_periodic = options.pop("periodic", True)
        # With --reload the first process only watches the files and restarts a child that
        # runs this again: the jobs run in the child.
        watcher = options.get("reload") and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if run_periodic and not options.get("batch") and not watcher:
            periodic.start_thread()
        super().handle(*args, **options)
