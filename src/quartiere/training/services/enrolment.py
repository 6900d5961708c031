"""Writes on eligibility checks and enrolments (plan, IBAN, start, withdrawal, completion)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumError

from quartiere.core import audit
from quartiere.core.exceptions import ApplicationError, InvalidTransitionError
from quartiere.monitoring import services as monitoring
from quartiere.monitoring.enums import OperationKind
from quartiere.training import eligibility
from quartiere.training.enums import (
    ACTIVE_ENROLMENT_STATUSES,
    EnrolmentStatus,
    Gate,
    PathStatus,
)
from quartiere.training.models import EligibilityCheck, Enrolment, Measure, TrainingPath

# How long an eligibility check stays good for an enrolment.
CHECK_VALID_DAYS = 30
ENROLLABLE_PATH_STATUSES = frozenset({PathStatus.OPEN, PathStatus.RUNNING})
TRANSITIONS: dict[str, frozenset[str]] = {
    EnrolmentStatus.ENROLLED: frozenset({EnrolmentStatus.STARTED, EnrolmentStatus.WITHDRAWN}),
    EnrolmentStatus.STARTED: frozenset({EnrolmentStatus.WITHDRAWN, EnrolmentStatus.COMPLETED}),
    EnrolmentStatus.WITHDRAWN: frozenset(),
    EnrolmentStatus.COMPLETED: frozenset(),
}


def operation_key(path: TrainingPath | int) -> str:
    """The ESF operation key of a path (one participation per resident and path)."""
    pk = path if isinstance(path, int) else path.pk
    return f"training.path:{pk}"


def normalise_iban(value: str) -> str:
    return stdnum_iban.compact(value or "")


def mask_iban(compact: str) -> str:
    """Show the country, check digits and last four characters only."""
    if len(compact) < 8:
        return "****"
    return f"{compact[:4]} **** **** {compact[-4:]}"


def _name_key(value: str) -> list[str]:
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    cleaned = "".join(c if c.isalnum() else " " for c in text)
    return sorted(cleaned.split())


def holder_matches(holder: str, resident: Any) -> bool:
    """Tell whether an account holder's name is the resident's own (any order, accents, case)."""
    return bool(_name_key(holder)) and _name_key(holder) == _name_key(
        f"{resident.first_name} {resident.last_name}"
    )


def validate_bank_details(*, iban: str, holder: str, resident: Any) -> str:
    """Return the compact IBAN; raise ApplicationError (per field) when the checksum fails or
    the holder is not the participant."""
    errors: dict[str, list[str]] = {}
    compact = normalise_iban(iban)
    try:
        stdnum_iban.validate(compact)
    except StdnumError:
        errors["iban"] = [_("This IBAN is not valid: check the digits.")]
    if not holder_matches(holder, resident):
        errors["account_holder"] = [
            _(
                "The account must be in the participant's own name (%(name)s): the allowance "
                "cannot be paid to someone else."
            )
            % {"name": resident.full_name}
        ]
    if errors:
        raise ApplicationError(_("The bank details are not accepted."), fields=errors)
    return compact


def _current_building(resident: Any) -> Any:
    if not resident.household_id:
        return None
    tenancy = (
        resident.household.tenancies.filter(ends_on__isnull=True)
        .select_related("unit__building")
        .order_by("-starts_on")
        .first()
    )
    return tenancy.unit.building if tenancy else None


def gate_config(measure: Measure) -> eligibility.GateConfig:
    """Read a measure's switches and parameters into the pure gate configuration."""
    ids = frozenset(measure.target_buildings.values_list("pk", flat=True))
    return eligibility.GateConfig(
        age=measure.gate_age,
        min_age=measure.min_age,
        residence=measure.gate_residence,
        target_building_ids=ids or None,
        district_id=measure.lab.district_id,
        unemployed=measure.gate_unemployed,
        min_unemployed_months=measure.min_unemployed_months,
        permit=measure.gate_permit,
        isee=measure.gate_isee,
        isee_threshold=measure.isee_threshold,
        isee_max_age_months=measure.isee_max_age_months,
        income_support=measure.gate_income_support,
    )


@transaction.atomic
def eligibility_check_run(
    *,
    actor: Any,
    measure: Measure,
    resident: Any,
    checked_on: dt.date,
    unemployed_since: dt.date | None = None,
    permit_expires_on: dt.date | None = None,
    isee_value: Decimal | None = None,
    isee_date: dt.date | None = None,
    income_support: str = "",
) -> EligibilityCheck:
    """Check every gate of the measure for a resident and keep the evidence and results.

    Date of birth, citizenship and residence come from the resident's record; the rest is
    declared at the desk. The snapshot is stored whether or not the resident passes.
    """
    if resident.lab_id != measure.lab_id:
        raise ApplicationError(_("The resident is not known to this measure's lab."))
    building = _current_building(resident)
    permit = permit_expires_on or resident.residence_permit_expires_on
    evidence = eligibility.Evidence(
        birth_date=resident.birth_date,
        building_id=building.pk if building else None,
        building_district_id=building.district_id if building else None,
        is_unemployed=unemployed_since is not None,
        unemployed_since=unemployed_since,
        citizenship=resident.citizenship,
        permit_expires_on=permit,
        isee_value=isee_value,
        isee_date=isee_date,
        income_support=income_support,
    )
    results = eligibility.evaluate(gate_config(measure), evidence, today=checked_on)
    check = EligibilityCheck.objects.create(
        measure=measure,
        resident=resident,
        lab_id=measure.lab_id,
        checked_on=checked_on,
        checked_by=actor if getattr(actor, "is_authenticated", False) else None,
        birth_date=resident.birth_date,
        residence_building=building,
        is_unemployed=unemployed_since is not None,
        unemployed_since=unemployed_since,
        citizenship=resident.citizenship,
        permit_expires_on=permit,
        isee_value=isee_value,
        isee_date=isee_date,
        income_support=income_support,
        results={r.gate: r.as_json() for r in results},
        passed=eligibility.all_passed(results),
    )
    audit.record(
        actor=actor,
        action="training.eligibility_check",
        target=check,
        label=f"{measure.name} / resident {resident.pk}",
        changes={
            "passed": ["", check.passed],
            "failed_gates": ["", [r.gate for r in results if not r.passed]],
        },
    )
    return check


def failed_gate_messages(check: EligibilityCheck) -> list[str]:
    """One sentence per failed gate, e.g. for the refusal message."""
    out = []
    for gate in Gate:
        result = check.results.get(gate.value)
        if result and result.get("enabled") and not result.get("passed"):
            out.append(f"{gate.label}: {eligibility.describe(gate.value, result)}")
    return out


@transaction.atomic
def enrolment_create(
    *,
    actor: Any,
    path: TrainingPath,
    check: EligibilityCheck,
    enrolled_on: dt.date,
    planned_hours: Decimal,
    objectives: str,
    iban: str,
    account_holder: str,
    entry_data: monitoring.EntryData,
) -> Enrolment:
    """Enrol a resident who passed every gate, with a plan and an IBAN in their own name.

    Raises ApplicationError when a gate failed (one reason per gate), the check is stale or for
    another measure, the path is not open or full, the resident is already enrolled, the
    planned hours exceed the path's, or the bank details are refused. Records the ESF entry
    data and the participation in the path.
    """
    path = TrainingPath.objects.select_for_update().select_related("measure").get(pk=path.pk)
    resident = check.resident
    if check.measure_id != path.measure_id:
        raise ApplicationError(_("This eligibility check is for another measure."))
    if not check.passed:
        raise ApplicationError(
            _("Enrolment refused: %(reasons)s") % {"reasons": " ".join(failed_gate_messages(check))}
        )
    if not (0 <= (enrolled_on - check.checked_on).days <= CHECK_VALID_DAYS):
        raise ApplicationError(
            _("The eligibility check is older than %(days)s days: check the gates again.")
            % {"days": CHECK_VALID_DAYS}
        )
    if path.status not in ENROLLABLE_PATH_STATUSES:
        raise ApplicationError(_("This path is not open for enrolment."))
    if Enrolment.objects.filter(path=path, resident=resident).exists():
        raise ApplicationError(_("This resident is already enrolled on this path."))
    taken = path.enrolments.filter(status__in=ACTIVE_ENROLMENT_STATUSES).count()
    if taken >= path.places:
        raise ApplicationError(_("This path has no places left."))
    errors: dict[str, list[str]] = {}
    if planned_hours <= 0 or planned_hours > path.hours:
        errors["planned_hours"] = [
            _("Enter between 1 and %(hours)s hours (the path's length).") % {"hours": path.hours}
        ]
    if not objectives.strip():
        errors["objectives"] = [_("Write the participant's objectives.")]
    try:
        compact = validate_bank_details(iban=iban, holder=account_holder, resident=resident)
    except ApplicationError as exc:
        errors.update(exc.fields)
        compact = ""
    if errors:
        raise ApplicationError(_("Please correct the errors below."), fields=errors)
    enrolment = Enrolment.objects.create(
        path=path,
        resident=resident,
        lab_id=path.lab_id,
        measure_id=path.measure_id,
        eligibility=check,
        enrolled_on=enrolled_on,
        planned_hours=planned_hours,
        objectives=objectives.strip(),
        iban=compact,
        iban_masked=mask_iban(compact),
        account_holder=" ".join(account_holder.split()),
    )
    monitoring.participant_entry_data_record(
        resident=resident, data=entry_data, collected_on=enrolled_on, actor=actor
    )
    monitoring.participation_record(
        resident=resident,
        lab_id=path.lab_id,
        kind=OperationKind.TRAINING,
        operation_key=operation_key(path),
        operation_label=path.title,
        entered_on=enrolled_on,
        actor=actor,
    )
    # The IBAN itself never goes into the audit trail.
    audit.record(
        actor=actor,
        action="training.enrolment_create",
        target=enrolment,
        changes={"status": ["", enrolment.status], "iban": ["", enrolment.iban_masked]},
    )
    return enrolment


def _transition(enrolment: Enrolment, to: str) -> Enrolment:
    locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if to not in TRANSITIONS[locked.status]:
        raise InvalidTransitionError(
            _("An enrolment that is %(status)s cannot become %(to)s.")
            % {"status": locked.get_status_display(), "to": EnrolmentStatus(to).label}
        )
    return locked


@transaction.atomic
def enrolment_start(*, actor: Any, enrolment: Enrolment, started_on: dt.date) -> Enrolment:
    """Mark the start of the path for an enrolled participant."""
    enrolment = _transition(enrolment, EnrolmentStatus.STARTED)
    if started_on < enrolment.enrolled_on:
        raise ApplicationError(
            _("The start cannot precede the enrolment."),
            fields={"on": [_("Choose a date on or after the enrolment date.")]},
        )
    enrolment.status, enrolment.started_on = EnrolmentStatus.STARTED, started_on
    enrolment.save(update_fields=["status", "started_on", "updated_at"])
    audit.record(
        actor=actor,
        action="training.enrolment_start",
        target=enrolment,
        changes={"status": [EnrolmentStatus.ENROLLED, EnrolmentStatus.STARTED]},
    )
    return enrolment


@transaction.atomic
def enrolment_withdraw(
    *, actor: Any, enrolment: Enrolment, withdrawn_on: dt.date, reason: str
) -> Enrolment:
    """Record a withdrawal with its date and reason, and the exit from the ESF operation.

    Attendance already entered up to that date stays; later sessions no longer list the person.
    """
    enrolment = _transition(enrolment, EnrolmentStatus.WITHDRAWN)
    errors: dict[str, list[str]] = {}
    if withdrawn_on < enrolment.enrolled_on:
        errors["on"] = [_("Choose a date on or after the enrolment date.")]
    if not reason.strip():
        errors["reason"] = [_("Give the reason for the withdrawal.")]
    if errors:
        raise ApplicationError(_("Please correct the errors below."), fields=errors)
    old = enrolment.status
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.withdrawn_on, enrolment.withdrawal_reason = withdrawn_on, reason.strip()
    enrolment.save(update_fields=["status", "withdrawn_on", "withdrawal_reason", "updated_at"])
    monitoring.participation_exit(
        resident=enrolment.resident,
        operation_key=operation_key(enrolment.path_id),
        exited_on=withdrawn_on,
        actor=actor,
    )
    audit.record(
        actor=actor,
        action="training.enrolment_withdraw",
        target=enrolment,
        changes={"status": [old, enrolment.status]},
    )
    return enrolment


@transaction.atomic
def enrolment_complete(*, actor: Any, enrolment: Enrolment, completed_on: dt.date) -> Enrolment:
    """Record the completion of the path and the exit from the ESF operation."""
    enrolment = _transition(enrolment, EnrolmentStatus.COMPLETED)
    if enrolment.started_on and completed_on < enrolment.started_on:
        raise ApplicationError(
            _("The completion cannot precede the start."),
            fields={"on": [_("Choose a date on or after the start date.")]},
        )
    enrolment.status, enrolment.completed_on = EnrolmentStatus.COMPLETED, completed_on
    enrolment.save(update_fields=["status", "completed_on", "updated_at"])
    monitoring.participation_exit(
        resident=enrolment.resident,
        operation_key=operation_key(enrolment.path_id),
        exited_on=completed_on,
        actor=actor,
    )
    audit.record(
        actor=actor,
        action="training.enrolment_complete",
        target=enrolment,
        changes={"status": [EnrolmentStatus.STARTED, EnrolmentStatus.COMPLETED]},
    )
    return enrolment


@transaction.atomic
def enrolment_bank_details_change(
    *, actor: Any, enrolment: Enrolment, iban: str, account_holder: str
) -> list[Enrolment]:
    """Replace the IBAN, still in the participant's own name, on every enrolment of the
    participant in the lab: a person has one account, and a batch pays a person with several
    paths from their latest enrolment's account (each changed enrolment is audited).

    Lines already frozen keep the account they were built with; a failed payment carried over
    to the next batch goes to the new one. Returns the enrolments changed.
    """
    enrolment = Enrolment.objects.select_related("resident").get(pk=enrolment.pk)
    compact = validate_bank_details(iban=iban, holder=account_holder, resident=enrolment.resident)
    holder = " ".join(account_holder.split())
    changed = list(
        Enrolment.objects.select_for_update()
        .filter(resident_id=enrolment.resident_id, lab_id=enrolment.lab_id)
        .order_by("pk")
    )
    for each in changed:
        old = each.iban_masked
        each.iban, each.iban_masked = compact, mask_iban(compact)
        each.account_holder = holder
        each.save(update_fields=["iban", "iban_masked", "account_holder", "updated_at"])
        audit.record(
            actor=actor,
            action="training.enrolment_bank_details",
            target=each,
            changes={"iban": [old, each.iban_masked]},
        )
    return changed


@dataclass(frozen=True)
class EnrolmentLoad:
    """One participant of a bulk load: the declared evidence, the plan and where they ended."""

    resident: Any
    checked_on: dt.date
    unemployed_since: dt.date | None
    isee_value: Decimal | None
    isee_date: dt.date | None
    income_support: str
    planned_hours: Decimal
    objectives: str
    iban: str
    entry_data: monitoring.EntryData
    started_on: dt.date | None = None
    withdrawn_on: dt.date | None = None
    withdrawal_reason: str = ""
    completed_on: dt.date | None = None


@transaction.atomic
def enrolments_bulk_load(
    *, actor: Any, path: TrainingPath, rows: list[EnrolmentLoad]
) -> list[Enrolment]:
    """Load many enrolments at once (imports, demo data) under the same rules as one by one.

    Each row's gates are checked and kept as an ``EligibilityCheck``; rows that fail a gate, have
    an invalid IBAN or exceed the places are skipped. The ESF entry, participation and exit go
    through the monitoring services; one audit event sums up the load.
    """
    path = TrainingPath.objects.select_for_update().select_related("measure__lab").get(pk=path.pk)
    cfg = gate_config(path.measure)
    ids = [r.resident.pk for r in rows]
    homes: dict[int, tuple[int, int]] = {}
    if rows:
        resident_model = type(rows[0].resident)
        for rid, building_id, district_id in resident_model.objects.filter(
            pk__in=ids, household__tenancies__ends_on__isnull=True
        ).values_list(
            "pk",
            "household__tenancies__unit__building_id",
            "household__tenancies__unit__building__district_id",
        ):
            homes[rid] = (building_id, district_id)
    taken = path.enrolments.filter(status__in=ACTIVE_ENROLMENT_STATUSES).count()
    already = set(path.enrolments.values_list("resident_id", flat=True))
    checks: list[EligibilityCheck] = []
    accepted: list[EnrolmentLoad | None] = []
    for row in rows:
        resident = row.resident
        building_id, district_id = homes.get(resident.pk, (None, None))
        permit = resident.residence_permit_expires_on
        evidence = eligibility.Evidence(
            birth_date=resident.birth_date,
            building_id=building_id,
            building_district_id=district_id,
            is_unemployed=row.unemployed_since is not None,
            unemployed_since=row.unemployed_since,
            citizenship=resident.citizenship,
            permit_expires_on=permit,
            isee_value=row.isee_value,
            isee_date=row.isee_date,
            income_support=row.income_support,
        )
        results = eligibility.evaluate(cfg, evidence, today=row.checked_on)
        passed = eligibility.all_passed(results)
        checks.append(
            EligibilityCheck(
                measure_id=path.measure_id,
                resident=resident,
                lab_id=path.lab_id,
                checked_on=row.checked_on,
                checked_by=actor if getattr(actor, "is_authenticated", False) else None,
                birth_date=resident.birth_date,
                residence_building_id=building_id,
                is_unemployed=row.unemployed_since is not None,
                unemployed_since=row.unemployed_since,
                citizenship=resident.citizenship,
                permit_expires_on=permit,
                isee_value=row.isee_value,
                isee_date=row.isee_date,
                income_support=row.income_support,
                results={r.gate: r.as_json() for r in results},
                passed=passed,
            )
        )
        ok = passed and resident.pk not in already and taken < path.places
        if ok:
            try:
                stdnum_iban.validate(row.iban)
            except StdnumError:
                ok = False
        accepted.append(row if ok else None)
        if ok:
            taken += 1
            already.add(resident.pk)
    EligibilityCheck.objects.bulk_create(checks)
    enrolments: list[Enrolment] = []
    for maybe, check in zip(accepted, checks, strict=True):
        if maybe is None:
            continue
        row = maybe
        status = EnrolmentStatus.ENROLLED
        if row.started_on:
            status = EnrolmentStatus.STARTED
        if row.withdrawn_on:
            status = EnrolmentStatus.WITHDRAWN
        elif row.completed_on:
            status = EnrolmentStatus.COMPLETED
        compact = normalise_iban(row.iban)
        enrolments.append(
            Enrolment(
                path=path,
                resident=row.resident,
                lab_id=path.lab_id,
                measure_id=path.measure_id,
                eligibility=check,
                status=status,
                enrolled_on=row.checked_on,
                started_on=row.started_on,
                withdrawn_on=row.withdrawn_on,
                withdrawal_reason=row.withdrawal_reason,
                completed_on=row.completed_on,
                planned_hours=row.planned_hours,
                objectives=row.objectives,
                iban=compact,
                iban_masked=mask_iban(compact),
                account_holder=row.resident.full_name,
            )
        )
    Enrolment.objects.bulk_create(enrolments)
    entry_data = {r.resident.pk: r.entry_data for r in accepted if r is not None}
    for e in enrolments:
        monitoring.participant_entry_data_record(
            resident=e.resident,
            data=entry_data[e.resident.pk],
            collected_on=e.enrolled_on,
            actor=actor,
        )
        monitoring.participation_record(
            resident=e.resident,
            lab_id=path.lab_id,
            kind=OperationKind.TRAINING,
            operation_key=operation_key(path),
            operation_label=path.title,
            entered_on=e.enrolled_on,
            actor=actor,
        )
        if e.left_on is not None:
            monitoring.participation_exit(
                resident=e.resident,
                operation_key=operation_key(path),
                exited_on=e.left_on,
                actor=actor,
            )
    audit.record(
        actor=actor,
        action="training.enrolments_bulk_load",
        target=path,
        changes={"checked": [0, len(checks)], "enrolled": [0, len(enrolments)]},
    )
    return enrolments
