"""The public programme page and an action page, cached and uncached, against their lower bounds.

Measured side by side, in alternating rounds, through Django's WSGI handler in this process
(anonymous visitor, Italian, the whole middleware stack):
- ``programme_page_cached`` / ``action_page_cached``: the page served from the page cache,
  against a bare Django view that returns a static page of the same size through the same
  middleware (the issue's bound: at most 2x);
- ``programme_page_uncached`` / ``action_page_uncached``: the page rendered afresh (the cache
  version is bumped before each request, as an edit would do), against the SQL that the page
  sends, replayed raw on the same connection (the issue's bound: at most 2x). The number of
  queries is asserted equal to the constant the tests check.
"""

from __future__ import annotations

import random
import time
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import include, path

from bench.server import ServerClient
from quartiere.core.views import public

PROGRAMME_SLUG = "lorenteggio"
# The queries a page sends, whatever the programme's size (tests/portal check the same).
PROGRAMME_PAGE_QUERIES = 6
ACTION_PAGE_QUERIES = 13
LABS = {"lorenteggio": "milo-lab-lorenteggio", "bollate": "qrlab-bollate"}

_STATIC: dict[str, bytes] = {}


@public
def static_page(request: HttpRequest, name: str) -> HttpResponse:
    """The lower bound of a cached page: a static page of the same size, as it is."""
    return HttpResponse(_STATIC[name])


urlpatterns = [
    path("bench/static-page/<str:name>/", static_page),
    path("", include("quartiere.urls")),
]


def ensure(scale: str) -> None:
    """Seed the demo programmes (Lorenteggio and Bollate) when they are missing."""
    from quartiere.accounts.models import Lab, Organisation
    from quartiere.programme import seeds
    from quartiere.programme.models import Programme

    if Programme.objects.filter(slug=PROGRAMME_SLUG).exists():
        return
    print("no Lorenteggio programme in the database: seeding the programmes...")
    started = time.monotonic()
    labs = {key: Lab.objects.get(slug=slug) for key, slug in LABS.items()}
    orgs = {o.name: o for o in Organisation.objects.all()}
    seeds.seed_demo(size="district", rng=random.Random(2026), ctx={"labs": labs, "orgs": orgs})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"programmes seeded in {time.monotonic() - started:.0f} s")


def _entry(value: float, baseline: float, unit: str, **extra: Any) -> dict[str, Any]:
    return {
        "value": round(value, 3),
        "unit": unit,
        "baseline": round(baseline, 3),
        "ratio": round(value / baseline, 2),
        **extra,
    }


def _urls() -> dict[str, str]:
    from django.db.models import Count

    from quartiere.programme.models import Action

    # The richest published action: the most milestones, buildings and allocations.
    action = (
        Action.objects.filter(programme__slug=PROGRAMME_SLUG, is_published=True)
        .annotate(
            weight=Count("milestones", distinct=True)
            + Count("buildings", distinct=True)
            + Count("allocations", distinct=True)
        )
        .order_by("-weight", "pk")
        .first()
    )
    assert action is not None, "the Lorenteggio programme has no published action"
    return {
        "programme_page": f"/programma/{PROGRAMME_SLUG}/",
        "action_page": f"/programma/{PROGRAMME_SLUG}/azioni/{action.key}/",
    }


def _cached(name: str, *, runs: int, side_by_side: Any) -> dict[str, dict[str, Any]]:
    url = _urls()[name]
    client = ServerClient()
    first = client.get(url)
    assert first.status_code == 200, first.status_code
    warm = client.get(url)
    assert warm["X-Page-Cache"] == "hit", "the page did not come from the cache"
    _STATIC[name] = warm.content
    static_url = f"/bench/static-page/{name}/"

    def server() -> None:
        response = client.get(url)
        assert response.status_code == 200
        assert response["X-Page-Cache"] == "hit"

    def baseline() -> None:
        response = client.get(static_url)
        assert response.status_code == 200

    with override_settings(ROOT_URLCONF="bench.programme"):
        assert len(client.get(static_url).content) == len(warm.content)
        with CaptureQueriesContext(connection) as ctx:
            server()
        page_ms, base_ms = side_by_side(server, baseline, runs=runs)
    return {
        "": _entry(
            page_ms,
            base_ms,
            "ms",
            url=url,
            page_bytes=len(warm.content),
            queries_when_cached=len(ctx.captured_queries),
            method="WSGI handler in-process (bench.server), anonymous, same middleware; bound 2x",
        )
    }


def _uncached(name: str, expected_queries: int, *, runs: int, side_by_side: Any) -> dict:
    from quartiere.programme.public_views import cache_version_bump

    url = _urls()[name]
    client = ServerClient()

    def server() -> None:
        cache_version_bump()
        response = client.get(url)
        assert response.status_code == 200
        assert response["X-Page-Cache"] == "miss"

    server()
    with CaptureQueriesContext(connection) as ctx:
        server()
    statements = [c["sql"] for c in ctx.captured_queries]
    assert len(statements) == expected_queries, (
        f"{url} sent {len(statements)} queries, {expected_queries} expected"
    )

    def baseline() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    page_ms, sql_ms = side_by_side(server, baseline, runs=runs)
    return {
        "": _entry(
            page_ms,
            sql_ms,
            "ms",
            url=url,
            sql_statements=len(statements),
            method="page rendered afresh (cache version bumped) vs its SQL replayed; bound 2x",
        )
    }


def programme_page_cached(*, runs: int, side_by_side: Any) -> dict[str, dict[str, Any]]:
    """The Lorenteggio programme page from the page cache vs a static page of the same size."""
    return _cached("programme_page", runs=runs, side_by_side=side_by_side)


def action_page_cached(*, runs: int, side_by_side: Any) -> dict[str, dict[str, Any]]:
    """The richest Lorenteggio action page from the page cache vs a static page of that size."""
    return _cached("action_page", runs=runs, side_by_side=side_by_side)


def programme_page_uncached(*, runs: int, side_by_side: Any) -> dict[str, dict[str, Any]]:
    """The Lorenteggio programme page rendered afresh vs the SQL behind it."""
    return _uncached("programme_page", PROGRAMME_PAGE_QUERIES, runs=runs, side_by_side=side_by_side)


def action_page_uncached(*, runs: int, side_by_side: Any) -> dict[str, dict[str, Any]]:
    """The richest Lorenteggio action page rendered afresh vs the SQL behind it."""
    return _uncached("action_page", ACTION_PAGE_QUERIES, runs=runs, side_by_side=side_by_side)


BENCHMARKS = {
    "programme_page_cached": programme_page_cached,
    "action_page_cached": action_page_cached,
    "programme_page_uncached": programme_page_uncached,
    "action_page_uncached": action_page_uncached,
}
