"""Monthly allowance batch at scale: 10,000 participants, 1,000,000 attendance rows.

``payment_batch_build_10k`` builds (computes and freezes) the December batch of a measure
with 10,000 participants and 1,000,000 attendance rows over the year (per-person cap set to
EUR 5,000 so that nobody has exhausted it by December: every participant is still due
something, the heaviest case), eleven earlier months already frozen and about 1% of their
records corrected afterwards (so the build also writes adjustments). Each run builds the batch
from its draft inside a transaction that is rolled back, so every run does the whole work:
the aggregation, the allowance of every participant through ``training.allowance``, the
frozen lines and the IBAN snapshot.

The build reads that aggregation folded into arrays per enrolment, with what earlier batches
froze and the account, in one server-side query, and computes one allowance per person.
Its lower bound, side by side in the same rounds, is the single SQL aggregation of validated
hours that the build needs (per participant and month, up to the batch's month: the person
cap and the corrections of earlier months depend on every month), replayed raw and fetched.
``month_only_aggregation_ms`` gives the one-month aggregation's time too, for reference.

``payment_batch_build_memory`` reports the Python heap peak (tracemalloc) of one build at
2,500, 5,000 and 10,000 participants: flat means the build streams instead of loading.
"""

from __future__ import annotations

import datetime as dt
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from quartiere.accounts.models import Lab, Organisation, User
from quartiere.people.models import Resident
from quartiere.training.models import (
    AccreditedOperator,
    AllowanceRule,
    EligibilityCheck,
    Enrolment,
    Measure,
    PaymentAccount,
    PaymentBatch,
    TrainingPath,
)
from quartiere.training.payments_enums import PaymentBatchState
from quartiere.training.services import payments as svc

YEAR = 2025
SIZES = {"bench-10000": 10_000, "bench-5000": 5_000, "bench-2500": 2_500}
SESSIONS_PER_PATH = 100  # 100 sessions x 10,000 participants = 1,000,000 rows
PARTICIPANTS_PER_PATH = 100
BENCH_USER = "bench.training"
IBAN = "IT60X0542811101000000123456"
DEBTOR_IBAN = "IT40S0542811101000000123456"


def _measure_name(key: str) -> str:
    return f"BENCH allowance {key}"


def _lab() -> Lab:
    lab = Lab.objects.order_by("id").first()
    if lab is None:
        raise RuntimeError("The bench database has no lab: run the demo seed first.")
    return lab


def _user() -> User:
    user, _created = User.objects.get_or_create(
        username=BENCH_USER, defaults={"first_name": "Bench", "last_name": "Training"}
    )
    return user


def ensure(scale: str) -> None:
    """Create the three bench measures with their participants and attendance, once."""
    lab = _lab()
    for key, size in SIZES.items():
        if Measure.objects.filter(name=_measure_name(key)).exists():
            continue
        started = time.monotonic()
        with transaction.atomic():
            measure = _load(lab, key, size)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE training_attendancerecord")
            cursor.execute("ANALYZE training_paymentline")
            cursor.execute("ANALYZE training_enrolment")
        _freeze_history(measure)
        print(f"training bench: {key} loaded in {time.monotonic() - started:.0f} s")


def _load(lab: Lab, key: str, size: int) -> Measure:
    measure = Measure.objects.create(lab=lab, name=_measure_name(key), allowance_budget=10**8)
    AllowanceRule.objects.create(
        measure=measure,
        valid_from=dt.date(YEAR, 1, 1),
        hourly_rate=Decimal("5.00"),
        month_cap=Decimal("400.00"),
        # The per-person cap is configurable; set high so that every participant is still due
        # something in December (the heaviest batch), not stopped by the cap months earlier.
        person_cap=Decimal("5000.00"),
        min_attendance_ratio=Decimal("0.750"),
    )
    PaymentAccount.objects.create(
        measure=measure, debtor_name="Bench debtor", iban=DEBTOR_IBAN, bic="BPMOIT22XXX"
    )
    organisation, _created = Organisation.objects.get_or_create(
        name="BENCH accredited operator", defaults={"kind": "accredited_operator"}
    )
    operator, _created = AccreditedOperator.objects.get_or_create(
        organisation=organisation, lab=lab
    )
    paths = TrainingPath.objects.bulk_create(
        TrainingPath(
            measure=measure,
            lab=lab,
            operator=operator,
            title=f"{key} path {n}",
            hours=Decimal(SESSIONS_PER_PATH * 6),
            places=PARTICIPANTS_PER_PATH,
            starts_on=dt.date(YEAR, 1, 1),
            ends_on=dt.date(YEAR, 12, 31),
            status="running",
        )
        for n in range(size // PARTICIPANTS_PER_PATH)
    )
    residents = Resident.objects.bulk_create(
        Resident(
            lab=lab,
            first_name=f"Bench{n}",
            last_name=key,
            is_synthetic=True,
            name_key=f"{key} BENCH{n}".upper(),
            name_key_reversed=f"BENCH{n} {key}".upper(),
        )
        for n in range(size)
    )
    checks = EligibilityCheck.objects.bulk_create(
        EligibilityCheck(
            measure=measure, resident=r, lab=lab, checked_on=dt.date(YEAR, 1, 1), passed=True
        )
        for r in residents
    )
    Enrolment.objects.bulk_create(
        (
            Enrolment(
                path=paths[n // PARTICIPANTS_PER_PATH],
                resident=residents[n],
                lab=lab,
                measure=measure,
                eligibility=checks[n],
                status="started",
                enrolled_on=dt.date(YEAR, 1, 1),
                planned_hours=Decimal(SESSIONS_PER_PATH * 6),
                objectives="bench",
                iban=IBAN,
                iban_masked="IT60…3456",
                account_holder=f"Bench{n} {key}",
            )
            for n in range(size)
        ),
        batch_size=2000,
    )
    path_ids = [p.pk for p in paths]
    with connection.cursor() as cursor:
        # Sessions spread over the year; 3 to 12 hours long depending on the path, so some
        # participants hit the monthly cap and the person cap and some stay under 75%.
        cursor.execute(
            """
            INSERT INTO training_trainingsession
                (path_id, starts_at, ends_at, hours, location, created_at, updated_at)
            SELECT p.id,
                   %s::timestamptz + (k * interval '87 hours'),
                   %s::timestamptz + (k * interval '87 hours')
                       + ((3 * (1 + p.id %% 4)) * interval '1 hour'),
                   3 * (1 + p.id %% 4), '', now(), now()
            FROM training_trainingpath p, generate_series(0, %s - 1) AS k
            WHERE p.id = ANY(%s)
            """,
            [f"{YEAR}-01-02 09:00+01", f"{YEAR}-01-02 09:00+01", SESSIONS_PER_PATH, path_ids],
        )
        cursor.execute(
            """
            INSERT INTO training_attendanceregister
                (session_id, lab_id, status, validated_at, created_at, updated_at)
            SELECT s.id, %s, 'validated', s.ends_at, now(), now()
            FROM training_trainingsession s WHERE s.path_id = ANY(%s)
            """,
            [lab.pk, path_ids],
        )
        cursor.execute(
            """
            INSERT INTO training_attendancerecord
                (register_id, enrolment_id, hours_present, late_minutes, early_leave_minutes,
                 justified_absence, effective_hours, scheduled_hours, lab_id, month,
                 is_validated, created_at, updated_at)
            SELECT r.id, e.id, h.hours, 0, 0, h.justified, h.hours, s.hours, %s,
                   date_trunc('month', s.starts_at AT TIME ZONE 'Europe/Rome')::date,
                   true, now(), now()
            FROM training_enrolment e
            JOIN training_trainingsession s ON s.path_id = e.path_id
            JOIN training_attendanceregister r ON r.session_id = s.id
            CROSS JOIN LATERAL (
                SELECT CASE WHEN (e.id * 7 + s.id * 13) %% 10 < (6 + e.id %% 4)
                            THEN s.hours ELSE 0 END AS hours,
                       (e.id + s.id) %% 29 = 0 AS justified
            ) h
            WHERE e.measure_id = %s
            """,
            [lab.pk, measure.pk],
        )
    return measure


def _freeze_history(measure: Measure) -> None:
    """Freeze January to November, then correct about 1% of those months' records."""
    user = _user()
    for month in range(1, 12):
        batch = svc.payment_batch_create(
            measure=measure, month=dt.date(YEAR, month, 1), actor=user, today=dt.date(YEAR, 12, 1)
        )
        svc.payment_batch_build(batch=batch, actor=user)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE training_attendancerecord a
            SET effective_hours = a.scheduled_hours
            FROM training_enrolment e
            WHERE e.id = a.enrolment_id AND e.measure_id = %s
              AND a.month < %s AND a.effective_hours = 0 AND (a.id %% 100) = 0
            """,
            [measure.pk, dt.date(YEAR, 12, 1)],
        )
    PaymentBatch.objects.get_or_create(
        lab_id=measure.lab_id,
        measure=measure,
        month=dt.date(YEAR, 12, 1),
        state=PaymentBatchState.DRAFT,
        defaults={"created_by": user},
    )


def _draft(key: str) -> PaymentBatch:
    return PaymentBatch.objects.get(
        measure__name=_measure_name(key), month=dt.date(YEAR, 12, 1), state=PaymentBatchState.DRAFT
    )


def _build_rolled_back(batch: PaymentBatch, user: User) -> Callable[[], int]:
    def run() -> int:
        with transaction.atomic():
            built = svc.payment_batch_build(batch=batch, actor=user)
            transaction.set_rollback(True)
        return built.line_count

    return run


def _aggregation(batch: PaymentBatch, *, month_only: bool = False) -> Callable[[], int]:
    if month_only:
        qs = svc.monthly_validated_hours(
            lab_id=batch.lab_id, measure_id=batch.measure_id, up_to=batch.month
        ).filter(month=batch.month)
    else:
        qs = svc.monthly_validated_hours(
            lab_id=batch.lab_id, measure_id=batch.measure_id, up_to=batch.month
        )
    sql, params = qs.query.sql_with_params()

    def run() -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return len(cursor.fetchall())

    return run


def _entry(value: float, baseline: float, unit: str = "ms", **extra: Any) -> dict[str, Any]:
    return {
        "value": round(value, 2),
        "unit": unit,
        "baseline": round(baseline, 2),
        "ratio": round(value / baseline, 2) if baseline else 0.0,
        **extra,
    }


def bench_build(*, runs: int, side_by_side: Callable[..., tuple[float, float]]) -> dict[str, Any]:
    user = _user()
    batch = _draft("bench-10000")
    build = _build_rolled_back(batch, user)
    lines = build()
    runs = max(3, min(runs, 10))  # one build is seconds long; ten rounds are plenty
    server, baseline = side_by_side(build, _aggregation(batch), runs=runs)
    month_only = _aggregation(batch, month_only=True)
    month_samples = []
    for _ in range(runs):
        started = time.perf_counter()
        month_only()
        month_samples.append((time.perf_counter() - started) * 1000)
    return {
        "": _entry(
            server,
            baseline,
            lines=lines,
            participants=SIZES["bench-10000"],
            month_only_aggregation_ms=round(sorted(month_samples)[len(month_samples) // 2], 2),
        ),
    }


def bench_memory(*, runs: int, side_by_side: Callable[..., tuple[float, float]]) -> dict[str, Any]:
    user = _user()
    peaks: dict[str, float] = {}
    for key in ("bench-2500", "bench-5000", "bench-10000"):
        build = _build_rolled_back(_draft(key), user)
        build()
        tracemalloc.start()
        build()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peaks[key] = peak / 1024 / 1024
    small, large = peaks["bench-2500"], peaks["bench-10000"]
    return {
        "": _entry(
            large,
            small,
            unit="MiB",
            peak_mib={k: round(v, 2) for k, v in peaks.items()},
            note="tracemalloc peak of one build; baseline = the 2,500-participant build",
        )
    }


BENCHMARKS = {
    "payment_batch_build_10k": bench_build,
    "payment_batch_build_memory": bench_memory,
}
