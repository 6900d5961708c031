"""Fixtures shared by the reports tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def database_queue(settings):
    """Run as production does: tasks go to the database queue (``django-tasks-db``)."""
    settings.TASKS_MODE = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks import task_backends

    task_backends._settings = None  # type: ignore[attr-defined]
    yield
    task_backends._settings = None  # type: ignore[attr-defined]
