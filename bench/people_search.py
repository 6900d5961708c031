"""Resident search at region scale, against the bare SQL that is its lower bound.

For each case three numbers come from one run, measured in alternating rounds:
- ``baseline``: the SQL statements the search needs (count, first page of 25 rows with the
  current address), replayed raw through the same connection: the lower bound;
- ``selector``: the same search through Quartiere's scoped selector and paginator (ORM);
- ``page`` / ``api``: the whole request answered in-process (middleware, session, scoping,
  permissions, template or serializer), i.e. the time "at the server".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.server import ServerClient
from quartiere.accounts.models import Lab, User
from quartiere.people import selectors
from quartiere.people.models import Resident


def _search(user: User, q: str, lab_id: int | None, *, with_address: bool) -> Callable[[], Any]:
    # Same page sizes as the screens: 25 rows on the HTML page, 50 in the API.
    per_page = 25 if with_address else 50

    def run() -> Any:
        # As the page and the API do: the HTML page adds each row's current address.
        qs = selectors.resident_list(user=user, q=q, lab_id=lab_id, with_address=False)
        page = Paginator(qs, per_page).get_page(1)
        rows = selectors.resident_rows(page.object_list) if with_address else list(page.object_list)
        return page.paginator.count, rows

    return run


def _replay(statements: list[str]) -> Callable[[], None]:
    def run() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    return run


def _case(*, username: str, by: str, lab_scoped: bool, api: bool) -> dict[str, Any]:
    user = User.objects.get(username=username)
    lab = Lab.objects.filter(memberships__user=user).first() if lab_scoped else None
    pool = Resident.objects.filter(lab=lab) if lab else Resident.objects.all()
    sample = pool.order_by("id").values("last_name", "codice_fiscale")[777]
    q = sample["last_name"] if by == "name" else sample["codice_fiscale"][:11]
    search = _search(user, q, lab.pk if lab else None, with_address=not api)
    with CaptureQueriesContext(connection) as ctx:
        count, _rows = search()
    statements = [c["sql"] for c in ctx.captured_queries]
    return {
        "user": user,
        "q": q,
        "search": search,
        "baseline": _replay(statements),
        "matches": count,
        "statements": len(statements),
    }


def _make(*, path: str, by: str, username: str, lab_scoped: bool) -> Callable[..., Any]:
    def run(*, runs: int, side_by_side: Any) -> dict[str, dict[str, Any]]:
        case = _case(username=username, by=by, lab_scoped=lab_scoped, api=path.startswith("/api/"))
        client = ServerClient()
        client.force_login(case["user"])
        url = f"{path}?q={case['q']}"

        def server() -> None:
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        value, baseline = side_by_side(server, case["baseline"], runs=runs)
        orm, baseline2 = side_by_side(case["search"], case["baseline"], runs=runs)
        common = {
            "unit": "ms",
            "query": case["q"],
            "matches": case["matches"],
            "scope": "one lab" if lab_scoped else "all labs",
            "residents_in_db": Resident.objects.count(),
            "sql_statements": case["statements"],
        }
        kind = "api" if path.startswith("/api/") else "page"
        return {
            kind: {
                "value": round(value, 3),
                "baseline": round(baseline, 3),
                "ratio": round(value / baseline, 2),
                **common,
            },
            "selector": {
                "value": round(orm, 3),
                "baseline": round(baseline2, 3),
                "ratio": round(orm / baseline2, 2),
                **common,
            },
        }

    return run


BENCHMARKS = {
    "people.resident_search.name.lab": _make(
        path="/backoffice/residents/", by="name", username="coord.lorenteggio", lab_scoped=True
    ),
    "people.resident_search.codice_fiscale.lab": _make(
        path="/backoffice/residents/",
        by="codice_fiscale",
        username="coord.lorenteggio",
        lab_scoped=True,
    ),
    "people.resident_search.name.region_api": _make(
        path="/api/v1/people/residents/", by="name", username="admin", lab_scoped=False
    ),
    "people.resident_search.codice_fiscale.region_api": _make(
        path="/api/v1/people/residents/", by="codice_fiscale", username="admin", lab_scoped=False
    ),
}
