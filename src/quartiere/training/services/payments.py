"""Writes on payment batches: build (freeze), approve, export once, bank outcomes, cancel.

Every transition is one locked, audited service. Building locks the measure row first, so two
builds for the same measure never run side by side and never both adjust the same month.
Nobody is paid twice: one live allowance per participant and month is a database constraint,
a rebuild replaces the batch's own snapshot in the same transaction, a failed payment is
carried over once (another constraint), and a later correction is paid as the difference
between the recomputed and the already frozen amount of that month.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby, islice
from operator import itemgetter
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import (
    Count,
    DecimalField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from quartiere.core import audit
from quartiere.core.exceptions import ApplicationError, ImportRejectedError
from quartiere.training import allowance, sepa
from quartiere.training import payments_workflow as workflow
from quartiere.training.models import (
    AllowanceRule,
    AttendanceRecord,
    Enrolment,
    Measure,
    PaymentAccount,
    PaymentBatch,
    PaymentBatchStateChange,
    PaymentLine,
)
from quartiere.training.payments_enums import (
    BUILT_STATES,
    PaymentBatchState,
    PaymentLineKind,
    PaymentOutcome,
)

ZERO = Decimal("0.00")
CHUNK = 2000  # rows written per COPY / bulk_create
FETCH = 5000  # rows read per round trip from a server-side cursor
APPROVE_PERM = "training.approve_paymentbatch"


# --- Payment account ------------------------------------------------------------------------


@transaction.atomic
def payment_account_set(
    *, measure: Measure, actor: Any, debtor_name: str, iban: str, bic: str = ""
) -> PaymentAccount:
    """Set the account a measure pays from; the IBAN must pass its check."""
    try:
        clean_iban = sepa.normalise_iban(iban)
    except sepa.SepaError as exc:
        msg = _("This IBAN fails its check digits.")
        raise ApplicationError(msg, fields={"iban": [msg]}) from exc
    name = debtor_name.strip()
    if not name:
        msg = _("Enter the account holder's name.")
        raise ApplicationError(msg, fields={"debtor_name": [msg]})
    account, _created = PaymentAccount.objects.update_or_create(
        measure=measure,
        defaults={"debtor_name": name[:70], "iban": clean_iban, "bic": bic.strip().upper()},
    )
    audit.record(
        actor=actor,
        action="training.payment_account_set",
        target=account,
        lab_id=measure.lab_id,
        changes={"debtor_name": account.debtor_name, "iban_end": clean_iban[-4:]},
    )
    return account


# --- Batch creation and state changes ------------------------------------------------------


def _lock(batch: PaymentBatch) -> PaymentBatch:
    return PaymentBatch.objects.select_for_update().get(pk=batch.pk)


def _change(
    batch: PaymentBatch, *, old: str, actor: Any, action: str, note: str = "", **changes: Any
) -> None:
    PaymentBatchStateChange.objects.create(
        batch=batch, from_state=old, to_state=batch.state, actor=actor, note=note
    )
    audit.record(
        actor=actor,
        action=action,
        target=batch,
        lab_id=batch.lab_id,
        changes={"state": [old, batch.state], **changes},
    )


@transaction.atomic
def payment_batch_create(
    *, measure: Measure, month: dt.date, actor: Any, today: dt.date | None = None
) -> PaymentBatch:
    """Open a draft batch for a measure and month; one live batch per measure and month, and
    never for a month that has not started."""
    month = allowance.month_start(month)
    today = today or timezone.localdate()
    if month > allowance.month_start(today):
        msg = _("You cannot pay a month that has not started yet.")
        raise ApplicationError(msg, fields={"month": [msg]})
    Measure.objects.select_for_update().only("id").get(pk=measure.pk)
    clash = (
        PaymentBatch.objects.filter(measure=measure, month=month)
        .exclude(state=PaymentBatchState.CANCELLED)
        .exists()
    )
    if clash:
        msg = _("This measure already has a batch for that month.")
        raise ApplicationError(msg, fields={"month": [msg]})
    batch = PaymentBatch.objects.create(
        lab_id=measure.lab_id, measure=measure, month=month, created_by=actor
    )
    PaymentBatchStateChange.objects.create(
        batch=batch, from_state="", to_state=batch.state, actor=actor
    )
    audit.record(actor=actor, action="training.payment_batch_create", target=batch)
    return batch


def _ensure_latest(batch: PaymentBatch, *, doing: str) -> None:
    """Refuse to rebuild or cancel a batch when a later build already relied on it."""
    if batch.built_at is None:
        return
    later = (
        PaymentBatch.objects.filter(
            measure_id=batch.measure_id, state__in=BUILT_STATES, built_at__gt=batch.built_at
        )
        .exclude(pk=batch.pk)
        .exists()
    )
    if later:
        raise ApplicationError(
            _(
                "A later batch of this measure was built on top of this one, so it can no "
                "longer be %(doing)s. Correct the amounts in the next batch instead."
            )
            % {"doing": doing}
        )


@transaction.atomic
def payment_batch_approve(*, batch: PaymentBatch, actor: Any, note: str = "") -> PaymentBatch:
    """Approve a frozen batch; refused to whoever built it and to users without the
    approval capability."""
    if not actor.has_perm(APPROVE_PERM):
        raise PermissionDenied(_("You may not approve payment batches."))
    batch = _lock(batch)
    old = batch.state
    workflow.ensure_transition(old, PaymentBatchState.APPROVED)
    workflow.ensure_not_builder(built_by_id=batch.built_by_id, approver_id=actor.pk)
    workflow.ensure_has_lines(batch.line_count)
    batch.state = PaymentBatchState.APPROVED
    batch.approved_by = actor
    batch.approved_at = timezone.now()
    batch.save(update_fields=["state", "approved_by", "approved_at", "updated_at"])
    _change(batch, old=old, actor=actor, action="training.payment_batch_approve", note=note)
    return batch


@transaction.atomic
def payment_batch_cancel(*, batch: PaymentBatch, actor: Any, note: str = "") -> PaymentBatch:
    """Cancel a batch before its export; its lines are voided so the month can be rebuilt."""
    batch = _lock(batch)
    old = batch.state
    workflow.ensure_transition(old, PaymentBatchState.CANCELLED)
    _ensure_latest(batch, doing=_("cancelled"))
    batch.state = PaymentBatchState.CANCELLED
    batch.closed_at = timezone.now()
    batch.save(update_fields=["state", "closed_at", "updated_at"])
    PaymentLine.objects.filter(batch=batch).update(is_void=True)
    _change(batch, old=old, actor=actor, action="training.payment_batch_cancel", note=note)
    return batch


# --- Build ----------------------------------------------------------------------------------


def monthly_validated_hours(*, lab_id: int, measure_id: int, up_to: dt.date) -> QuerySet[Any, Any]:
    """Per enrolment and month up to ``up_to``, the validated hours and the scheduled hours of
    validated registers (justified absences excluded, as on the participant's page): one SQL
    aggregation on the attendance table, the build's lower bound.
    """
    return (
        AttendanceRecord.objects.filter(
            lab_id=lab_id,
            is_validated=True,
            month__lte=allowance.month_start(up_to),
            enrolment__measure_id=measure_id,
        )
        .order_by()
        .values("enrolment_id", "month")
        .annotate(
            validated=Sum("effective_hours"),
            scheduled=Sum("scheduled_hours", filter=Q(justified_absence=False)),
        )
        .order_by("enrolment_id", "month")
    )


def _frozen_amounts(*, batch: PaymentBatch) -> QuerySet[Any, Any]:
    """Per enrolment and earlier month, what live batches already froze (allowance plus
    adjustments; carried-over lines re-send money already counted)."""
    return (
        PaymentLine.objects.filter(
            lab_id=batch.lab_id,
            batch__measure_id=batch.measure_id,
            is_void=False,
            kind__in=[PaymentLineKind.ALLOWANCE, PaymentLineKind.ADJUSTMENT],
            month__lt=batch.month,
        )
        .order_by()
        .values("enrolment_id", "month")
        .annotate(frozen=Sum("amount"))
        .order_by("enrolment_id", "month")
    )


def _rules(measure_id: int) -> list[allowance.RuleVersion]:
    return [
        allowance.RuleVersion(
            valid_from=rule.valid_from,
            valid_to=rule.valid_to,
            hourly_rate=rule.hourly_rate,
            month_cap=rule.month_cap,
            person_cap=rule.person_cap,
            min_attendance_ratio=rule.min_attendance_ratio,
        )
        for rule in AllowanceRule.objects.filter(measure_id=measure_id).order_by("valid_from")
    ]


# Row shapes streamed by the build: (enrolment, month, validated, scheduled) and
# (enrolment, month, frozen amount); both sorted by enrolment then month.
HoursRow = tuple[int, dt.date, Decimal | None, Decimal | None]
FrozenRow = tuple[int, dt.date, Decimal]
LINE_COLUMNS = (
    "batch_id",
    "enrolment_id",
    "lab_id",
    "month",
    "kind",
    "validated_hours",
    "scheduled_hours",
    "gross_amount",
    "amount",
    "reasons",
    "iban",
    "iban_masked",
    "holder_name",
    "end_to_end_id",
    "carried_from_id",
    "outcome",
    "failure_reason",
    "is_void",
)


def _stream(qs: QuerySet[Any, Any], fields: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """Stream ``fields`` of ``qs`` as tuples with flat memory.

    On PostgreSQL the compiled SQL runs on a server-side cursor and psycopg's own Decimal and
    date values are used as they come (no per-row ORM conversion); elsewhere the ORM iterator.
    """
    flat = qs.values_list(*fields)
    if connection.vendor != "postgresql":
        yield from flat.iterator(chunk_size=CHUNK)
        return
    sql, params = flat.query.sql_with_params()
    yield from _raw_stream(sql, params)


def _raw_stream(sql: str, params: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
    """Run ``sql`` on a PostgreSQL server-side cursor and yield its rows, FETCH at a time."""
    with connection.cursor() as cursor:
        # A cursor is planned for its first rows by default (cursor_tuple_fraction 0.1); the
        # build reads every row, so plan it as the plain aggregation is planned.
        cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH):
            yield from rows


_FIRST = itemgetter(0)


def _merge(
    hours: Iterator[HoursRow], frozen: Iterator[FrozenRow]
) -> Iterator[tuple[int, list[HoursRow], dict[dt.date, Decimal]]]:
    """Join two streams sorted by enrolment: (enrolment id, its month rows, frozen by month)."""
    hour_groups = ((key, list(rows)) for key, rows in groupby(hours, key=_FIRST))
    frozen_groups = (
        (key, {row[1]: row[2] for row in rows}) for key, rows in groupby(frozen, key=_FIRST)
    )
    next_hours = next(hour_groups, None)
    next_frozen = next(frozen_groups, None)
    while next_hours is not None or next_frozen is not None:
        if next_frozen is None or (next_hours is not None and next_hours[0] < next_frozen[0]):
            if next_hours is not None:
                yield next_hours[0], next_hours[1], {}
            next_hours = next(hour_groups, None)
        elif next_hours is None or next_frozen[0] < next_hours[0]:
            yield next_frozen[0], [], next_frozen[1]
            next_frozen = next(frozen_groups, None)
        else:
            yield next_hours[0], next_hours[1], next_frozen[1]
            next_hours = next(hour_groups, None)
            next_frozen = next(frozen_groups, None)


def end_to_end_id(*, batch_id: int, enrolment_id: int, month: dt.date, kind: str) -> str:
    """Return the stable end-to-end id of an allowance or adjustment line (at most 35 chars)."""
    code = "A" if kind == PaymentLineKind.ALLOWANCE else "D"
    return f"Q{batch_id}-{enrolment_id}-{month:%Y%m}-{code}"


class _AccountStream:
    """Each enrolment's IBAN (still encrypted: copied, never decrypted), masked IBAN and holder,
    read in enrolment order alongside the hours (PostgreSQL); elsewhere blanks that
    ``_snapshot_accounts`` fills afterwards."""

    BLANK = ("", "", "")

    def __init__(self, batch: PaymentBatch) -> None:
        self._rows: Iterator[tuple[Any, ...]] | None = None
        if connection.vendor == "postgresql":
            table = Enrolment._meta.db_table
            self._rows = _raw_stream(
                f"SELECT id, iban, iban_masked, account_holder FROM {table} "  # noqa: S608
                "WHERE measure_id = %s AND lab_id = %s ORDER BY id",
                [batch.measure_id, batch.lab_id],
            )
        self._current: tuple[Any, ...] | None = None

    def get(self, enrolment_id: int) -> tuple[str, str, str]:
        if self._rows is None:
            return self.BLANK
        while self._current is None or self._current[0] < enrolment_id:
            self._current = next(self._rows, None)
            if self._current is None:
                self._rows = None
                return self.BLANK
        if self._current[0] != enrolment_id:
            return self.BLANK
        return (self._current[1], self._current[2], self._current[3])


def _plan_lines(
    batch: PaymentBatch,
    rules: Sequence[allowance.RuleVersion],
    batched_months: frozenset[dt.date],
) -> Iterator[tuple[Any, ...]]:
    """Yield the batch's allowance and adjustment lines as rows in LINE_COLUMNS order."""
    hours = _stream(
        monthly_validated_hours(
            lab_id=batch.lab_id, measure_id=batch.measure_id, up_to=batch.month
        ),
        ("enrolment_id", "month", "validated", "scheduled"),
    )
    frozen = _stream(_frozen_amounts(batch=batch), ("enrolment_id", "month", "frozen"))
    accounts = _AccountStream(batch)
    calculator = allowance.Calculator(rules)
    shared = _SharedCaps(batch)
    for enrolment_id, rows, frozen_by_month in _merge(hours, frozen):  # type: ignore[arg-type]
        for group in shared.due_before(enrolment_id):
            yield from _group_lines(batch, calculator, batched_months, group)
        account = accounts.get(enrolment_id)
        if shared.holds(enrolment_id):
            shared.add(enrolment_id, rows, frozen_by_month, account)
            continue
        result = calculator.compute(_month_hours(rows))
        yield from _enrolment_lines(
            batch, batched_months, enrolment_id, result, frozen_by_month, account
        )
    for group in shared.due_before(None):
        yield from _group_lines(batch, calculator, batched_months, group)


def _month_hours(rows: Sequence[HoursRow]) -> list[allowance.MonthHours]:
    month_hours = allowance.MonthHours
    return [
        month_hours(month, validated or ZERO, scheduled or ZERO)
        for _e, month, validated, scheduled in rows
    ]


def _enrolment_lines(
    batch: PaymentBatch,
    batched_months: frozenset[dt.date],
    enrolment_id: int,
    result: allowance.AllowanceResult,
    frozen_by_month: dict[dt.date, Decimal],
    account: tuple[str, str, str],
) -> Iterator[tuple[Any, ...]]:
    """One enrolment's allowance line of the batch month and adjustments of earlier months."""
    seen: set[dt.date] = set()
    for item in result.months:
        seen.add(item.month)
        if item.month == batch.month:
            if item.amount > 0:
                yield _row(
                    batch, enrolment_id, item, PaymentLineKind.ALLOWANCE, item.amount, account
                )
        elif item.month in batched_months:
            diff = item.amount - frozen_by_month.get(item.month, ZERO)
            if diff != 0:
                yield _row(batch, enrolment_id, item, PaymentLineKind.ADJUSTMENT, diff, account)
    for month, amount in frozen_by_month.items():
        if month not in seen and amount != 0:
            # Hours of a frozen month disappeared (corrected down to nothing).
            empty = allowance.MonthAllowance(month, ZERO, ZERO, ZERO, ZERO, ZERO, ())
            yield _row(batch, enrolment_id, empty, PaymentLineKind.ADJUSTMENT, -amount, account)


@dataclass
class _Group:
    """One resident's enrolments of the measure, gathered until the last one is read."""

    last_id: int
    entries: dict[int, tuple[list[HoursRow], dict[dt.date, Decimal], tuple[str, str, str]]]


class _SharedCaps:
    """Residents enrolled more than once in the measure share one person cap.

    The streams come in enrolment order; the enrolments of such residents are held back until
    the stream passes the resident's last enrolment, then computed together. Residents with a
    single enrolment (nearly all) are never held, so memory stays flat.
    """

    def __init__(self, batch: PaymentBatch) -> None:
        rows = (
            Enrolment.objects.filter(measure_id=batch.measure_id, lab_id=batch.lab_id)
            .filter(
                resident_id__in=Enrolment.objects.filter(
                    measure_id=batch.measure_id, lab_id=batch.lab_id
                )
                .order_by()
                .values("resident_id")
                .annotate(n=Count("id"))
                .filter(n__gt=1)
                .values("resident_id")
            )
            .order_by("resident_id", "id")
            .values_list("resident_id", "id")
        )
        self._group_of: dict[int, _Group] = {}
        groups: list[_Group] = []
        for _resident_id, rows_of in groupby(rows, key=_FIRST):
            ids = [row[1] for row in rows_of]
            group = _Group(last_id=max(ids), entries={})
            groups.append(group)
            for enrolment_id in ids:
                self._group_of[enrolment_id] = group
        self._pending = deque(sorted(groups, key=lambda group: group.last_id))

    def holds(self, enrolment_id: int) -> bool:
        return enrolment_id in self._group_of

    def add(
        self,
        enrolment_id: int,
        rows: list[HoursRow],
        frozen_by_month: dict[dt.date, Decimal],
        account: tuple[str, str, str],
    ) -> None:
        self._group_of[enrolment_id].entries[enrolment_id] = (rows, frozen_by_month, account)

    def due_before(self, enrolment_id: int | None) -> Iterator[_Group]:
        """The groups complete once the stream reaches ``enrolment_id`` (None: the end)."""
        while self._pending and (enrolment_id is None or self._pending[0].last_id < enrolment_id):
            yield self._pending.popleft()


def _group_lines(
    batch: PaymentBatch,
    calculator: allowance.Calculator,
    batched_months: frozenset[dt.date],
    group: _Group,
) -> Iterator[tuple[Any, ...]]:
    """The lines of one resident's enrolments, under one shared person cap."""
    results = calculator.compute_shared(
        {enrolment_id: _month_hours(rows) for enrolment_id, (rows, _f, _a) in group.entries.items()}
    )
    for enrolment_id in sorted(group.entries):
        _rows, frozen_by_month, account = group.entries[enrolment_id]
        yield from _enrolment_lines(
            batch, batched_months, enrolment_id, results[enrolment_id], frozen_by_month, account
        )
    group.entries.clear()


def _row(
    batch: PaymentBatch,
    enrolment_id: int,
    item: allowance.MonthAllowance,
    kind: str,
    amount: Decimal,
    account: tuple[str, str, str],
) -> tuple[Any, ...]:
    return (
        batch.pk,
        enrolment_id,
        batch.lab_id,
        item.month,
        kind,
        item.validated_hours,
        item.scheduled_hours,
        item.gross,
        amount,
        [reason.value for reason in item.reasons],
        *account,
        end_to_end_id(batch_id=batch.pk, enrolment_id=enrolment_id, month=item.month, kind=kind),
        None,
        PaymentOutcome.PENDING if amount > 0 else PaymentOutcome.NOT_TRANSFERRED,
        "",
        False,
    )


def _carry_overs(batch: PaymentBatch) -> Iterator[tuple[Any, ...]]:
    """Yield a carry-over row for every failed payment of the measure not carried yet."""
    failed = (
        PaymentLine.objects.filter(
            lab_id=batch.lab_id,
            batch__measure_id=batch.measure_id,
            is_void=False,
            outcome=PaymentOutcome.FAILED,
        )
        .exclude(carried_to__is_void=False)
        .exclude(batch=batch)
        .order_by("id")
    )
    for line in failed.iterator(chunk_size=CHUNK):
        yield (
            batch.pk,
            line.enrolment_id,
            batch.lab_id,
            line.month,
            PaymentLineKind.CARRY_OVER,
            line.validated_hours,
            line.scheduled_hours,
            line.amount,
            line.amount,
            [],
            "",
            "",
            "",
            f"Q{batch.pk}-C{line.pk}",
            line.pk,
            PaymentOutcome.PENDING,
            "",
            False,
        )


def _insert(rows: Iterable[tuple[Any, ...]]) -> None:
    """Write line rows in chunks: COPY on PostgreSQL, bulk_create elsewhere."""
    if connection.vendor == "postgresql":
        # The rows come from a server-side cursor on the same connection, which is busy during
        # a COPY: read a chunk, then copy it, so memory stays flat and nothing waits.
        table = PaymentLine._meta.db_table
        statement = f"COPY {table} ({', '.join(LINE_COLUMNS)}) FROM STDIN"
        iterator = iter(rows)
        while rows_chunk := list(islice(iterator, CHUNK)):
            with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
                for row in rows_chunk:
                    copy.write_row((*row[:9], json.dumps(row[9]), *row[10:]))
        return
    chunk: list[PaymentLine] = []
    for row in rows:
        chunk.append(PaymentLine(**dict(zip(LINE_COLUMNS, row, strict=True))))
        if len(chunk) >= CHUNK:
            PaymentLine.objects.bulk_create(chunk)
            chunk = []
    if chunk:
        PaymentLine.objects.bulk_create(chunk)


def _snapshot_accounts(batch: PaymentBatch) -> None:
    """Copy each participant's IBAN (still encrypted), masked IBAN and holder into the lines
    that do not have them yet (carried-over lines on PostgreSQL, every line elsewhere)."""
    if connection.vendor == "postgresql":
        lines, enrolments = PaymentLine._meta.db_table, Enrolment._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {lines} AS l SET iban = e.iban, iban_masked = e.iban_masked, "  # noqa: S608
                f"holder_name = e.account_holder FROM {enrolments} AS e "
                "WHERE e.id = l.enrolment_id AND l.batch_id = %s AND l.iban = ''",
                [batch.pk],
            )
        return
    enrolment = Enrolment.objects.filter(pk=OuterRef("enrolment_id")).order_by()
    PaymentLine.objects.filter(batch=batch).update(
        iban=Subquery(enrolment.values("iban")[:1]),
        iban_masked=Subquery(enrolment.values("iban_masked")[:1]),
        holder_name=Subquery(enrolment.values("account_holder")[:1]),
    )


def _totals(batch: PaymentBatch) -> dict[str, Any]:
    money = DecimalField(max_digits=12, decimal_places=2)
    return PaymentLine.objects.filter(batch=batch).aggregate(
        line_count=Count("id"),
        transfer_count=Count("id", filter=Q(amount__gt=0)),
        total_amount=Coalesce(
            Sum("amount", filter=Q(amount__gt=0)), Value(ZERO), output_field=money
        ),
        recovery_amount=Coalesce(
            Sum("amount", filter=Q(amount__lt=0)), Value(ZERO), output_field=money
        ),
    )


@transaction.atomic
def payment_batch_build(
    *, batch: PaymentBatch, actor: Any, execution_on: dt.date | None = None
) -> PaymentBatch:
    """Compute and freeze the batch: each participant's validated hours, the allowance due,
    adjustments of earlier frozen months and failed payments carried over. Rebuilding a frozen
    batch replaces its snapshot; all of it happens in one transaction or not at all."""
    Measure.objects.select_for_update().only("id").get(pk=batch.measure_id)
    batch = _lock(batch)
    old = batch.state
    workflow.ensure_transition(old, PaymentBatchState.FROZEN)
    if old == PaymentBatchState.FROZEN:
        _ensure_latest(batch, doing=_("rebuilt"))
    account = PaymentAccount.objects.filter(measure_id=batch.measure_id).first()
    if account is None:
        raise ApplicationError(
            _("Set the bank account this measure pays from before building a batch.")
        )
    rules = _rules(batch.measure_id)
    if not rules:
        raise ApplicationError(_("This measure has no allowance rule."))
    PaymentLine.objects.filter(batch=batch).delete()
    batched_months = frozenset(
        PaymentBatch.objects.filter(
            measure_id=batch.measure_id, state__in=BUILT_STATES, month__lt=batch.month
        ).values_list("month", flat=True)
    )
    _insert(_plan_lines(batch, rules, batched_months))
    _insert(_carry_overs(batch))
    _snapshot_accounts(batch)
    totals = _totals(batch)
    batch.state = PaymentBatchState.FROZEN
    batch.built_by = actor
    batch.built_at = timezone.now()
    batch.approved_by = None
    batch.approved_at = None
    batch.execution_on = execution_on
    batch.debtor_name = account.debtor_name
    batch.debtor_iban = account.iban
    batch.debtor_bic = account.bic
    batch.line_count = totals["line_count"]
    batch.transfer_count = totals["transfer_count"]
    batch.total_amount = totals["total_amount"]
    batch.recovery_amount = -totals["recovery_amount"]
    batch.save()
    _change(
        batch,
        old=old,
        actor=actor,
        action="training.payment_batch_build",
        lines=batch.line_count,
        total=batch.total_amount,
    )
    return batch


# --- Export ---------------------------------------------------------------------------------

DESCRIPTIONS = {
    PaymentLineKind.ALLOWANCE: "Indennita di partecipazione {month}",
    PaymentLineKind.ADJUSTMENT: "Conguaglio indennita di partecipazione {month}",
    PaymentLineKind.CARRY_OVER: "Indennita di partecipazione {month} (nuovo invio)",
}


def _transfers(batch: PaymentBatch) -> Iterator[sepa.Transfer]:
    lines = (
        PaymentLine.objects.filter(batch=batch, amount__gt=0, is_void=False)
        .order_by("id")
        .only("end_to_end_id", "holder_name", "iban", "amount", "kind", "month")
    )
    for line in lines.iterator(chunk_size=CHUNK):
        yield sepa.Transfer(
            end_to_end_id=line.end_to_end_id,
            name=line.holder_name,
            iban=line.iban,
            amount=line.amount,
            description=DESCRIPTIONS[PaymentLineKind(line.kind)].format(
                month=f"{line.month:%Y-%m}"
            ),
        )


def write_sepa_file(*, batch: PaymentBatch, content: bytes) -> None:
    """Store the SEPA file on the batch (a seam the interruption tests break on purpose)."""
    batch.sepa_file = content
    batch.sepa_checksum = hashlib.sha256(content).hexdigest()


@transaction.atomic
def payment_batch_export(
    *, batch: PaymentBatch, actor: Any, execution_on: dt.date | None = None
) -> PaymentBatch:
    """Write the SEPA credit transfer file of an approved batch, exactly once: exporting an
    exported batch returns the stored file unchanged."""
    batch = _lock(batch)
    if batch.sepa_file is not None:
        audit.record(actor=actor, action="training.payment_batch_download", target=batch)
        return batch
    old = batch.state
    workflow.ensure_transition(old, PaymentBatchState.EXPORTED)
    now = timezone.now()
    execution = execution_on or batch.execution_on or (timezone.localdate() + dt.timedelta(days=2))
    message_id = f"QRT-{batch.pk}-{batch.month:%Y%m}"
    try:
        content = sepa.build_pain001(
            message_id=message_id,
            created_at=timezone.localtime(now),
            execution_on=execution,
            debtor=sepa.Debtor(batch.debtor_name, batch.debtor_iban, batch.debtor_bic),
            transfers=list(_transfers(batch)),
        )
    except sepa.SepaError as exc:
        raise ApplicationError(
            _("The SEPA file could not be produced: %(error)s") % {"error": exc}
        ) from exc
    write_sepa_file(batch=batch, content=content)
    batch.sepa_message_id = message_id
    batch.execution_on = execution
    batch.state = PaymentBatchState.EXPORTED
    batch.exported_by = actor
    batch.exported_at = now
    batch.save()
    _change(
        batch,
        old=old,
        actor=actor,
        action="training.payment_batch_export",
        checksum=batch.sepa_checksum,
    )
    return batch


# --- Outcomes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeSummary:
    paid: int
    failed: int
    unchanged: int
    state: str


def _close_if_complete(batch: PaymentBatch, *, actor: Any, now: dt.datetime) -> None:
    lines = PaymentLine.objects.filter(batch=batch, amount__gt=0)
    money = DecimalField(max_digits=12, decimal_places=2)
    sums = lines.aggregate(
        pending=Count("id", filter=Q(outcome=PaymentOutcome.PENDING)),
        failed=Count("id", filter=Q(outcome=PaymentOutcome.FAILED)),
        paid_amount=Coalesce(
            Sum("amount", filter=Q(outcome=PaymentOutcome.PAID)), Value(ZERO), output_field=money
        ),
        failed_amount=Coalesce(
            Sum("amount", filter=Q(outcome=PaymentOutcome.FAILED)),
            Value(ZERO),
            output_field=money,
        ),
    )
    batch.paid_amount = sums["paid_amount"]
    batch.failed_amount = sums["failed_amount"]
    fields = ["paid_amount", "failed_amount", "updated_at"]
    old = batch.state
    if sums["pending"] == 0 and old == PaymentBatchState.EXPORTED:
        target = PaymentBatchState.PARTLY_FAILED if sums["failed"] else PaymentBatchState.PAID
        workflow.ensure_transition(old, target)
        batch.state = target
        batch.closed_at = now
        fields += ["state", "closed_at"]
        batch.save(update_fields=fields)
        _change(batch, old=old, actor=actor, action="training.payment_batch_close")
    else:
        batch.save(update_fields=fields)


@transaction.atomic
def payment_batch_record_outcome(
    *, batch: PaymentBatch, actor: Any, outcomes: Sequence[sepa.Outcome], source: str = ""
) -> OutcomeSummary:
    """Record the bank's outcome of an exported batch's transfers (pain.002, CSV or manual).

    All or nothing: an unknown end-to-end id, an unknown status, a line listed twice or a
    line whose recorded outcome would change rejects the whole file (ImportRejectedError with
    the row numbers). Re-importing the same outcome changes nothing.
    """
    batch = _lock(batch)
    if batch.state not in {
        PaymentBatchState.EXPORTED,
        PaymentBatchState.PARTLY_FAILED,
        PaymentBatchState.PAID,
    }:
        raise ApplicationError(_("Outcomes can be recorded only after the batch is exported."))
    wanted = {item.end_to_end_id for item in outcomes}
    lines = {
        line.end_to_end_id: line
        for line in PaymentLine.objects.select_for_update().filter(
            batch=batch, amount__gt=0, end_to_end_id__in=wanted
        )
    }
    errors: list[tuple[int, str]] = []
    seen: set[str] = set()
    changes: list[tuple[PaymentLine, sepa.Outcome]] = []
    unchanged = 0
    for item in outcomes:
        line = lines.get(item.end_to_end_id)
        if not item.end_to_end_id:
            errors.append((item.row, _("The end-to-end id is missing.")))
        elif line is None:
            errors.append(
                (
                    item.row,
                    _("No transfer of this batch has the id %(id)s.") % {"id": item.end_to_end_id},
                )
            )
        elif item.end_to_end_id in seen:
            errors.append((item.row, _("This transfer is listed twice.")))
        elif item.paid is None:
            errors.append((item.row, _("Unknown status “%(code)s”.") % {"code": item.code or "-"}))
        else:
            target = PaymentOutcome.PAID if item.paid else PaymentOutcome.FAILED
            if line.outcome == target:
                unchanged += 1
            elif line.outcome != PaymentOutcome.PENDING:
                errors.append(
                    (
                        item.row,
                        _("This transfer was already recorded as “%(outcome)s”.")
                        % {"outcome": PaymentOutcome(line.outcome).label},
                    )
                )
            else:
                changes.append((line, item))
        seen.add(item.end_to_end_id)
    if errors:
        raise ImportRejectedError(
            _("The outcome file was not recorded: fix the rows listed and try again."),
            errors=errors,
        )
    now = timezone.now()
    paid = failed = 0
    for line, item in changes:
        line.outcome = PaymentOutcome.PAID if item.paid else PaymentOutcome.FAILED
        line.failure_reason = "" if item.paid else (item.reason or item.code)[:200]
        line.outcome_at = now
        paid += bool(item.paid)
        failed += not item.paid
    PaymentLine.objects.bulk_update(
        [line for line, _item in changes], ["outcome", "failure_reason", "outcome_at"]
    )
    _close_if_complete(batch, actor=actor, now=now)
    audit.record(
        actor=actor,
        action="training.payment_batch_record_outcome",
        target=batch,
        changes={"paid": paid, "failed": failed, "unchanged": unchanged, "source": source},
    )
    return OutcomeSummary(paid=paid, failed=failed, unchanged=unchanged, state=batch.state)


def payment_batch_import_outcome(
    *, batch: PaymentBatch, actor: Any, content: bytes, filename: str = ""
) -> OutcomeSummary:
    """Read a bank outcome file (pain.002 XML or CSV) and record it; ImportRejectedError on a
    file that cannot be read."""
    try:
        outcomes = sepa.parse_outcomes(content)
    except sepa.SepaError as exc:
        raise ImportRejectedError(str(exc), errors=[]) from exc
    return payment_batch_record_outcome(
        batch=batch, actor=actor, outcomes=outcomes, source=filename[:100]
    )


def payment_line_record_outcome(
    *, line: PaymentLine, actor: Any, paid: bool, reason: str = ""
) -> OutcomeSummary:
    """Mark one transfer paid or failed by hand (same rules as an imported outcome)."""
    code = "PAID" if paid else "FAILED"
    outcome = sepa.Outcome(1, line.end_to_end_id, paid, code, reason)
    return payment_batch_record_outcome(
        batch=line.batch, actor=actor, outcomes=[outcome], source="manual"
    )


@transaction.atomic
def payment_batch_mark_paid(*, batch: PaymentBatch, actor: Any) -> OutcomeSummary:
    """Mark every still-pending transfer of an exported batch as paid and close the batch."""
    batch = _lock(batch)
    workflow.ensure_transition(batch.state, PaymentBatchState.PAID)
    pending = PaymentLine.objects.filter(
        batch=batch, amount__gt=0, outcome=PaymentOutcome.PENDING
    ).values_list("end_to_end_id", flat=True)
    outcomes = [
        sepa.Outcome(number, e2e, True, "PAID")
        for number, e2e in enumerate(pending.iterator(chunk_size=CHUNK), start=1)
    ]
    if not outcomes:
        _close_if_complete(batch, actor=actor, now=timezone.now())
        return OutcomeSummary(0, 0, 0, batch.state)
    return payment_batch_record_outcome(
        batch=batch, actor=actor, outcomes=outcomes, source="manual: all paid"
    )
