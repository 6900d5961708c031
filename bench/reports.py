"""Reports at region scale (a million reports over 100 labs) against their lower bounds.

Measured side by side, in alternating rounds of one run:
- ``reports_queue_first_page``: a lab operator's queue (``/backoffice/reports/``, default
  filters: the open reports, newest first) as a whole in-process request, against every SQL
  statement the page sends (the filters' choices, the count, the first page's rows, their
  labels) replayed raw, as the other page benchmarks measure; beside it, ``table_sql_ms`` and
  ``ratio_to_table_sql`` compare the page with its table's SQL alone (count, rows, labels);
  ``.selector`` is the table read through the scoped selectors and the paginator (ORM)
  against the table's SQL;
- ``open311_requests_list``: public ``GET /open311/v2/requests.json`` with service_code,
  start_date, end_date and status=open, against the selector's SQL replayed raw;
- ``open311_post_rate``: Open311 intake (``POST /open311/v2/requests.json`` with an API key,
  as production runs it: the request checked, category, key and building read in one
  statement, stored as one queue row, answered with a token) in requests per second, against
  a bare Django view behind the same middleware that inserts one row into a bench-only table.
  Both go through Django's test client in the same process. Then the worker's job makes the
  queued requests into reports (report, history, follower, outbox e-mail, task, audit): its
  rate is reported beside, and every request posted must have become exactly one report.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from bench.server import ServerClient
from quartiere.accounts.models import Lab, User
from quartiere.core.views import public
from quartiere.reports import seeds, selectors, services
from quartiere.reports.models import Category, Open311Intake, Report

# Reports the seed makes at each scale; the bench reseeds the reports when far from it.
EXPECTED_REPORTS = {"district": 3_600, "region": 1_000_000}
LAB_SLUG = "milo-lab-lorenteggio"
OPERATOR = "operatore.lorenteggio"
PAGE_SIZE = 25  # the queue's page size (core.views.paginate)
POSTS_PER_ROUND = 10
POST_CATEGORIES = ["lab001-cleaning", "bollate-cleaning"]  # region scale, district scale


def ensure(scale: str) -> None:
    """Seed the reports on top of the existing people data when their count is off."""
    expected = EXPECTED_REPORTS[scale]
    count = Report.objects.count()
    if abs(count - expected) <= expected * 0.05:
        return
    print(f"{count} reports in the database, {expected} expected: seeding the reports...")
    started = time.monotonic()
    tables = [m._meta.db_table for m in apps.get_app_config("reports").get_models()]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        seeds.seed_demo(size=scale, rng=random.Random(2026), ctx={})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"reports seeded in {time.monotonic() - started:.0f} s")


def _replay(statements: list[str]) -> Callable[[], None]:
    def run() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    return run


def _captured(fn: Callable[[], Any]) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [c["sql"] for c in ctx.captured_queries]


def _entry(value: float, baseline: float, unit: str, **extra: Any) -> dict[str, Any]:
    return {
        "value": round(value, 3),
        "unit": unit,
        "baseline": round(baseline, 3),
        "ratio": round(value / baseline, 2),
        **extra,
    }


def queue_first_page(*, runs: int, side_by_side: Any) -> dict[str, dict[str, Any]]:
    """A lab operator's queue, first page with the default filters."""
    user = User.objects.get(username=OPERATOR)
    lab = Lab.objects.get(slug=LAB_SLUG)
    from quartiere.reports.forms import DEFAULT_STATUSES

    def selector() -> Any:
        # What the page reads for its table: the count, the page's rows, then their labels.
        qs = selectors.report_list(
            user=user, lab_id=lab.pk, statuses=list(DEFAULT_STATUSES), sort="-submitted"
        )
        page = Paginator(selectors.report_queue_values(qs), PAGE_SIZE).get_page(1)
        rows = list(page.object_list)
        labels = selectors.report_queue_labels(report_ids=[r["id"] for r in rows])
        return page.paginator.count, rows, labels

    selector()  # the user's permissions and labs are cached after the first call
    statements = _captured(selector)
    baseline = _replay(statements)
    client = ServerClient()
    client.force_login(user)

    def server() -> None:
        response = client.get("/backoffice/reports/")
        assert response.status_code == 200, response.status_code

    server()
    page_statements = _captured(server)
    page_ms, all_sql_ms = side_by_side(server, _replay(page_statements), runs=runs)
    table_page_ms, table_ms = side_by_side(server, baseline, runs=runs)
    orm_ms, base2_ms = side_by_side(selector, baseline, runs=runs)
    common = {
        "open_reports_in_lab": selector()[0],
        "reports_in_db": Report.objects.count(),
        "sql_statements": len(statements),
    }
    return {
        # The page against every statement it sends (its table's and its filters' choices),
        # as the other page benchmarks measure; the table's SQL alone beside it.
        "": _entry(
            page_ms,
            all_sql_ms,
            "ms",
            **common,
            page_sql_statements=len(page_statements),
            table_sql_ms=round(table_ms, 3),
            ratio_to_table_sql=round(table_page_ms / table_ms, 2),
        ),
        "selector": _entry(orm_ms, base2_ms, "ms", **common),
    }


def open311_requests_list(*, runs: int, side_by_side: Any) -> dict[str, dict[str, Any]]:
    """Open311 GET requests.json for one service over two months, open requests only."""
    category = Category.objects.get(code="lorenteggio-heating")
    end = timezone.now().replace(microsecond=0)
    start = end - dt.timedelta(days=60)

    def selector() -> Any:
        rows = selectors.open311_request_list(
            service_codes=[category.code], start=start, end=end, is_open=True
        )
        return list(rows)

    statements = _captured(selector)
    baseline = _replay(statements)
    client = ServerClient()
    query = {
        "service_code": category.code,
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "status": "open",
    }

    def server() -> None:
        response = client.get("/open311/v2/requests.json", query)
        assert response.status_code == 200, response.status_code

    api_ms, base_ms = side_by_side(server, baseline, runs=runs)
    orm_ms, base2_ms = side_by_side(selector, baseline, runs=runs)
    common = {
        "service_code": category.code,
        "days": 60,
        "requests_returned": len(selector()),
        "reports_in_db": Report.objects.count(),
        "sql_statements": len(statements),
    }
    return {
        "": _entry(api_ms, base_ms, "ms", **common),
        "selector": _entry(orm_ms, base2_ms, "ms", **common),
    }


# --- The bare intake view: one row into a table of its own -----------------------------------

BARE_TABLE = "bench_bare_intake"


@public
@csrf_exempt
def bare_intake(request: HttpRequest) -> JsonResponse:
    """The lower bound of an intake: read the form, insert one row, answer in JSON."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {BARE_TABLE} (description, email) VALUES (%s, %s) RETURNING id",
            [request.POST.get("description", ""), request.POST.get("email", "")],
        )
        (row_id,) = cursor.fetchone()
    return JsonResponse([{"service_request_id": row_id}], safe=False)


urlpatterns = [
    path("bench/bare-intake/", bare_intake),
    path("", include("quartiere.urls")),
]


def open311_post_rate(*, runs: int, side_by_side: Any) -> dict[str, dict[str, Any]]:
    """Open311 POST intake rate against a bare view inserting one row (requests per second)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {BARE_TABLE} (id bigserial PRIMARY KEY, "
            "description text NOT NULL, email text NOT NULL, "
            "created_at timestamptz NOT NULL DEFAULT now())"
        )
    # Another lab than the queue's, so the reports posted here never reach the measured page.
    category = (
        Category.objects.select_related("lab")
        .filter(code__in=POST_CATEGORIES)
        .order_by("-code")
        .first()
    )
    assert category is not None, "seed the demo reports first"
    building = selectors.public_building_list(district_id=category.lab.district_id).first()
    _key, secret = services.open311_key_create(name=f"bench {timezone.now():%Y%m%d%H%M%S}")
    form = {
        "api_key": secret,
        "service_code": category.code,
        "description": "Le scale della scala B non vengono pulite da tre settimane.",
        "address_id": str(building.pk) if building else "",
        "address_string": "" if building else "Via Lorenteggio 181",
        "email": "bench.open311@example.org",
        "first_name": "Bench",
        "last_name": "Open311",
    }
    client = Client()
    counter = {"posted": 0}

    def server() -> None:
        for _ in range(POSTS_PER_ROUND):
            response = client.post("/open311/v2/requests.json", form)
            assert response.status_code == 200, response.content[:300]
        counter["posted"] += POSTS_PER_ROUND

    def baseline() -> None:
        for _ in range(POSTS_PER_ROUND):
            response = client.post("/bench/bare-intake/", form)
            assert response.status_code == 200, response.status_code

    services.open311_intakes_process()  # anything an earlier run left in the queue
    with override_settings(ROOT_URLCONF="bench.reports"):
        first = client.post("/open311/v2/requests.json", form).json()[0]
    assert "token" in first, first  # measured as production runs: the worker makes the report
    services.open311_intakes_process()
    before = Report.objects.count()
    with override_settings(ROOT_URLCONF="bench.reports"):
        post_ms, bare_ms = side_by_side(server, baseline, runs=runs)
    rate, bare_rate = POSTS_PER_ROUND * 1000 / post_ms, POSTS_PER_ROUND * 1000 / bare_ms
    # The worker's side: the queued requests become reports (one batch transaction per 100).
    queued = Open311Intake.objects.filter(processed_at__isnull=True).count()
    started = time.perf_counter()
    handled = services.open311_intakes_process()
    worker_s = time.perf_counter() - started
    made = Report.objects.count() - before
    assert handled == queued == counter["posted"] == made, (handled, queued, made)
    entry = _entry(
        rate,
        bare_rate,
        "req/s",
        method="in-process test client, sequential, same middleware",
        posts_per_round=POSTS_PER_ROUND,
        reports_created=counter["posted"],
        open311_ms_per_request=round(post_ms / POSTS_PER_ROUND, 3),
        answered_with="token (the worker makes the report)",
        worker_reports_made=made,
        worker_reports_per_s=round(made / worker_s, 1),
        bare_ms_per_request=round(bare_ms / POSTS_PER_ROUND, 3),
        reports_in_db=Report.objects.count(),
    )
    return {"": entry}


BENCHMARKS = {
    "reports_queue_first_page": queue_first_page,
    "open311_requests_list": open311_requests_list,
    "open311_post_rate": open311_post_rate,
}
