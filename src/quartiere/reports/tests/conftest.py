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


@pytest.fixture
def category(lab):
    """An Open311 service of ``lab``: the lift, a public category (test files may override)."""
    from quartiere.reports.tests.factories import CategoryFactory

    return CategoryFactory(lab=lab, code="lift", group="manutenzione", is_public=True)


@pytest.fixture
def api_key() -> str:
    """A new Open311 API key, in clear."""
    from quartiere.reports import services

    _key, raw = services.open311_key_create(name="App di quartiere")
    return raw
