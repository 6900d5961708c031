"""Helpers shared by every context's tests."""

from __future__ import annotations

import pytest
from django.db import connection

# Row locks and concurrent transactions need a real server: CI and `make test` run on
# PostgreSQL; on the SQLite fallback these tests report why they did not run.
requires_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (concurrent transactions)"
)
