"""Reads of payment batches and lines, scoped to the labs the user sees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from quartiere.accounts.selectors import user_scope
from quartiere.training.models import Measure, PaymentBatch, PaymentLine
from quartiere.training.payments_enums import PaymentLineKind, PaymentOutcome

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Decimal("0.00")


def _scoped(qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
    labs = user_scope(user).lab_filter
    return qs if labs is None else qs.filter(lab_id__in=labs)


def payment_batch_list(
    *,
    user: Any,
    lab_id: int | None = None,
    measure_id: int | None = None,
    month: dt.date | None = None,
    state: str | None = None,
) -> QuerySet[PaymentBatch]:
    """List the batches of the user's labs, newest month first, with lab, measure and people."""
    qs = _scoped(PaymentBatch.objects.all(), user)
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    if measure_id is not None:
        qs = qs.filter(measure_id=measure_id)
    if month is not None:
        qs = qs.filter(month=month.replace(day=1))
    if state:
        qs = qs.filter(state=state)
    return (
        qs.select_related("lab", "measure", "built_by", "approved_by")
        .defer("sepa_file")
        .order_by("-month", "lab__name", "measure__name", "-id")
    )


def payment_batch_totals(qs: QuerySet[PaymentBatch]) -> dict[str, Decimal]:
    """Sum the amounts of a list of batches (one query)."""
    sums = qs.order_by().aggregate(
        total=Coalesce(Sum("total_amount"), Value(ZERO), output_field=MONEY),
        paid=Coalesce(Sum("paid_amount"), Value(ZERO), output_field=MONEY),
        failed=Coalesce(Sum("failed_amount"), Value(ZERO), output_field=MONEY),
    )
    return dict(sums)


def payment_batch_get(*, user: Any, pk: int) -> PaymentBatch | None:
    """Return one batch of the user's labs (with its file), or None."""
    return (
        _scoped(PaymentBatch.objects.all(), user)
        .select_related("lab", "measure", "built_by", "approved_by", "exported_by", "created_by")
        .filter(pk=pk)
        .first()
    )


def payment_batch_history(*, batch: PaymentBatch) -> QuerySet[Any]:
    """The batch's state changes, oldest first, with who made them."""
    return batch.state_changes.select_related("actor").order_by("at", "id")


def payment_line_list(
    *,
    batch: PaymentBatch,
    kind: str | None = None,
    outcome: str | None = None,
    q: str = "",
) -> QuerySet[PaymentLine]:
    """List a batch's lines by participant and month (the batch was already scoped)."""
    qs = PaymentLine.objects.filter(batch=batch)
    if kind:
        qs = qs.filter(kind=kind)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if q:
        qs = qs.filter(Q(holder_name__icontains=q) | Q(end_to_end_id__icontains=q))
    return qs.defer("iban").order_by("holder_name", "enrolment_id", "month", "id")


def payment_line_get(*, batch: PaymentBatch, pk: int) -> PaymentLine | None:
    """Return one line of a batch."""
    return PaymentLine.objects.filter(batch=batch, pk=pk).select_related("batch").first()


def payment_line_export_rows(qs: QuerySet[PaymentLine]) -> Iterator[tuple[Any, ...]]:
    """Rows of the lines export (masked IBAN only), streamed."""
    for line in qs.iterator(chunk_size=2000):
        yield (
            line.end_to_end_id,
            line.holder_name,
            line.iban_masked,
            line.month,
            str(PaymentLineKind(line.kind).label),
            line.validated_hours,
            line.scheduled_hours,
            line.gross_amount,
            line.amount,
            ", ".join(line.reasons),
            str(PaymentOutcome(line.outcome).label),
            line.failure_reason,
        )


def payment_measure_list(*, user: Any, lab_id: int | None = None) -> QuerySet[Measure]:
    """The user's measures with their allowance budget, what is committed (frozen allowances
    and adjustments of live batches) and what is paid; one query."""
    live = PaymentLine.objects.filter(
        batch__measure=OuterRef("pk"),
        is_void=False,
    ).order_by()
    committed = (
        live.filter(kind__in=[PaymentLineKind.ALLOWANCE, PaymentLineKind.ADJUSTMENT])
        .values("batch__measure")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    paid = (
        live.filter(outcome=PaymentOutcome.PAID).values("batch__measure").annotate(s=Sum("amount"))
    ).values("s")
    qs = _scoped(Measure.objects.all(), user)
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    return (
        qs.select_related("lab")
        .annotate(
            committed_amount=Coalesce(Subquery(committed, output_field=MONEY), Value(ZERO)),
            paid_amount=Coalesce(Subquery(paid, output_field=MONEY), Value(ZERO)),
        )
        .order_by("lab__name", "name")
    )


def payment_line_for_resident_list(*, enrolment_ids: Iterable[int]) -> QuerySet[PaymentLine]:
    """A participant's own payments (live lines of built batches), for their page."""
    return (
        PaymentLine.objects.filter(enrolment_id__in=list(enrolment_ids), is_void=False)
        .exclude(batch__state="draft")
        .select_related("batch")
        .defer("iban", "batch__sepa_file")
        .order_by("-month", "id")
    )
