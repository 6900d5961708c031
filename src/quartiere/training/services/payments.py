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
import pickle
import tempfile
from collections import deque
from collections.abc import Generator, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby, islice
from operator import itemgetter
from typing import IO, Any

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
CHUNK = 1000  # rows written per COPY / bulk_create
FETCH = 500  # enrolments (each with its months as arrays) received per chunk
SPOOL_MEMORY = 1 << 16  # bytes of lines kept in memory before they go to a temporary file
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


def _frozen_lines(*, batch: PaymentBatch) -> QuerySet[Any, Any]:
    """The allowance and adjustment lines that live batches of the measure froze for months
    before the batch's (carried-over lines re-send money already counted)."""
    return PaymentLine.objects.filter(
        lab_id=batch.lab_id,
        batch__measure_id=batch.measure_id,
        is_void=False,
        kind__in=[PaymentLineKind.ALLOWANCE, PaymentLineKind.ADJUSTMENT],
        month__lt=batch.month,
    ).order_by()


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

Account = tuple[str, str, str]
BLANK_ACCOUNT: Account = ("", "", "")


@dataclass(slots=True)
class _Entry:
    """One enrolment's input to the build: its validated months, what earlier batches froze
    for it by month, and its account (ciphertext IBAN, masked IBAN, holder)."""

    enrolment_id: int
    months: list[tuple[dt.date, Decimal, Decimal]]
    frozen: dict[dt.date, Decimal]
    account: Account


def _raw_stream(sql: str, params: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
    """Run ``sql`` as one plain query and yield its rows as the server sends them.

    The rows come in chunks of FETCH (libpq's chunked-rows mode): the server computes the whole
    result without waiting to be asked for the next rows, while Python works on those already
    received, and at most a chunk is held here. The connection is busy until the generator
    ends, so the caller sends nothing else meanwhile (the lines are spooled, see ``_insert``)
    and closes the generator before the transaction ends (``_plan_lines`` does); closing it
    early cancels the query.
    """
    with connection.cursor() as cursor:
        yield from cursor.cursor.stream(sql, params, size=FETCH)


def _entries_postgresql(batch: PaymentBatch) -> Generator[_Entry]:
    """Every enrolment of the measure with validated hours or frozen amounts, in id order, from
    one query: the monthly aggregation of validated hours (``monthly_validated_hours``, the
    build's lower bound) and the frozen lines, each folded into arrays per enrolment, joined to
    the enrolment for its account (the IBAN copied still encrypted, never decrypted)."""
    hours_sql, hours_params = monthly_validated_hours(
        lab_id=batch.lab_id, measure_id=batch.measure_id, up_to=batch.month
    ).query.sql_with_params()
    frozen_sql, frozen_params = (
        _frozen_lines(batch=batch).values_list("enrolment_id", "month", "amount").query
    ).sql_with_params()
    enrolments = Enrolment._meta.db_table
    sql = (
        "SELECT e.id, e.iban, e.iban_masked, e.account_holder, "  # noqa: S608
        "h.months, h.validated, h.scheduled, f.months, f.amounts "
        f"FROM {enrolments} e "
        "LEFT JOIN (SELECT enrolment_id, array_agg(month) AS months, "
        "array_agg(validated) AS validated, array_agg(COALESCE(scheduled, 0)) AS scheduled "
        f"FROM ({hours_sql}) AS hours GROUP BY enrolment_id) h ON h.enrolment_id = e.id "
        "LEFT JOIN (SELECT enrolment_id, array_agg(month) AS months, array_agg(amount) AS amounts "
        f"FROM ({frozen_sql}) AS frozen GROUP BY enrolment_id) f ON f.enrolment_id = e.id "
        "WHERE e.measure_id = %s AND e.lab_id = %s "
        "AND (h.enrolment_id IS NOT NULL OR f.enrolment_id IS NOT NULL) "
        "ORDER BY e.id"
    )
    params = [*hours_params, *frozen_params, batch.measure_id, batch.lab_id]
    for eid, iban, masked, holder, months, validated, scheduled, fmonths, famounts in _raw_stream(
        sql, params
    ):
        frozen: dict[dt.date, Decimal] = {}
        if fmonths:
            frozen = dict(zip(fmonths, famounts, strict=True))
            if len(frozen) < len(fmonths):  # a month with an adjustment too: add them up
                frozen = {}
                for month, amount in zip(fmonths, famounts, strict=True):
                    frozen[month] = frozen[month] + amount if month in frozen else amount
        yield _Entry(
            eid,
            list(zip(months, validated, scheduled, strict=True)) if months else [],
            frozen,
            (iban, masked, holder),
        )


_FIRST = itemgetter(0)


def _entries_orm(batch: PaymentBatch) -> Generator[_Entry]:
    """``_entries_postgresql`` through the ORM for other databases (accounts left blank: the
    lines get them from their enrolment afterwards, see ``_snapshot_accounts``)."""
    hours = monthly_validated_hours(
        lab_id=batch.lab_id, measure_id=batch.measure_id, up_to=batch.month
    ).values_list("enrolment_id", "month", "validated", "scheduled")
    frozen_rows = (
        _frozen_lines(batch=batch)
        .values_list("enrolment_id", "month", "amount")
        .order_by("enrolment_id", "month")
    )
    hour_groups = groupby(hours.iterator(chunk_size=CHUNK), key=_FIRST)
    frozen_groups = groupby(frozen_rows.iterator(chunk_size=CHUNK), key=_FIRST)
    next_hours = next(hour_groups, None)
    next_frozen = next(frozen_groups, None)
    while next_hours is not None or next_frozen is not None:
        eid = min(g[0] for g in (next_hours, next_frozen) if g is not None)
        months: list[tuple[dt.date, Decimal, Decimal]] = []
        frozen: dict[dt.date, Decimal] = {}
        if next_hours is not None and next_hours[0] == eid:
            months = [(m, v or ZERO, s or ZERO) for _e, m, v, s in next_hours[1]]
            next_hours = next(hour_groups, None)
        if next_frozen is not None and next_frozen[0] == eid:
            for _e, month, amount in next_frozen[1]:
                frozen[month] = frozen.get(month, ZERO) + amount
            next_frozen = next(frozen_groups, None)
        yield _Entry(eid, months, frozen, BLANK_ACCOUNT)


def end_to_end_id(*, batch_id: int, enrolment_id: int, month: dt.date, kind: str) -> str:
    """Return the stable end-to-end id of an allowance or adjustment line (at most 35 chars)."""
    code = "A" if kind == PaymentLineKind.ALLOWANCE else "D"
    return f"Q{batch_id}-{enrolment_id}-{month:%Y%m}-{code}"


@dataclass
class _Person:
    """A resident with more than one enrolment in the measure: their entries are gathered until
    the stream passes their last enrolment. ``anchor`` (their first enrolment) carries their
    lines; ``account`` is the one of their latest enrolment."""

    anchor: int
    last_id: int
    account: Account
    entries: list[_Entry]


class _People:
    """Residents enrolled more than once in the measure (few): one person, one calculation.

    The entries come in enrolment order; those of such residents are held back until the stream
    passes the resident's last enrolment, then computed together. Residents with a single
    enrolment (nearly all) are never held, so memory stays flat.
    """

    def __init__(self, batch: PaymentBatch) -> None:
        multi = (
            Enrolment.objects.filter(measure_id=batch.measure_id, lab_id=batch.lab_id)
            .order_by()
            .values("resident_id")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .values("resident_id")
        )
        rows = (
            Enrolment.objects.filter(
                measure_id=batch.measure_id, lab_id=batch.lab_id, resident_id__in=multi
            )
            .order_by("resident_id", "id")
            .values_list("resident_id", "id", "iban", "iban_masked", "account_holder")
        )
        # Lines are written raw on PostgreSQL (COPY): the IBAN goes in encrypted, as stored.
        prepare = (
            PaymentLine._meta.get_field("iban").get_prep_value
            if connection.vendor == "postgresql"
            else str
        )
        self._person_of: dict[int, _Person] = {}
        people: list[_Person] = []
        for _resident_id, group in groupby(rows, key=_FIRST):
            members = list(group)
            latest = members[-1]
            person = _Person(
                anchor=members[0][1],
                last_id=latest[1],
                account=(prepare(latest[2]), latest[3], latest[4]),
                entries=[],
            )
            people.append(person)
            for member in members:
                self._person_of[member[1]] = person
        self._pending = deque(sorted(people, key=lambda person: person.last_id))

    def hold(self, entry: _Entry) -> bool:
        """Keep ``entry`` for its person when the resident has several enrolments."""
        person = self._person_of.get(entry.enrolment_id)
        if person is None:
            return False
        person.entries.append(entry)
        return True

    def due_before(self, enrolment_id: int | None) -> Iterator[_Person]:
        """The people complete once the stream reaches ``enrolment_id`` (None: the end)."""
        while self._pending and (enrolment_id is None or self._pending[0].last_id < enrolment_id):
            yield self._pending.popleft()


class _LineWriter:
    """Turns one person's allowance into the batch's rows (LINE_COLUMNS order): the allowance
    of the batch month and an adjustment for every earlier frozen month whose amount changed."""

    def __init__(self, batch: PaymentBatch, batched_months: frozenset[dt.date]) -> None:
        self.batch_id = batch.pk
        self.lab_id = batch.lab_id
        self.month = batch.month
        self.batched_months = batched_months
        self._codes: dict[dt.date, str] = {}
        self._reasons: dict[tuple[allowance.Reason, ...], list[str]] = {}

    def _row(
        self,
        enrolment_id: int,
        item: allowance.MonthAllowance,
        kind: str,
        amount: Decimal,
        account: Account,
    ) -> tuple[Any, ...]:
        code = self._codes.get(item.month)
        if code is None:
            code = self._codes[item.month] = f"{item.month:%Y%m}"
        reasons = self._reasons.get(item.reasons)
        if reasons is None:
            reasons = self._reasons[item.reasons] = [r.value for r in item.reasons]
        suffix = "A" if kind == PaymentLineKind.ALLOWANCE else "D"
        return (
            self.batch_id,
            enrolment_id,
            self.lab_id,
            item.month,
            kind,
            item.validated_hours,
            item.scheduled_hours,
            item.gross,
            amount,
            reasons,
            *account,
            f"Q{self.batch_id}-{enrolment_id}-{code}-{suffix}",
            None,
            PaymentOutcome.PENDING if amount > 0 else PaymentOutcome.NOT_TRANSFERRED,
            "",
            False,
        )

    def lines(
        self,
        enrolment_id: int,
        result: allowance.AllowanceResult,
        frozen_by_month: dict[dt.date, Decimal],
        account: Account,
    ) -> Iterator[tuple[Any, ...]]:
        batch_month, batched = self.month, self.batched_months
        for item in result.months:
            month = item.month
            if month == batch_month:
                if item.amount > 0:
                    yield self._row(
                        enrolment_id, item, PaymentLineKind.ALLOWANCE, item.amount, account
                    )
            elif month in batched:
                frozen = frozen_by_month.pop(month, ZERO)
                if item.amount != frozen:
                    yield self._row(
                        enrolment_id,
                        item,
                        PaymentLineKind.ADJUSTMENT,
                        item.amount - frozen,
                        account,
                    )
        for month, amount in frozen_by_month.items():
            if amount != 0 and month in batched:
                # Hours of a frozen month disappeared (corrected down to nothing).
                empty = allowance.MonthAllowance(month, ZERO, ZERO, ZERO, ZERO, ZERO, ())
                yield self._row(enrolment_id, empty, PaymentLineKind.ADJUSTMENT, -amount, account)


def _plan_lines(
    batch: PaymentBatch,
    rules: Sequence[allowance.RuleVersion],
    batched_months: frozenset[dt.date],
) -> Iterator[tuple[Any, ...]]:
    """Yield the batch's allowance and adjustment lines as rows in LINE_COLUMNS order: one
    calculation and at most one line per resident and month, whatever their number of
    enrolments (paths) in the measure."""
    calculator = allowance.Calculator(rules)
    compute = calculator.compute
    writer = _LineWriter(batch, batched_months)
    people = _People(batch)
    postgresql = connection.vendor == "postgresql"
    # Closed here, not when the garbage collector gets to it: a crash half-way must wait for
    # the fetch in flight and close the server-side cursor before the transaction rolls back.
    with closing(_entries_postgresql(batch) if postgresql else _entries_orm(batch)) as entries:
        for entry in entries:
            for person in people.due_before(entry.enrolment_id):
                yield from _person_lines(calculator, writer, person)
            if people.hold(entry):
                continue
            yield from writer.lines(
                entry.enrolment_id, compute(entry.months), entry.frozen, entry.account
            )
    for person in people.due_before(None):
        yield from _person_lines(calculator, writer, person)


def _person_lines(
    calculator: allowance.Calculator, writer: _LineWriter, person: _Person
) -> Iterator[tuple[Any, ...]]:
    """The lines of a resident with several enrolments: their hours added up per month, the
    caps applied once, the lines on their first enrolment, what any of their enrolments had
    frozen counted against them."""
    if not person.entries:
        return
    frozen: dict[dt.date, Decimal] = {}
    for entry in person.entries:
        for month, amount in entry.frozen.items():
            frozen[month] = frozen.get(month, ZERO) + amount
    result = calculator.compute_person(
        {entry.enrolment_id: entry.months for entry in person.entries}
    )
    yield from writer.lines(person.anchor, result, frozen, person.account)
    person.entries.clear()


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


def _chunks(rows: Iterable[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


def _unpickled(spool: IO[bytes]) -> Iterator[list[tuple[Any, ...]]]:
    while True:
        try:
            yield pickle.load(spool)  # noqa: S301 - written by this process, see _spooled
        except EOFError:
            return


@contextmanager
def _spooled(rows: Iterable[tuple[Any, ...]]) -> Iterator[Iterator[list[tuple[Any, ...]]]]:
    """Read ``rows`` to the end first, kept in a temporary file past SPOOL_MEMORY bytes, then
    give them back in chunks: the source (a stream on the connection) is done before anything
    else is sent, and memory stays flat whatever their number."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY) as spool:
        for chunk in _chunks(rows):
            pickle.dump(chunk, spool, protocol=pickle.HIGHEST_PROTOCOL)
        spool.seek(0)
        yield _unpickled(spool)  # type: ignore[arg-type]


def _insert(rows: Iterable[tuple[Any, ...]]) -> None:
    """Write line rows in chunks: COPY on PostgreSQL, bulk_create elsewhere."""
    if connection.vendor == "postgresql":
        table = PaymentLine._meta.db_table
        statement = f"COPY {table} ({', '.join(LINE_COLUMNS)}) FROM STDIN"
        dumped: dict[tuple[str, ...], str] = {}
        with (
            _spooled(rows) as chunks,
            connection.cursor() as cursor,
            cursor.cursor.copy(statement) as copy,
        ):
            write = copy.write_row
            for rows_chunk in chunks:
                for row in rows_chunk:
                    key = tuple(row[9])
                    reasons = dumped.get(key)
                    if reasons is None:
                        reasons = dumped[key] = json.dumps(row[9])
                    write((*row[:9], reasons, *row[10:]))
                del rows_chunk  # one chunk in memory at a time, not two
        return
    for chunk in _chunks(rows):
        PaymentLine.objects.bulk_create(
            PaymentLine(**dict(zip(LINE_COLUMNS, row, strict=True))) for row in chunk
        )


def _snapshot_accounts(batch: PaymentBatch) -> None:
    """Copy each line's enrolment's IBAN (still encrypted), masked IBAN and holder into the
    lines that do not have them yet (carried-over lines on PostgreSQL; elsewhere every line but
    those of residents with several enrolments, which carry their latest enrolment's)."""
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
    PaymentLine.objects.filter(batch=batch, iban="").update(
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
