"""Reads of the training context, scoped to the user's labs."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from quartiere.accounts.enums import Role
from quartiere.accounts.selectors import user_scope
from quartiere.training import allowance
from quartiere.training.enums import ACTIVE_ENROLMENT_STATUSES
from quartiere.training.models import (
    AccreditedOperator,
    AllowanceRule,
    AttendanceCorrection,
    AttendanceRecord,
    AttendanceRegister,
    EligibilityCheck,
    Enrolment,
    Measure,
    TrainingPath,
    TrainingSession,
)
from quartiere.training.permissions import is_lab_training_staff, operator_paths_filter


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _labs(user: Any) -> frozenset[int] | None:
    return user_scope(user).lab_filter


def _in_scope(qs: QuerySet[Any], user: Any, field: str = "lab_id") -> QuerySet[Any]:
    labs = _labs(user)
    return qs if labs is None else qs.filter(**{f"{field}__in": labs})


# --- Measures -------------------------------------------------------------------------------


def measure_list(*, user: Any, lab_id: int | None = None) -> QuerySet[Measure]:
    """List the measures of the user's labs, with their number of paths and enrolments."""
    qs = _in_scope(Measure.objects.select_related("lab"), user)
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    return qs.annotate(
        path_count=Count("paths", distinct=True),
        active_count=Count(
            "enrolments",
            filter=Q(enrolments__status__in=ACTIVE_ENROLMENT_STATUSES),
            distinct=True,
        ),
    ).order_by("lab__name", "name")


def measure_get(*, user: Any, pk: int) -> Measure | None:
    """Return one measure of the user's labs with its rule versions and target buildings."""
    return (
        _in_scope(Measure.objects.select_related("lab__district"), user)
        .prefetch_related(
            Prefetch("rules", queryset=AllowanceRule.objects.order_by("valid_from")),
            "target_buildings",
        )
        .filter(pk=pk)
        .first()
    )


def allowance_rules_for(*, measure_id: int) -> list[allowance.RuleVersion]:
    """The measure's rule versions as the allowance module's values, oldest first."""
    return [
        allowance.RuleVersion(
            valid_from=r.valid_from,
            valid_to=r.valid_to,
            hourly_rate=r.hourly_rate,
            month_cap=r.month_cap,
            person_cap=r.person_cap,
            min_attendance_ratio=r.min_attendance_ratio,
        )
        for r in AllowanceRule.objects.filter(measure_id=measure_id).order_by("valid_from")
    ]


def operator_list(*, user: Any, lab_id: int | None = None) -> QuerySet[AccreditedOperator]:
    """List the accredited operators of the user's labs."""
    qs = _in_scope(AccreditedOperator.objects.select_related("organisation", "lab"), user)
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    return qs


def trainer_choices(*, lab_id: int) -> QuerySet[Any]:
    """Users who can be a path's trainer: the lab's training operators and operator staff."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            Q(
                memberships__lab_id=lab_id,
                memberships__role=Role.TRAINING_OPERATOR,
                memberships__is_active=True,
            )
            | Q(training_operator_staff__lab_id=lab_id),
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


# --- Paths and sessions ---------------------------------------------------------------------


def _paths_for(user: Any) -> QuerySet[TrainingPath]:
    qs = _in_scope(TrainingPath.objects.all(), user)
    if not is_lab_training_staff(user):
        qs = qs.filter(operator_paths_filter(user)).distinct()
    return qs


def path_list(
    *,
    user: Any,
    measure_id: int | None = None,
    status: str = "",
    q: str = "",
) -> QuerySet[TrainingPath]:
    """List the paths the user sees: all of their labs for lab staff, their own for operators."""
    qs = _paths_for(user).select_related("measure", "operator__organisation", "trainer", "lab")
    if measure_id is not None:
        qs = qs.filter(measure_id=measure_id)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(title__icontains=q.strip())
    return qs.annotate(
        active_count=Count(
            "enrolments",
            filter=Q(enrolments__status__in=ACTIVE_ENROLMENT_STATUSES),
            distinct=True,
        ),
        session_count=Count("sessions", distinct=True),
    ).order_by("-starts_on", "title")


def path_get(*, user: Any, pk: int) -> TrainingPath | None:
    """Return one path the user sees."""
    return (
        _paths_for(user)
        .select_related("measure__lab", "operator__organisation", "trainer", "lab")
        .filter(pk=pk)
        .first()
    )


def session_list(*, path: TrainingPath) -> QuerySet[TrainingSession]:
    """The path's sessions with their register (if any)."""
    return (
        TrainingSession.objects.filter(path=path).select_related("register").order_by("starts_at")
    )


def session_get(*, user: Any, pk: int) -> TrainingSession | None:
    """Return one session of a path the user sees."""
    paths = _paths_for(user).values("pk")
    return (
        TrainingSession.objects.filter(pk=pk, path__in=paths)
        .select_related("path__operator__organisation", "path__measure", "path__trainer")
        .first()
    )


# --- Enrolments -----------------------------------------------------------------------------


def enrolment_list(
    *,
    user: Any,
    measure_id: int | None = None,
    path_id: int | None = None,
    status: str = "",
    q: str = "",
) -> QuerySet[Enrolment]:
    """List the enrolments of the user's labs, filtered; IBANs appear masked only."""
    qs = _in_scope(Enrolment.objects.all(), user).select_related(
        "resident", "path", "measure", "lab"
    )
    if measure_id is not None:
        qs = qs.filter(measure_id=measure_id)
    if path_id is not None:
        qs = qs.filter(path_id=path_id)
    if status:
        qs = qs.filter(status=status)
    if q:
        for word in q.split():
            qs = qs.filter(
                Q(resident__last_name__icontains=word)
                | Q(resident__first_name__icontains=word)
                | Q(resident__codice_fiscale__istartswith=word)
            )
    return qs.defer("iban").order_by("-enrolled_on", "-pk")


def enrolment_export_rows(*, qs: QuerySet[Enrolment]) -> Iterable[list[Any]]:
    """Rows of the enrolment export, streamed in chunks."""
    for e in qs.iterator(chunk_size=500):
        yield [
            e.pk,
            e.resident.last_name,
            e.resident.first_name,
            e.resident.codice_fiscale,
            e.measure.name,
            e.path.title,
            e.get_status_display(),
            e.enrolled_on,
            e.started_on,
            e.withdrawn_on,
            e.completed_on,
            e.withdrawal_reason,
            e.planned_hours,
            e.iban_masked,
        ]


def enrolment_get(*, user: Any, pk: int) -> Enrolment | None:
    """Return one enrolment of the user's labs, with its path, measure and eligibility check."""
    return (
        _in_scope(Enrolment.objects.all(), user)
        .select_related("resident", "path__operator__organisation", "measure", "eligibility", "lab")
        .filter(pk=pk)
        .first()
    )


def resident_enrolments(*, resident_id: int) -> QuerySet[Enrolment]:
    """A resident's own enrolments (for their page)."""
    return (
        Enrolment.objects.filter(resident_id=resident_id)
        .select_related("path__operator__organisation", "measure", "lab")
        .defer("iban")
        .order_by("-enrolled_on")
    )


def eligibility_check_get(*, user: Any, pk: int) -> EligibilityCheck | None:
    """Return one eligibility check of the user's labs."""
    return (
        _in_scope(EligibilityCheck.objects.all(), user)
        .select_related("resident", "measure", "residence_building", "checked_by")
        .filter(pk=pk)
        .first()
    )


def active_enrolment_count(*, path: TrainingPath) -> int:
    return path.enrolments.filter(status__in=ACTIVE_ENROLMENT_STATUSES).count()


# --- Registers ------------------------------------------------------------------------------


def register_list(
    *, user: Any, status: str = "", path_id: int | None = None
) -> QuerySet[AttendanceRegister]:
    """List the registers the user sees: lab staff all of their labs, operators their paths."""
    qs = _in_scope(AttendanceRegister.objects.all(), user)
    if not is_lab_training_staff(user):
        qs = qs.filter(session__path__in=_paths_for(user).values("pk"))
    if status:
        qs = qs.filter(status=status)
    if path_id is not None:
        qs = qs.filter(session__path_id=path_id)
    return (
        qs.select_related("session__path__operator__organisation", "entered_by", "validated_by")
        .annotate(
            line_count=Count("records"),
            hours_total=Sum("records__effective_hours"),
        )
        .order_by("-session__starts_at")
    )


def register_get(*, user: Any, pk: int) -> AttendanceRegister | None:
    """Return one register the user sees."""
    qs = _in_scope(AttendanceRegister.objects.all(), user)
    if not is_lab_training_staff(user):
        qs = qs.filter(session__path__in=_paths_for(user).values("pk"))
    return (
        qs.select_related(
            "session__path__operator__organisation",
            "session__path__measure",
            "session__path__trainer",
            "entered_by",
            "submitted_by",
            "validated_by",
        )
        .filter(pk=pk)
        .first()
    )


def register_lines(*, register: AttendanceRegister) -> QuerySet[AttendanceRecord]:
    """A register's lines with their participant and corrections, by surname."""
    return (
        register.records.select_related("enrolment__resident")
        .prefetch_related(
            Prefetch(
                "corrections",
                queryset=AttendanceCorrection.objects.select_related("created_by").order_by(
                    "created_at", "pk"
                ),
            )
        )
        .order_by("enrolment__resident__last_name", "enrolment__resident__first_name", "pk")
    )


def register_export_rows(*, qs: QuerySet[AttendanceRegister]) -> Iterable[list[Any]]:
    """Rows of the registers export: one per register."""
    for r in qs.iterator(chunk_size=500):
        yield [
            r.pk,
            r.session.path.title,
            r.session.starts_at,
            r.session.hours,
            r.get_status_display(),
            getattr(r, "line_count", None),
            getattr(r, "hours_total", None),
            r.validated_by.get_full_name() if r.validated_by else "",
            r.validated_at,
        ]


# --- Hours and allowance --------------------------------------------------------------------


def validated_hours_by_month(
    *, month: dt.date, lab_id: int | None = None, measure_id: int | None = None
) -> QuerySet[Any, Any]:
    """Per enrolment, the validated hours of one month: one SQL aggregation on one table.

    Rows: ``{"enrolment_id", "validated_hours", "session_hours", "justified_hours"}``.
    ``validated_hours`` sums the effective hours (latest correction) of validated registers;
    ``session_hours`` the sessions' lengths; ``justified_hours`` the scheduled hours of the
    sessions missed with a justified absence. Uses the index (lab, month, is_validated,
    enrolment).
    """
    qs = AttendanceRecord.objects.filter(month=month_start(month), is_validated=True)
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    if measure_id is not None:
        qs = qs.filter(enrolment__measure_id=measure_id)
    return (
        qs.order_by()
        .values("enrolment_id")
        .annotate(
            validated_hours=Sum("effective_hours"),
            session_hours=Sum("scheduled_hours"),
            justified_hours=Sum("scheduled_hours", filter=Q(justified_absence=True), default=0),
        )
        .order_by("enrolment_id")
    )


@dataclass(frozen=True)
class MonthRow:
    """One month of a participant's attendance, validated or still pending."""

    month: dt.date
    validated_hours: Decimal
    scheduled_hours: Decimal
    justified_hours: Decimal
    pending_hours: Decimal


def enrolment_months(*, enrolment_ids: Collection[int]) -> dict[int, list[MonthRow]]:
    """Per enrolment, its months with validated, scheduled, justified and pending hours."""
    rows = (
        AttendanceRecord.objects.filter(enrolment_id__in=list(enrolment_ids))
        .order_by()
        .values("enrolment_id", "month")
        .annotate(
            validated=Sum("effective_hours", filter=Q(is_validated=True), default=0),
            scheduled=Sum("scheduled_hours", filter=Q(is_validated=True), default=0),
            justified=Sum(
                "scheduled_hours", filter=Q(is_validated=True, justified_absence=True), default=0
            ),
            pending=Sum("effective_hours", filter=Q(is_validated=False), default=0),
        )
        .order_by("enrolment_id", "month")
    )
    out: dict[int, list[MonthRow]] = defaultdict(list)
    for r in rows:
        out[r["enrolment_id"]].append(
            MonthRow(
                month=r["month"],
                validated_hours=Decimal(r["validated"]),
                scheduled_hours=Decimal(r["scheduled"]),
                justified_hours=Decimal(r["justified"]),
                pending_hours=Decimal(r["pending"]),
            )
        )
    return out


def month_hours(rows: Iterable[MonthRow]) -> list[allowance.MonthHours]:
    """Turn month rows into the allowance module's input (justified absences not scheduled)."""
    return [
        allowance.MonthHours(
            month=r.month,
            validated_hours=r.validated_hours,
            scheduled_hours=max(r.scheduled_hours - r.justified_hours, Decimal(0)),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class EnrolmentAllowance:
    """A participant's allowance: the person's months in the measure (the hours of all their
    enrolments of it added up), this enrolment's own months, and the calculation."""

    months: list[MonthRow]
    path_months: list[MonthRow]
    result: allowance.AllowanceResult
    rules: list[allowance.RuleVersion]
    enrolment_ids: list[int]


def _add_up(rows: Iterable[MonthRow]) -> list[MonthRow]:
    """One row per month: the rows of several enrolments added up."""
    by_month: dict[dt.date, MonthRow] = {}
    for r in rows:
        seen = by_month.get(r.month)
        by_month[r.month] = (
            r
            if seen is None
            else MonthRow(
                month=r.month,
                validated_hours=seen.validated_hours + r.validated_hours,
                scheduled_hours=seen.scheduled_hours + r.scheduled_hours,
                justified_hours=seen.justified_hours + r.justified_hours,
                pending_hours=seen.pending_hours + r.pending_hours,
            )
        )
    return [by_month[month] for month in sorted(by_month)]


def enrolment_allowance(*, enrolment: Enrolment) -> EnrolmentAllowance:
    """The allowance of one participant, month by month, with the reason for each cap.

    The allowance is per person and measure: the hours of the resident's other enrolments of the
    same measure are added up with this one's, and the minimum attendance, the monthly cap and
    the per-person cap apply once to the sum (as the payment batches do)."""
    ids = sorted(
        Enrolment.objects.filter(
            measure_id=enrolment.measure_id, resident_id=enrolment.resident_id
        ).values_list("pk", flat=True)
    )
    if enrolment.pk not in ids:
        ids.append(enrolment.pk)
    months = enrolment_months(enrolment_ids=ids)
    rules = allowance_rules_for(measure_id=enrolment.measure_id)
    result = allowance.compute_person(rules, {pk: month_hours(months.get(pk, [])) for pk in ids})
    return EnrolmentAllowance(
        months=_add_up(row for pk in ids for row in months.get(pk, [])),
        path_months=months.get(enrolment.pk, []),
        result=result,
        rules=rules,
        enrolment_ids=ids,
    )


def enrolment_path_titles(*, enrolment_ids: Collection[int]) -> list[str]:
    """The titles of the paths of these enrolments, in enrolment order."""
    return list(
        Enrolment.objects.filter(pk__in=list(enrolment_ids))
        .order_by("pk")
        .values_list("path__title", flat=True)
    )


def measure_allowance_due(*, measure_ids: Collection[int]) -> dict[int, Decimal]:
    """Per measure, the allowance due to date from validated hours (all participants; one
    calculation per resident across their enrolments of the measure)."""
    enrolments = {
        pk: (measure_id, resident_id)
        for pk, measure_id, resident_id in Enrolment.objects.filter(
            measure_id__in=list(measure_ids)
        ).values_list("pk", "measure_id", "resident_id")
    }
    months = enrolment_months(enrolment_ids=list(enrolments))
    calculators = {
        mid: allowance.Calculator(allowance_rules_for(measure_id=mid)) for mid in measure_ids
    }
    people: dict[tuple[int, int], dict[int, list[allowance.MonthHours]]] = defaultdict(dict)
    for enrolment_id, rows in months.items():
        people[enrolments[enrolment_id]][enrolment_id] = month_hours(rows)
    totals: dict[int, Decimal] = {mid: Decimal("0.00") for mid in measure_ids}
    for (mid, _resident_id), by_enrolment in people.items():
        totals[mid] += calculators[mid].compute_person(by_enrolment).total
    return totals


def measure_payment_totals(
    *, user: Any, measure_ids: Collection[int]
) -> dict[int, dict[str, Decimal]]:
    """Committed (in payment batches) and paid totals per measure, from the payments part."""
    from quartiere.training import payments_selectors

    rows = payments_selectors.payment_measure_list(user=user).filter(pk__in=list(measure_ids))
    return {
        m.pk: {"committed": getattr(m, "committed_amount"), "paid": getattr(m, "paid_amount")}  # noqa: B009
        for m in rows
    }


def payment_lines_by_enrolment(*, enrolment_ids: Collection[int]) -> dict[int, list[Any]]:
    """Each participant's payment lines (built batches only), newest month first."""
    from quartiere.training import payments_selectors

    out: dict[int, list[Any]] = defaultdict(list)
    for line in payments_selectors.payment_line_for_resident_list(enrolment_ids=enrolment_ids):
        out[line.enrolment_id].append(line)
    return out
