"""Fixtures shared by both test trees (src/quartiere and tests/)."""

from __future__ import annotations

from typing import Any

import pytest

from quartiere.core.testing import TableSnapshot


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """pytest-django's test database, plus a snapshot of what the migrations wrote in it.

    Taken before any test runs, it lets a test that commits data (the browser tests) hand the
    next test the database exactly as the migrations left it: role groups and permissions.
    """
    with django_db_blocker.unblock():
        _SNAPSHOTS["migrated"] = TableSnapshot.take()


_SNAPSHOTS: dict[str, TableSnapshot] = {}


@pytest.fixture(scope="session")
def migrated_snapshot(django_db_setup: None) -> TableSnapshot:
    """The test database's rows as the migrations left them (see ``django_db_setup``)."""
    return _SNAPSHOTS["migrated"]
