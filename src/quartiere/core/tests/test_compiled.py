"""core.compiled.rows: a selector's read compiled once per shape, sent with each call's values."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quartiere.accounts.models import Lab
from quartiere.accounts.tests.factories import LabFactory
from quartiere.core import compiled

pytestmark = pytest.mark.django_db


def _labs(*, ids=None, district_id=None, name=""):
    qs = Lab.objects.all()
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    if district_id is not None:
        qs = qs.filter(district_id=district_id)
    if name:
        qs = qs.filter(name=name)
    return qs.order_by("name").values_list("pk", "name")


@pytest.fixture
def labs():
    return [LabFactory(name=f"Lab {c}") for c in "ABC"]


def test_rows_answers_as_the_orm_when_ids_lists_text_or_none_change(labs) -> None:
    a, b, c = labs
    cases = [
        {"ids": [a.pk, c.pk]},
        {"ids": [b.pk]},
        {"ids": [c.pk, b.pk, a.pk], "district_id": b.district_id},
        {"ids": None, "name": "Lab B"},
        {"ids": None, "name": ""},
        {"district_id": a.district_id},
    ]
    for values in cases:
        assert compiled.rows("test.labs", _labs, **values) == list(_labs(**values)), values


def test_rows_compiles_once_per_shape_and_sends_one_statement(labs, monkeypatch) -> None:
    a, b, _c = labs
    built = []

    def build(**values):
        built.append(values)
        return _labs(**values)

    monkeypatch.setattr(compiled, "_compiled", {})
    compiled.rows("test.once", build, ids=[a.pk])
    with CaptureQueriesContext(connection) as ctx:
        second = compiled.rows("test.once", build, ids=[b.pk])
    compiled.rows("test.once", build, ids=[a.pk, b.pk])  # two ids: another shape

    assert second == [(b.pk, "Lab B")]
    assert len(ctx.captured_queries) == 1
    assert len(built) == 2
    assert all(v < 0 for call in built for v in call["ids"])  # built with marks, not values


def test_rows_answers_nothing_without_a_query_when_list_of_ids_is_empty(labs) -> None:
    with CaptureQueriesContext(connection) as ctx:
        assert compiled.rows("test.empty", _labs, ids=[]) == []
        assert compiled.rows("test.empty", _labs, ids=[]) == []

    assert len(ctx.captured_queries) == 0


def test_rows_refuses_a_list_of_mixed_values_and_a_naive_datetime() -> None:
    import datetime as dt

    with pytest.raises(TypeError):
        compiled.rows("test.bad", _labs, ids=[1, "Lab A"])
    with pytest.raises(TypeError):
        compiled.rows("test.bad", _slugs_since, since=dt.datetime(2026, 1, 1))  # noqa: DTZ001


def _slugs_since(*, slugs=None, since=None, until=None):
    qs = Lab.objects.all()
    if slugs is not None:
        qs = qs.filter(slug__in=slugs)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return qs.order_by("slug").values_list("slug", "created_at")


def test_rows_answers_as_the_orm_with_lists_of_texts_and_datetimes(labs) -> None:
    import datetime as dt

    a, b, c = labs
    middle = b.created_at
    cases = [
        {"slugs": [a.slug, c.slug]},
        {"slugs": [c.slug], "since": middle - dt.timedelta(days=1)},
        {"slugs": None, "since": middle, "until": middle + dt.timedelta(microseconds=1)},
        {"since": middle + dt.timedelta(days=1)},
        {"slugs": [a.slug, b.slug, c.slug], "until": middle + dt.timedelta(days=1)},
    ]
    for values in cases:
        rows = compiled.rows("test.slugs", _slugs_since, **values)
        assert rows == list(_slugs_since(**values)), values


def test_rows_keeps_every_value_in_its_place_when_lists_are_long(labs) -> None:
    a, b, c = labs
    # Two lists of over a thousand ids each, with the real ones among made-up ones.
    ids = [a.pk, b.pk, *range(10_000_000, 10_001_500)]
    districts = [b.district_id, c.district_id, *range(20_000_000, 20_001_500)]

    def build(*, ids, districts):
        return Lab.objects.filter(pk__in=ids, district_id__in=districts).values_list("pk")

    got = compiled.rows("test.long", build, ids=ids, districts=districts)

    assert got == [(b.pk,)]


@pytest.mark.django_db
def test_insert_writes_the_row_the_orm_would_in_one_statement(operator) -> None:
    import datetime as dt

    from django.utils import timezone

    from quartiere.core.models import AuditEvent

    at = timezone.now().replace(microsecond=0) - dt.timedelta(days=1)
    changes = {"città": "Milano", "ids": [1, 2], "none": None}
    with CaptureQueriesContext(connection) as ctx:
        for n in range(2):  # the statement is built once and sent each time
            compiled.insert(
                AuditEvent,
                at=at,
                actor_id=operator.pk,
                action=f"test.insert{n}",
                target_type="test",
                target_id="",
                target_label="",
                changes=changes,
            )

    assert len(ctx.captured_queries) == 2
    assert ctx.captured_queries[0]["sql"].startswith("INSERT INTO")
    event = AuditEvent.objects.get(action="test.insert1")
    assert event.at == at
    assert event.actor == operator
    assert event.changes == changes
    assert event.lab_id is None  # a column not given takes NULL


def _labs_starting(*, ids=None, starts_after=None, ends_before=None):
    qs = Lab.objects.all()
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    if starts_after is not None:
        qs = qs.filter(starts_on__gt=starts_after)
    if ends_before is not None:
        qs = qs.filter(ends_on__lt=ends_before)
    return qs.order_by("name", "pk").values_list("pk", "name", "starts_on")


def test_rows_answers_as_the_orm_with_dates(labs) -> None:
    import datetime as dt

    a, b, c = labs
    Lab.objects.filter(pk=a.pk).update(starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2025, 12, 31))
    Lab.objects.filter(pk=b.pk).update(starts_on=dt.date(2025, 6, 1), ends_on=dt.date(2027, 5, 31))
    Lab.objects.filter(pk=c.pk).update(starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2027, 12, 31))
    cases = [
        {"starts_after": dt.date(2025, 1, 1)},
        {"starts_after": dt.date(2025, 1, 1), "ends_before": dt.date(2027, 6, 30)},
        {"ids": [a.pk, c.pk], "ends_before": dt.date(2028, 1, 1)},
        {"starts_after": dt.date(2030, 1, 1)},
    ]
    for values in cases:
        rows = compiled.rows("test.dates", _labs_starting, **values)
        assert rows == list(_labs_starting(**values)), values
    assert [r[0] for r in compiled.rows("test.dates", _labs_starting, **cases[1])] == [b.pk]


def test_paged_rows_count_and_pages_as_the_orm(labs) -> None:
    from django.core.paginator import Paginator

    more = [LabFactory(name=f"Lab {c}") for c in "DEFGH"]
    ids = [lab.pk for lab in [*labs, *more]]
    for values in ({"ids": ids}, {"ids": ids[:4]}, {"ids": None, "name": "Lab E"}):
        paged = compiled.PagedRows("test.paged", _labs, **values)
        with CaptureQueriesContext(connection) as ctx:
            count = paged.count()
        assert count == _labs(**values).count(), values
        # The count is the ORM's own statement (``qs.count()``), values in their places.
        with CaptureQueriesContext(connection) as orm:
            _labs(**values).count()
        assert ctx.captured_queries[0]["sql"] == orm.captured_queries[0]["sql"]
        for number in (1, 2, 3):
            ours = Paginator(paged, 3).get_page(number)
            theirs = Paginator(_labs(**values), 3).get_page(number)
            assert list(ours.object_list) == list(theirs.object_list), (values, number)
            assert ours.paginator.num_pages == theirs.paginator.num_pages
    assert compiled.PagedRows("test.paged", _labs, ids=ids)[2:2] == []
    assert compiled.PagedRows("test.paged", _labs, ids=ids)[6:] == list(_labs(ids=ids)[6:])


def test_paged_rows_of_an_empty_list_answer_nothing_without_a_query(labs) -> None:
    paged = compiled.PagedRows("test.paged_empty", _labs, ids=[])
    with CaptureQueriesContext(connection) as ctx:
        assert paged.count() == 0
        assert paged[0:10] == []
    assert ctx.captured_queries == []


def test_paged_rows_of_a_distinct_query_count_through_a_subquery(labs) -> None:
    def build(*, ids):
        return Lab.objects.filter(pk__in=ids).distinct().order_by("name").values_list("name")

    ids = [lab.pk for lab in labs]
    paged = compiled.PagedRows("test.paged_distinct", build, ids=ids)
    assert paged.count() == build(ids=ids).count() == 3
    assert paged[0:2] == list(build(ids=ids)[0:2])


def _labs_like(*, prefix=None, part=None, slugs=None):
    qs = Lab.objects.all()
    if prefix is not None:
        qs = qs.filter(name__startswith=prefix)
    if part is not None:
        qs = qs.filter(name__icontains=part)
    if slugs is not None:
        qs = qs.filter(slug__in=slugs)
    return qs.order_by("name", "pk").values_list("pk", "name")


def test_rows_answer_as_the_orm_with_texts_inside_patterns() -> None:
    for name in (
        "Lab 100% Giambellino",
        "Lab_Odazio",
        "Lab\\Segneri",
        "Lab Lorenteggio",
        "Laboratorio",
    ):
        LabFactory(name=name)
    cases = [
        {"prefix": "Lab "},
        {"prefix": "Lab 100%"},
        {"prefix": "Lab_"},  # "_" is a wildcard unless escaped
        {"part": "ODAZIO"},
        {"part": "\\"},
        {"prefix": "Lab", "part": "%"},
        {"prefix": "Lab", "slugs": ["none", "other"]},
    ]
    for values in cases:
        rows = compiled.rows("test.like", _labs_like, **values)
        assert rows == list(_labs_like(**values)), values
    assert [n for _pk, n in compiled.rows("test.like", _labs_like, prefix="Lab_")] == ["Lab_Odazio"]
