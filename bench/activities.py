"""The public activity calendar at region scale (100 labs, a year of activities each) against
the bare SQL behind it.

Measured side by side, in alternating rounds of one run, as anonymous in-process requests:
- ``activities_calendar_list``: ``/attivita/`` (the first page of the sessions to come, all
  labs) and, as ``.filtered``, the same filtered by lab, kind and audience;
- ``activities_calendar_month``: ``/attivita/mese/<this month>/`` for every lab (each day
  capped, with the count of the rest) and, as ``.filtered``, for one lab and one kind.
The baseline replays, raw, every SQL statement the request sent. Each benchmark asserts that
its variants send the same number of statements (a constant number of queries).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.server import ServerClient
from quartiere.accounts.models import Lab
from quartiere.activities import seeds
from quartiere.activities.models import Activity, ActivitySession
from quartiere.people.models import Resident

LAB_SLUG = "milo-lab-lorenteggio"


def ensure(scale: str) -> None:
    """Give every lab without activities a year of the demo programme (bulk, once)."""
    missing = list(Lab.objects.exclude(activities__isnull=False).order_by("pk"))
    if not missing:
        return
    print(f"{len(missing)} labs without activities: adding a year of activities...")
    started = time.monotonic()
    rng = random.Random(2026)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        for lab in missing:
            residents = list(
                Resident.objects.filter(lab=lab).order_by("id").values_list("id", flat=True)[:800]
            )
            seeds.bulk_year_for_lab(lab=lab, residents=residents, rng=rng, now=now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"activities added in {time.monotonic() - started:.0f} s "
        f"({Activity.objects.count()} activities, {ActivitySession.objects.count()} sessions)"
    )


def _captured(fn: Callable[[], Any]) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [c["sql"] for c in ctx.captured_queries]


def _replay(statements: list[str]) -> Callable[[], None]:
    def run() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    return run


def _measure(url: str, *, runs: int, side_by_side: Any, **extra: Any) -> tuple[dict[str, Any], int]:
    client = ServerClient()

    def server() -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    server()
    statements = _captured(server)
    page_ms, sql_ms = side_by_side(server, _replay(statements), runs=runs)
    entry = {
        "value": round(page_ms, 3),
        "unit": "ms",
        "baseline": round(sql_ms, 3),
        "ratio": round(page_ms / sql_ms, 2),
        "url": url,
        "sql_statements": len(statements),
        **extra,
    }
    return entry, len(statements)


def calendar_list(*, runs: int, side_by_side: Any) -> dict[str, dict[str, Any]]:
    """The public list of sessions to come, unfiltered and filtered."""
    lab = Lab.objects.get(slug=LAB_SLUG)
    sessions = ActivitySession.objects.count()
    plain, n_plain = _measure(
        "/attivita/", runs=runs, side_by_side=side_by_side, sessions_in_db=sessions
    )
    filtered, n_filtered = _measure(
        f"/attivita/?lab={lab.slug}&kind=educational&audience=women",
        runs=runs,
        side_by_side=side_by_side,
        sessions_in_db=sessions,
    )
    _second, n_second = _measure(
        "/attivita/?page=2", runs=1, side_by_side=side_by_side, sessions_in_db=sessions
    )
    assert n_plain == n_filtered == n_second, (n_plain, n_filtered, n_second)
    return {"": plain, "filtered": filtered}


def calendar_month(*, runs: int, side_by_side: Any) -> dict[str, dict[str, Any]]:
    """The public month grid (with its list alternative), every lab and one lab."""
    lab = Lab.objects.get(slug=LAB_SLUG)
    today = timezone.localdate()
    base = f"/attivita/mese/{today.year}/{today.month}/"
    sessions = ActivitySession.objects.count()
    plain, n_plain = _measure(base, runs=runs, side_by_side=side_by_side, sessions_in_db=sessions)
    filtered, n_filtered = _measure(
        f"{base}?lab={lab.slug}&kind=educational",
        runs=runs,
        side_by_side=side_by_side,
        sessions_in_db=sessions,
    )
    assert n_plain == n_filtered, (n_plain, n_filtered)
    return {"": plain, "filtered": filtered}


BENCHMARKS = {
    "activities_calendar_list": calendar_list,
    "activities_calendar_month": calendar_month,
}
