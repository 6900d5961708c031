"""Helpers shared by every context's tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

# Row locks and concurrent transactions need a real server: CI and `make test` run on
# PostgreSQL; on the SQLite fallback these tests report why they did not run.
requires_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (concurrent transactions)"
)


# A binary COPY of an empty table is its 19-byte header and a 2-byte trailer.
BINARY_COPY_EMPTY = 21


def _tables(conn: Any) -> list[str]:
    return sorted(conn.introspection.django_table_names(only_existing=True))


class TableSnapshot:
    """Every Django table's rows, copied out and put back in one transaction.

    The browser tests need the demo district committed (the live server reads it from another
    thread) and must leave the database as they found it. Seeding the demo for every test
    takes seconds; putting back a snapshot with PostgreSQL's COPY takes a fraction of one.
    Elsewhere (the SQLite fallback) Django's own serializer does the same job, slowly.
    """

    def __init__(self, tables: list[str], rows: dict[str, bytes] | str) -> None:
        self.tables = tables
        self.rows = rows

    @classmethod
    def take(cls, conn: Any = None) -> TableSnapshot:
        conn = conn or connection
        tables = _tables(conn)
        if conn.vendor != "postgresql":
            return cls(tables, conn.creation.serialize_db_to_string())
        rows: dict[str, bytes] = {}
        conn.ensure_connection()
        with conn.connection.cursor() as cursor:
            for table in tables:
                buffer = bytearray()
                with cursor.copy(
                    f"COPY {conn.ops.quote_name(table)} TO STDOUT (FORMAT BINARY)"
                ) as copy:
                    for chunk in copy:
                        buffer += chunk
                rows[table] = bytes(buffer)
        return cls(tables, rows)

    def restore(self, conn: Any = None) -> None:
        """Empty every table, put the rows back, and move each id sequence past them."""
        conn = conn or connection
        if isinstance(self.rows, str):
            call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
            conn.creation.deserialize_db_from_string(self.rows)
            return
        tables = _tables(conn)
        if tables != self.tables:
            raise RuntimeError("the tables changed since the snapshot was taken")
        models = apps.get_models(include_auto_created=True)
        with transaction.atomic(using=conn.alias):
            conn.ensure_connection()
            cursor = conn.connection.cursor()
            # The rows were consistent when taken: no foreign-key trigger needs to run again
            # (the test database's user is a superuser; the setting ends with the transaction).
            cursor.execute("SET LOCAL session_replication_role = replica")
            # DELETE, not TRUNCATE: on a hundred small tables it is several times faster.
            # Table names come from the database's own catalogue, quoted.
            quoted = [conn.ops.quote_name(table) for table in tables]
            cursor.execute("".join(f"DELETE FROM {table};" for table in quoted))  # noqa: S608
            for table, data in self.rows.items():
                if len(data) > BINARY_COPY_EMPTY:
                    name = conn.ops.quote_name(table)
                    with cursor.copy(f"COPY {name} FROM STDIN (FORMAT BINARY)") as copy:
                        copy.write(data)
            cursor.execute("".join(conn.ops.sequence_reset_sql(no_style(), models)))
