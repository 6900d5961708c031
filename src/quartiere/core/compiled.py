"""Reads compiled once per process, sent afresh with each request's values.

For the public pages whose few statements Django takes longer to compile into SQL than the
database takes to run: the queryset is built once with a *mark* (a value it cannot contain by
chance) where each value goes, compiled, and kept; each call then sends the same SQL with its
own values in those places, and applies the ORM's converters to the rows. The SQL sent is
exactly the ORM's; only its compilation is kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import QuerySet


class Statement(NamedTuple):
    sql: str
    params: tuple[Any, ...]  # the constants, with a mark where a value goes
    slots: tuple[tuple[int, str], ...]  # (position in params, name of the value)
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]  # as the ORM applies them


def _adapt(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def compile_query(qs: QuerySet[Any], marks: Mapping[str, Any]) -> Statement:
    """Compile ``qs``, built with ``marks`` (name -> mark value), and note where each goes."""
    compiler = qs.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    by_mark = {_adapt(mark): name for name, mark in marks.items()}
    slots = tuple(
        (i, by_mark[p])
        for i, p in enumerate(params)
        if _hashable(p) and not isinstance(p, bool) and p in by_mark
    )
    if {name for _i, name in slots} != set(marks):  # pragma: no cover - a bug
        raise RuntimeError(f"a value is not a parameter of {sql}")
    fields = [col[0] for col in compiler.select[0 : compiler.col_count]]
    converters = tuple(
        (pos, tuple(convs), expression)
        for pos, (convs, expression) in compiler.get_converters(fields).items()
    )
    return Statement(sql, tuple(params), slots, converters)


def run(statement: Statement, values: Mapping[str, Any], *, suffix: str = "") -> list[Any]:
    """The rows of ``statement`` with ``values`` in place of the marks (``suffix`` appended)."""
    params = list(statement.params)
    for i, name in statement.slots:
        params[i] = _adapt(values[name])
    with connection.cursor() as cursor:
        cursor.execute(statement.sql + suffix, params)
        rows = cursor.fetchall()
    if not statement.converters:
        return rows
    converted = []
    for row in rows:
        cells = list(row)
        for pos, convs, expression in statement.converters:
            for convert in convs:
                cells[pos] = convert(cells[pos], expression, connection)
        converted.append(tuple(cells))
    return converted
