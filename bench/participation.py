"""A participatory process page with 1,000 proposals against the bare SQL behind it.

``participation_process_page``: the public process page (``/partecipazione/<slug>/``, first
page, sorted by supports) as a whole in-process request, against the statements that page
sends (process, phases, workshops and photos, proposal count, the page of proposals with their
support counts), replayed raw on the same connection. ``.selector`` is the page of proposals
through the selector and its paginator (ORM) against the same SQL. The number of statements
is asserted constant: the same for page 1 and for the last page, and at most
``MAX_QUERIES``.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.server import ServerClient
from quartiere.accounts.models import Lab, User
from quartiere.participation import selectors, services
from quartiere.participation.enums import (
    PhaseKind,
    ProcessStatus,
    ProposalChannel,
    ProposalStatus,
)
from quartiere.participation.models import Process, Proposal, Support
from quartiere.people.models import Resident

SLUG = "bench-1000-proposte"
LAB_SLUGS = ["milo-lab-lorenteggio", "qrlab-bollate"]
PROPOSALS = 1_000
MAX_SUPPORTS = 80  # per proposal: about 40,000 supports in all
PAGE_SIZE = 20  # the public page's page size (public_views.PAGE_SIZE)
MAX_QUERIES = 8


def _lab() -> Lab:
    lab = Lab.objects.filter(slug__in=LAB_SLUGS).order_by("slug").first()
    assert lab is not None, "seed the demo labs first"
    return lab


def ensure(scale: str) -> None:
    """Create the benchmark process with 1,000 published proposals and their supports, once."""
    if Process.objects.filter(slug=SLUG).exists():
        return
    started = time.monotonic()
    lab = _lab()
    actor = User.objects.filter(is_superuser=True).order_by("pk").first()
    rng = random.Random(2026)
    today = timezone.localdate()
    residents = list(
        Resident.objects.filter(lab__district_id=lab.district_id)
        .order_by("id")
        .values_list("id", flat=True)[:2000]
    )
    assert len(residents) >= MAX_SUPPORTS, "seed the demo residents first"
    with transaction.atomic():
        process = services.process_create(
            actor=actor,
            lab=lab,
            slug=SLUG,
            title_it="Processo di prova con mille proposte",
            title_en="Benchmark process with a thousand proposals",
            description_it="Processo creato per misurare la pagina pubblica di un processo.",
            support_threshold=40,
            status=ProcessStatus.PUBLISHED,
        )
        for kind, (a, b) in {
            PhaseKind.PROPOSALS: (-60, -15),
            PhaseKind.SUPPORTS: (-14, 30),
            PhaseKind.EVALUATION: (31, 60),
        }.items():
            services.phase_save(
                actor=actor,
                process=process,
                kind=kind,
                starts_on=today + dt.timedelta(days=a),
                ends_on=today + dt.timedelta(days=b),
            )
        now = timezone.now()
        proposals = Proposal.objects.bulk_create(
            [
                Proposal(
                    process=process,
                    title=f"Proposta numero {i + 1}",
                    description="Una proposta per il quartiere. " * rng.randint(2, 12),
                    status=ProposalStatus.PUBLISHED,
                    channel=ProposalChannel.ONLINE,
                    author_public=f"Abitante {chr(65 + i % 26)}.",
                    submitted_at=now - dt.timedelta(minutes=i * 37),
                    published_at=now - dt.timedelta(minutes=i * 37 - 5),
                )
                for i in range(PROPOSALS)
            ],
            batch_size=1000,
        )
        supports = [
            Support(proposal=p, resident_id=rid)
            for p in proposals
            for rid in rng.sample(residents, rng.randint(0, MAX_SUPPORTS))
        ]
        Support.objects.bulk_create(supports, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE participation_proposal")
        cursor.execute("ANALYZE participation_support")
    print(f"participation: {PROPOSALS} proposals seeded in {time.monotonic() - started:.0f} s")


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


def process_page(*, runs: int, side_by_side: Any) -> dict[str, dict[str, Any]]:
    """The public page of a process with 1,000 proposals, first page, sorted by supports."""
    process = Process.objects.get(slug=SLUG)
    url = f"/partecipazione/{SLUG}/"
    client = ServerClient()

    def server() -> None:
        response = client.get(url, {"sort": "supports"})
        assert response.status_code == 200, response.status_code

    def last_page() -> None:
        response = client.get(url, {"sort": "supports", "page": PROPOSALS // PAGE_SIZE})
        assert response.status_code == 200, response.status_code

    server()
    statements = _captured(server)
    last = _captured(last_page)
    assert len(statements) == len(last), (len(statements), len(last))
    assert len(statements) <= MAX_QUERIES, statements
    baseline = _replay(statements)

    def selector() -> Any:
        page = selectors.proposal_public_page(
            process=process, sort="supports", number=1, per_page=PAGE_SIZE
        )
        return page.paginator.count, list(page.object_list)

    selector_sql = _replay(_captured(selector))
    page_ms, base_ms = side_by_side(server, baseline, runs=runs)
    orm_ms, base2_ms = side_by_side(selector, selector_sql, runs=runs)
    common = {
        "proposals": Proposal.objects.filter(process=process).count(),
        "supports": Support.objects.filter(proposal__process=process).count(),
        "sql_statements": len(statements),
    }
    return {
        "": _entry(page_ms, base_ms, "ms", **common),
        "selector": _entry(orm_ms, base2_ms, "ms", **common),
    }


BENCHMARKS = {"participation_process_page": process_page}
