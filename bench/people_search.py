"""Resident search at region scale: the page and the API against the bare indexed SQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test import Client

from quartiere.accounts.models import Lab, User
from quartiere.people import selectors
from quartiere.people.models import Resident


def _user(role_user: str) -> User:
    return User.objects.get(username=role_user)


def _bare_sql(user: User, q: str, lab_id: int | None) -> Callable[[], Any]:
    """The lower bound: the count and the first page the answer needs, as plain SQL."""
    qs = selectors.resident_list(user=user, q=q, lab_id=lab_id)
    page_sql, page_params = (
        qs.prefetch_related(None)
        .select_related(None)
        .values_list(
            "id", "first_name", "last_name", "codice_fiscale", "birth_date", "household_id"
        )[:25]
        .query.sql_with_params()
    )
    count_sql, count_params = _count_query(qs)

    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(count_sql, count_params)
            cursor.fetchall()
            cursor.execute(page_sql, page_params)
            cursor.fetchall()

    return run


def _count_query(qs: Any) -> tuple[str, Any]:
    inner = qs.prefetch_related(None).select_related(None).order_by().values("pk")
    sql, params = inner.query.sql_with_params()
    return f"SELECT COUNT(*) FROM ({sql}) AS sub", params


def _sample_terms(lab: Lab | None) -> tuple[str, str]:
    qs = Resident.objects.all()
    if lab is not None:
        qs = qs.filter(lab=lab)
    sample = qs.order_by("id").values("last_name", "codice_fiscale")[1234 % max(1, qs.count())]
    return sample["last_name"], sample["codice_fiscale"]


def _bench(
    *, runs: int, side_by_side: Any, username: str, path: str, by: str, lab_scoped: bool
) -> dict[str, Any]:
    user = _user(username)
    lab = Lab.objects.filter(memberships__user=user).first() if lab_scoped else None
    surname, code = _sample_terms(lab)
    q = surname if by == "name" else code[:11]
    client = Client()
    client.force_login(user)
    url = f"{path}?q={q}"

    def server() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    value, baseline = side_by_side(server, _bare_sql(user, q, lab.pk if lab else None), runs=runs)
    return {
        "value": round(value, 3),
        "unit": "ms",
        "baseline": round(baseline, 3),
        "ratio": round(value / baseline, 3) if baseline else None,
        "query": q,
        "scope": "one lab" if lab_scoped else "all labs",
        "rows": Resident.objects.count(),
    }


def _make(path: str, by: str, username: str, lab_scoped: bool) -> Callable[..., Any]:
    def run(*, runs: int, side_by_side: Any) -> dict[str, Any]:
        return _bench(
            runs=runs,
            side_by_side=side_by_side,
            username=username,
            path=path,
            by=by,
            lab_scoped=lab_scoped,
        )

    return run


BENCHMARKS = {
    "people.resident_search.page.name.lab": _make(
        "/backoffice/residents/", "name", "coord.lorenteggio", True
    ),
    "people.resident_search.page.codice_fiscale.lab": _make(
        "/backoffice/residents/", "codice_fiscale", "coord.lorenteggio", True
    ),
    "people.resident_search.api.name.region": _make(
        "/api/v1/people/residents/", "name", "admin", False
    ),
    "people.resident_search.api.codice_fiscale.region": _make(
        "/api/v1/people/residents/", "codice_fiscale", "admin", False
    ),
}
