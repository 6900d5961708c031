"""Reads compiled once per process, sent afresh with each request's values.

For the public pages whose few statements Django takes longer to compile into SQL than the
database takes to run: the queryset is built once with a *mark* (a value it cannot contain by
chance) where each value goes, compiled, and kept; each call then sends the same SQL with its
own values in those places, and applies the ORM's converters to the rows. The SQL sent is
exactly the ORM's; only its compilation is kept.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Hashable, Mapping
from typing import Any, NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Model, QuerySet
from django.db.models.sql import Query


class Statement(NamedTuple):
    sql: str
    params: tuple[Any, ...]  # the constants, with a mark where a value goes
    slots: tuple[tuple[int, str], ...]  # (position in params, name of the value)
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]  # as the ORM applies them
    # (position, name, the pattern around the mark, the mark): a text inside a LIKE pattern
    patterns: tuple[tuple[int, str, str, str], ...] = ()


def _adapt(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def compile_query(qs: QuerySet[Any], marks: Mapping[str, Any]) -> Statement:
    """Compile ``qs``, built with ``marks`` (name -> mark value), and note where each goes."""
    return _compile(qs.query, marks)


def compile_count(qs: QuerySet[Any], marks: Mapping[str, Any]) -> Statement:
    """Compile what ``qs.count()`` sends (``SELECT COUNT(*) AS "__count" FROM ... WHERE ...``),
    or, for a query the ORM would count through a subquery (distinct, sliced, grouped or
    combined), the count of its rows."""
    query = qs.query.chain()
    if query.distinct or query.is_sliced or query.combinator or query.group_by is not None:
        inner = _compile(qs.order_by().values_list("pk").query, marks)
        # The ORM's own SQL with its placeholders: no value is written into it.
        return inner._replace(sql=f"SELECT COUNT(*) FROM ({inner.sql}) AS counted", converters=())  # noqa: S608
    query.clear_ordering(force=True)
    query.clear_select_clause()
    query.add_annotation(Count("*"), "__count", select=True)
    return _compile(query, marks)._replace(converters=())


def _compile(query: Query, marks: Mapping[str, Any]) -> Statement:
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    by_mark = {_adapt(mark): name for name, mark in marks.items()}
    slots = tuple(
        (i, by_mark[p])
        for i, p in enumerate(params)
        if _hashable(p) and not isinstance(p, bool) and p in by_mark
    )
    # A text lookup by pattern (startswith, contains...) sends the text escaped inside a
    # pattern ("text%"): the mark is found inside the parameter.
    texts = {mark: name for name, mark in marks.items() if isinstance(mark, str)}
    patterns = tuple(
        (i, texts[mark], p, mark)
        for i, p in enumerate(params)
        if isinstance(p, str) and p not in by_mark
        for mark in _MARK_IN_TEXT.findall(p)
        if mark in texts
    )
    found = {name for _i, name in slots} | {name for _i, name, _p, _m in patterns}
    if found != set(marks):  # pragma: no cover - a bug
        raise RuntimeError(f"a value is not a parameter of {sql}")
    fields = [col[0] for col in compiler.select[0 : compiler.col_count]]
    converters = tuple(
        (pos, tuple(convs), expression)
        for pos, (convs, expression) in compiler.get_converters(fields).items()
    )
    return Statement(sql, tuple(params), slots, converters, patterns)


def run(statement: Statement, values: Mapping[str, Any], *, suffix: str = "") -> list[Any]:
    """The rows of ``statement`` with ``values`` in place of the marks (``suffix`` appended)."""
    params = list(statement.params)
    for i, name in statement.slots:
        params[i] = _adapt(values[name])
    for i, name, pattern, mark in statement.patterns:
        params[i] = pattern.replace(mark, connection.ops.prep_for_like_query(values[name]))
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


# --- Compiled once per shape, for selectors ---------------------------------------------------

_compiled: dict[Hashable, Statement | None] = {}
_INT_MARK = -900_000_000  # ids are positive: a negative id cannot be a value by chance
_DATETIME_MARK = dt.datetime(1901, 1, 1, tzinfo=dt.UTC)  # no report, session or edit is this old
_DATE_MARK = dt.date(1901, 1, 1)


def _text_mark(number: int) -> str:
    """A text no value holds by chance, which a LIKE pattern's escaping leaves as it is."""
    return f"\x00m{-number}\x00"


_MARK_IN_TEXT = re.compile("\x00m[0-9]+\x00")


def _marked(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict, tuple]:
    """What to build the queryset with (a mark for each id, list of ids and text), the marks
    and the values of each parameter slot, and the *shape*: what changes the SQL itself (how
    many ids a list holds, None, booleans)."""
    build: dict[str, Any] = {}
    marks: dict[str, Any] = {}
    slots: dict[str, Any] = {}
    shape: list[Any] = []
    following = _INT_MARK  # every mark of a call is a different number, however long the lists
    for name, value in sorted(values.items()):
        if isinstance(value, list | tuple | set | frozenset):
            items = sorted(set(value))
            if all(isinstance(i, str) for i in items):  # a list of codes, say
                build[name] = [_text_mark(following - i) for i in range(len(items))]
                following -= len(items)
                kind = "texts"
            elif all(isinstance(i, int) and not isinstance(i, bool) for i in items):
                build[name] = list(range(following, following - len(items), -1))
                following -= len(items)
                kind = "ids"
            else:
                raise TypeError(f"{name}: only lists of ids or of texts can be marked")
            for i, (mark, item) in enumerate(zip(build[name], items, strict=True)):
                marks[f"{name}.{i}"], slots[f"{name}.{i}"] = mark, item
            shape.append((name, kind, len(items)))
        elif isinstance(value, dt.datetime):
            if value.tzinfo is None:
                raise TypeError(f"{name}: only aware datetimes can be marked")
            # A second of 1 January 1901, different for every mark of the call.
            offset = dt.timedelta(seconds=_INT_MARK - following)
            build[name] = marks[name] = _DATETIME_MARK + offset
            following -= 1
            slots[name] = value
            shape.append((name, "datetime"))
        elif isinstance(value, dt.date):
            # A day of 1901, different for every mark of the call.
            build[name] = marks[name] = _DATE_MARK + dt.timedelta(days=_INT_MARK - following)
            following -= 1
            slots[name] = value
            shape.append((name, "date"))
        elif isinstance(value, int) and not isinstance(value, bool):
            build[name] = marks[name] = following
            following -= 1
            slots[name] = value
            shape.append((name, "id"))
        elif isinstance(value, str) and value:
            build[name] = marks[name] = _text_mark(following)
            following -= 1
            slots[name] = value
            shape.append((name, "text"))
        else:  # None, booleans, empty text: they change the SQL, not its parameters
            build[name] = value
            shape.append((name, value))
    return build, marks, slots, tuple(shape)


def rows(key: Hashable, build: Callable[..., QuerySet[Any]], **values: Any) -> list[Any]:
    """The rows of ``build(**values)`` (a ``values_list`` queryset), compiled once per ``key``,
    database and shape of the values, then sent with each call's values.

    ``values`` are ids, lists of ids or of texts, texts (also inside a pattern: startswith,
    contains...), aware datetimes, dates, or None/booleans (which change the SQL and are part
    of the shape). Constants that Django writes into the SQL itself (a slice's LIMIT) belong
    in ``key``. An empty list answers no rows, as the ORM does.
    """
    build_with, marks, slots, shape = _marked(values)
    statement = _kept((key, shape), compile_query, build, build_with, marks)
    if statement is None:
        return []
    return run(statement, slots)


def _kept(
    key: Hashable,
    compile_part: Callable[[QuerySet[Any], Mapping[str, Any]], Statement],
    build: Callable[..., QuerySet[Any]],
    build_with: Mapping[str, Any],
    marks: Mapping[str, Any],
) -> Statement | None:
    """The statement kept under ``key`` for this database, compiled on first use (None when
    the ORM would send nothing: an empty list of ids)."""
    cache_key = (connection.vendor, key)
    try:
        return _compiled[cache_key]
    except KeyError:
        pass
    try:
        statement: Statement | None = compile_part(build(**build_with), marks)
    except EmptyResultSet:
        statement = None
    _compiled[cache_key] = statement
    return statement


class PagedRows:
    """The rows of ``build(**values)`` (a ``values_list`` queryset) for a ``Paginator``:
    ``count()`` sends the ORM's COUNT and a slice the ORM's rows with its LIMIT and OFFSET, each
    compiled once per ``key``, database and shape of the values (as ``rows``)."""

    def __init__(self, key: Hashable, build: Callable[..., QuerySet[Any]], **values: Any) -> None:
        self._key = key
        self._build = build
        self._build_with, self._marks, self._slots, self._shape = _marked(values)

    def _statement(self, part: str) -> Statement | None:
        compile_part = compile_count if part == "count" else compile_query
        key = (self._key, part, self._shape)
        return _kept(key, compile_part, self._build, self._build_with, self._marks)

    def count(self) -> int:
        statement = self._statement("count")
        return int(run(statement, self._slots)[0][0]) if statement is not None else 0

    def __getitem__(self, window: slice) -> list[Any]:
        statement = self._statement("rows")
        if statement is None:
            return []
        start = int(window.start or 0)
        stop = int(window.stop) if window.stop is not None else None
        if stop is not None and stop <= start:
            return []
        suffix = connection.ops.limit_offset_sql(start, stop)
        return run(statement, self._slots, suffix=f" {suffix}" if suffix else "")


# --- One row written with a statement built once ---------------------------------------------

_inserts: dict[tuple[Any, ...], tuple[str, tuple[Any, ...]]] = {}


def insert(model: type[Model], **values: Any) -> None:
    """Insert one row of ``model`` with ``values`` (by field name or attname, every other
    column taking its database default or NULL) in one statement, built once per model and set
    of fields: what ``Model.objects.create`` sends, without building the instance and the
    insert query each time. Each value is prepared as the ORM prepares it (JSON, datetimes,
    foreign keys); the caller gives every value a default would have filled. Signals are not
    sent: use it only for rows no receiver watches (queue rows, say)."""
    names = tuple(sorted(values))
    cache_key = (connection.vendor, model, names)
    try:
        sql, fields = _inserts[cache_key]
    except KeyError:
        opts = model._meta
        fields = tuple(opts.get_field(name) for name in names)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        table = connection.ops.quote_name(opts.db_table)
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - model names
        _inserts[cache_key] = (sql, fields)
    params = [
        field.get_db_prep_save(values[name], connection)
        for name, field in zip(names, fields, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
