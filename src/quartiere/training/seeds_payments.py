"""Demo payment batches (called at the end of training/seeds.py).

From the seeded attendance, each measure gets one batch per month that has validated hours,
taken through the real services: the oldest months paid, then one partly failed (a closed
account), one exported (its SEPA file can be downloaded, with the failed payment carried over),
one approved whose SEPA file the demo user can export, one frozen waiting for a second person's
approval (after a first build of that month was cancelled), and the current month as a draft.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Max

from quartiere.training.models import AttendanceRecord, Measure, PaymentAccount
from quartiere.training.payments_enums import PaymentBatchState, PaymentLineKind
from quartiere.training.services import payments as services


def _users() -> tuple[Any, Any, Any]:
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=["coord.lorenteggio", "coord.bollate", "regione"]
        )
    }
    return users.get("coord.lorenteggio"), users.get("coord.bollate"), users.get("regione")


def _account(measure: Measure, rng: random.Random) -> None:
    from quartiere.training.seeds import italian_iban

    if PaymentAccount.objects.filter(measure=measure).exists():
        return
    lead = measure.lab.lead_organisation
    services.payment_account_set(
        measure=measure,
        actor=None,
        debtor_name=(lead.name if lead else measure.lab.name)[:70],
        iban=italian_iban("05034", f"{rng.randint(1000, 9999)}", f"{rng.randint(1, 10**9)}"),
        bic="BAPPIT21XXX",
    )


def _months(measure: Measure, today: dt.date) -> list[dt.date]:
    months = (
        AttendanceRecord.objects.filter(
            lab_id=measure.lab_id, enrolment__measure=measure, is_validated=True
        )
        .order_by("month")
        .values_list("month", flat=True)
        .distinct()
    )
    return [m for m in months if m <= today.replace(day=1)]


def seed_demo_payments(*, size: str, rng: random.Random, ctx: dict[str, Any]) -> None:
    """Build the demo batches in every state from the seeded attendance."""
    coord_lorenteggio, coord_bollate, region = _users()
    latest = AttendanceRecord.objects.aggregate(last=Max("month"))["last"]
    if latest is None:
        return
    today = max(latest, dt.date.today())  # noqa: DTZ011 - demo data around the seed day
    for measure in Measure.objects.select_related("lab__lead_organisation"):
        builder = coord_bollate if measure.lab.slug == "bollate" else coord_lorenteggio
        if builder is None or region is None:
            continue
        _account(measure, rng)
        months = _months(measure, today)
        if not months:
            continue
        _seed_measure(measure, months, builder=builder, approver=region)


def _seed_measure(measure: Measure, months: list[dt.date], *, builder: Any, approver: Any) -> None:
    """Oldest months paid; then, as far as the months go: one partly failed, one exported
    (carrying the failed payment over), one approved awaiting export, one frozen awaiting
    approval (its first build cancelled), the latest a draft."""
    plan = ["partly_failed", "exported", "approved", "frozen", "draft"]
    if len(months) < len(plan):
        plan = ["exported", "frozen", "draft"][: len(months)] if len(months) > 1 else ["frozen"]
    paid, rest = months[: -len(plan)], months[-len(plan) :]
    for month in paid:
        batch = _built(measure, month, builder)
        if batch.line_count == 0:
            continue
        services.payment_batch_approve(batch=batch, actor=approver)
        batch = services.payment_batch_export(
            batch=batch, actor=builder, execution_on=month + dt.timedelta(days=40)
        )
        services.payment_batch_mark_paid(batch=batch, actor=builder)
    for month, state in zip(rest, plan, strict=True):
        if state == "draft":
            services.payment_batch_create(measure=measure, month=month, actor=builder, today=month)
            continue
        if state == "frozen":
            services.payment_batch_cancel(
                batch=_built(measure, month, builder),
                actor=builder,
                note="Ricostruita dopo la correzione di un registro.",
            )
        batch = _built(measure, month, builder)
        if state == "frozen" or batch.line_count == 0:
            continue
        services.payment_batch_approve(batch=batch, actor=approver, note="Verificato a campione.")
        if state == "approved":
            continue
        batch = services.payment_batch_export(
            batch=batch, actor=builder, execution_on=month + dt.timedelta(days=40)
        )
        if state == "partly_failed":
            _fail_one(batch, builder)


def _fail_one(batch: Any, builder: Any) -> None:
    """The bank rejects one transfer (closed account); the others are paid."""
    line = batch.lines.filter(kind=PaymentLineKind.ALLOWANCE, amount__gt=0).order_by("id").first()
    if line is not None:
        services.payment_line_record_outcome(
            line=line, actor=builder, paid=False, reason="AC04 conto chiuso"
        )
    batch.refresh_from_db()
    if batch.state == PaymentBatchState.EXPORTED:
        services.payment_batch_mark_paid(batch=batch, actor=builder)


def _built(measure: Measure, month: dt.date, builder: Any) -> Any:
    batch = services.payment_batch_create(measure=measure, month=month, actor=builder, today=month)
    return services.payment_batch_build(batch=batch, actor=builder)
