"""Writes of the relocation context: plans and their rules, the pool, needs, solving, offers,
moves and returns. Each function is one use case in one transaction, audited."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from quartiere.core import audit
from quartiere.core.exceptions import ApplicationError
from quartiere.people import services as people_services
from quartiere.people.enums import TenancyKind
from quartiere.relocation import selectors, solver, workflow
from quartiere.relocation.enums import (
    LOCKED_STATUSES,
    SOLVABLE_STATUSES,
    AccessibilityRule,
    MoveKind,
    NeedStatus,
    OfferStatus,
    PlanStatus,
    TenancySituation,
)
from quartiere.relocation.models import (
    DEFAULT_AREA_RANGES,
    DEFAULT_ELIGIBILITY,
    AreaRule,
    EligibilityRule,
    Move,
    NeedStatusChange,
    Offer,
    PlanVersion,
    PoolUnit,
    ProposedMatch,
    RelocationNeed,
    RelocationPhase,
    RelocationPlan,
    UnmatchedNeed,
)
from quartiere.territory.enums import BuildingStatus, UnitStatus

PLAN_FIELDS = ("name", "description", "status", "refusals_allowed", "accessibility_rule")
NEED_FIELDS = (
    "phase",
    "size_override",
    "needs_accessible",
    "situation",
    "preferred_unit_1",
    "preferred_unit_2",
    "preferred_zone_1",
    "preferred_zone_2",
    "wishes_to_return",
    "constraints_text",
    "constraint_zone",
    "meeting_note",
)
# Tenancy kinds in `people` -> the household's situation for relocation.
SITUATION_BY_TENANCY: dict[str, str] = {
    TenancyKind.REGULAR: TenancySituation.REGULAR,
    TenancyKind.TEMPORARY: TenancySituation.REGULAR,
    TenancyKind.IRREGULAR_BEFORE_2016: TenancySituation.IRREGULAR_BEFORE_2016,
    TenancyKind.IRREGULAR_AFTER_2016: TenancySituation.IRREGULAR_AFTER_2016,
}
WEIGHT_NAMES = ("preference", "distance", "area_fit", "neighbours", "max_distance_km")
MAX_WEIGHT = 100


def _validated(obj: Any, exclude: Iterable[str] = ()) -> Any:
    try:
        obj.full_clean(exclude=list(exclude), validate_constraints=False)
    except ValidationError as exc:
        raise ApplicationError(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()),
            fields=exc.message_dict,
        ) from exc
    return obj


def _need_step(
    need: RelocationNeed, target: str, *, actor: Any, note: str = ""
) -> NeedStatusChange:
    """Move a (locked) need to ``target`` through the workflow and record the step."""
    old = need.status
    workflow.ensure_transition(old, target)
    need.status = target
    need.save(update_fields=["status", "updated_at"])
    return NeedStatusChange.objects.create(
        need=need,
        from_status=old,
        to_status=target,
        actor=actor if _user(actor) else None,
        note=note[:300],
    )


def _plain_json(data: Any) -> Any:
    """Dates and other values of the solver's codes as JSON-safe values."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _actor_or_none(actor: Any) -> Any:
    return actor if _user(actor) else None


# --- Plans, phases and rules ----------------------------------------------------------------


@transaction.atomic
def relocation_plan_create(
    *,
    actor: Any,
    lab: Any,
    name: str,
    description: str = "",
    refusals_allowed: int = 2,
    accessibility_rule: str = AccessibilityRule.GROUND_OR_LIFT,
    status: str = PlanStatus.ACTIVE,
    weights: Mapping[str, Any] | None = None,
) -> RelocationPlan:
    """Create a plan with the default floor-area table and eligibility rules (DOMAIN.md 6).

    ``weights`` overrides the solver's default weights (see ``solver.Weights``); a negative
    weight or a maximum distance of 0 is refused with a message on the field.
    """
    plan = _validated(
        RelocationPlan(
            lab=lab,
            name=name.strip(),
            description=description,
            status=status,
            refusals_allowed=refusals_allowed,
            accessibility_rule=accessibility_rule,
            weights=clean_weights(weights or {}),
            created_by=_actor_or_none(actor),
        ),
    )
    plan.save()
    AreaRule.objects.bulk_create(
        [
            AreaRule(
                plan=plan,
                household_size=size,
                min_area_m2=Decimal(lo),
                max_area_m2=None if hi is None else Decimal(hi),
            )
            for size, (lo, hi) in DEFAULT_AREA_RANGES.items()
        ]
    )
    EligibilityRule.objects.bulk_create(
        [
            EligibilityRule(
                plan=plan, situation=situation, move_kind=kind, is_allowed=kind in allowed
            )
            for situation, allowed in DEFAULT_ELIGIBILITY.items()
            for kind in MoveKind.values
        ]
    )
    audit.record(
        actor=actor,
        action="relocation.plan_create",
        target=plan,
        changes={**audit.snapshot(plan, PLAN_FIELDS), "weights": plan.weights},
    )
    return plan


def clean_weights(weights: Mapping[str, Any]) -> dict[str, float]:
    """Check solver weights: known names, numbers, none negative, a positive maximum distance.

    Raises ApplicationError with a message per field (``weight_<name>``)."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, float] = {}
    for name, value in weights.items():
        if name not in WEIGHT_NAMES:
            raise ApplicationError(f"Unknown solver weight {name!r}.")
        if value is None or value == "":
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            errors[f"weight_{name}"] = [_("Enter a number.")]
            continue
        if name == "max_distance_km" and number <= 0:
            errors[f"weight_{name}"] = [_("Enter a distance greater than 0 km.")]
        elif number < 0 or number > MAX_WEIGHT:
            errors[f"weight_{name}"] = [
                _("Enter a weight from 0 to %(max)s.") % {"max": MAX_WEIGHT}
            ]
        cleaned[name] = number
    if errors:
        raise ApplicationError(_("Some solver weights are not valid."), fields=errors)
    return cleaned


@transaction.atomic
def relocation_plan_update(*, actor: Any, plan: RelocationPlan, **fields: Any) -> RelocationPlan:
    """Change a plan's name, description, status, refusals allowed, accessibility rule or
    solver weights (audited; the weights apply from the next solve, each version keeps its
    own)."""
    plan = RelocationPlan.objects.select_for_update().get(pk=plan.pk)
    before = audit.snapshot(plan, PLAN_FIELDS)
    old_weights = dict(plan.weights or {})
    for name, value in fields.items():
        if name not in (*PLAN_FIELDS, "weights"):
            raise ApplicationError(f"Unknown plan field {name!r}.")
        if name == "weights":
            value = clean_weights(value or {})
        setattr(plan, name, value)
    _validated(plan)
    plan.save()
    changes = audit.diff(before, audit.snapshot(plan, PLAN_FIELDS))
    if "weights" in fields and plan.weights != old_weights:
        changes["weights"] = [old_weights, plan.weights]
    audit.record(actor=actor, action="relocation.plan_update", target=plan, changes=changes)
    return plan


@transaction.atomic
def relocation_phase_create(
    *,
    actor: Any,
    plan: RelocationPlan,
    name: str,
    vacate_by: dt.date,
    buildings: Iterable[Any] = (),
    units: Iterable[Any] = (),
) -> RelocationPhase:
    """Add a phase to a plan: the buildings and/or units to vacate by a date."""
    buildings, units = list(buildings), list(units)
    district_id = plan.lab.district_id
    if any(b.district_id != district_id for b in buildings) or any(
        u.building.district_id != district_id for u in units
    ):
        raise ApplicationError(_("A phase may only vacate buildings of the lab's district."))
    phase = _validated(RelocationPhase(plan=plan, name=name.strip(), vacate_by=vacate_by))
    phase.save()
    phase.buildings.set(buildings)
    phase.units.set(units)
    audit.record(
        actor=actor,
        action="relocation.phase_create",
        target=phase,
        lab_id=plan.lab_id,
        changes={
            "vacate_by": vacate_by,
            "buildings": [b.pk for b in buildings],
            "units": [u.pk for u in units],
        },
    )
    return phase


@transaction.atomic
def area_rules_save(
    *,
    actor: Any,
    plan: RelocationPlan,
    ranges: Mapping[int, tuple[Decimal, Decimal | None]],
) -> list[AreaRule]:
    """Replace a plan's floor-area ranges by household size; each range must be min <= max."""
    RelocationPlan.objects.select_for_update().get(pk=plan.pk)
    errors: dict[str, list[str]] = {}
    for size, (lo, hi) in ranges.items():
        if lo is None or lo < 0:
            errors[f"min_{size}"] = [_("Enter a floor area of 0 m² or more.")]
        elif hi is not None and hi < lo:
            errors[f"max_{size}"] = [_("The maximum is below the minimum.")]
    if errors:
        raise ApplicationError(_("Some floor-area ranges are not valid."), fields=errors)
    existing = {r.household_size: r for r in AreaRule.objects.filter(plan=plan)}
    changes: dict[str, Any] = {}
    for size, (lo, hi) in sorted(ranges.items()):
        rule = existing.get(size) or AreaRule(plan=plan, household_size=size)
        before = (rule.min_area_m2, rule.max_area_m2) if rule.pk else (None, None)
        if before != (lo, hi):
            changes[str(size)] = [
                [str(v) if v is not None else None for v in before],
                [str(lo), str(hi) if hi is not None else None],
            ]
            rule.min_area_m2, rule.max_area_m2 = lo, hi
            rule.save()
    audit.record(
        actor=actor,
        action="relocation.area_rules_save",
        target=plan,
        changes=changes,
    )
    return selectors.area_rules(plan=plan)


@transaction.atomic
def eligibility_rules_save(
    *, actor: Any, plan: RelocationPlan, allowed: set[tuple[str, str]]
) -> None:
    """Set which tenancy situations may receive which move kind in a plan (audited)."""
    RelocationPlan.objects.select_for_update().get(pk=plan.pk)
    changes: dict[str, Any] = {}
    for situation in TenancySituation.values:
        for kind in MoveKind.values:
            rule, _created = EligibilityRule.objects.get_or_create(
                plan=plan, situation=situation, move_kind=kind
            )
            wanted = (situation, kind) in allowed
            if rule.is_allowed != wanted or _created:
                changes[f"{situation}/{kind}"] = [rule.is_allowed, wanted]
                rule.is_allowed = wanted
                rule.save(update_fields=["is_allowed", "updated_at"])
    audit.record(
        actor=actor, action="relocation.eligibility_rules_save", target=plan, changes=changes
    )


@transaction.atomic
def plan_rules_save(
    *,
    actor: Any,
    plan: RelocationPlan,
    ranges: Mapping[int, tuple[Decimal, Decimal | None]],
    allowed: set[tuple[str, str]],
    accessibility_rule: str,
    refusals_allowed: int,
) -> RelocationPlan:
    """Save the adequacy table, the eligibility rules, the accessibility rule and the refusals
    allowed together (all or nothing)."""
    area_rules_save(actor=actor, plan=plan, ranges=ranges)
    eligibility_rules_save(actor=actor, plan=plan, allowed=allowed)
    return relocation_plan_update(
        actor=actor,
        plan=plan,
        accessibility_rule=accessibility_rule,
        refusals_allowed=refusals_allowed,
    )


# --- The pool -----------------------------------------------------------------------------


@transaction.atomic
def pool_unit_add(
    *,
    actor: Any,
    plan: RelocationPlan,
    unit: Any,
    available_from: dt.date,
    move_kind: str,
    source: str,
) -> PoolUnit:
    """Put a unit in a plan's pool; an occupied unit or one already in the pool is refused."""
    if unit.status == UnitStatus.OCCUPIED:
        raise ApplicationError(
            _("This unit is occupied: it cannot receive a household."),
            fields={"unit": [_("The unit is occupied.")]},
        )
    if PoolUnit.objects.filter(plan=plan, unit=unit).exists():
        raise ApplicationError(
            _("This unit is already in the pool."),
            fields={"unit": [_("Already in the pool.")]},
        )
    entry = _validated(
        PoolUnit(
            plan=plan,
            unit=unit,
            available_from=available_from,
            move_kind=move_kind,
            source=source,
        )
    )
    entry.save()
    audit.record(
        actor=actor,
        action="relocation.pool_unit_add",
        target=entry,
        lab_id=plan.lab_id,
        changes={"unit": unit.pk, "available_from": available_from, "move_kind": move_kind},
    )
    return entry


@transaction.atomic
def pool_unit_remove(*, actor: Any, entry: PoolUnit) -> PoolUnit:
    """Take a unit out of the pool (the row stays for the history); not while it is offered."""
    entry = PoolUnit.objects.select_for_update(of=("self",)).select_related("plan").get(pk=entry.pk)
    if Offer.objects.filter(
        unit_id=entry.unit_id,
        need__plan_id=entry.plan_id,
        status__in=[OfferStatus.MADE, OfferStatus.ACCEPTED],
    ).exists():
        raise ApplicationError(_("This unit is offered to a household: withdraw the offer first."))
    entry.is_active = False
    entry.save(update_fields=["is_active", "updated_at"])
    audit.record(
        actor=actor, action="relocation.pool_unit_remove", target=entry, lab_id=entry.plan.lab_id
    )
    return entry


def pool_bulk_add(*, actor: Any, plan: RelocationPlan, entries: list[PoolUnit]) -> None:
    """Add many prepared pool rows at once (seeding, loads from the owner's lists)."""
    PoolUnit.objects.bulk_create(entries, batch_size=2000)
    audit.record(
        actor=actor,
        action="relocation.pool_bulk_add",
        target=plan,
        changes={"units": len(entries)},
    )


# --- Needs ------------------------------------------------------------------------------------


def age_groups(birth_dates: Iterable[dt.date | None], today: dt.date) -> dict[str, int]:
    """Count members by age group: adults (18-64 or unknown age), over 65, under 18."""
    groups = {"adult_count": 0, "elderly_count": 0, "child_count": 0}
    for born in birth_dates:
        age = (today - born).days // 365 if born else 30
        key = "child_count" if age < 18 else "elderly_count" if age >= 65 else "adult_count"
        groups[key] += 1
    return groups


def _household_facts(household: Any, today: dt.date) -> dict[str, Any]:
    """Derive size, composition, unit and situation from the household's members and tenancy."""
    members = list(household.members.all())
    tenancy = next((t for t in household.tenancies.all() if t.ends_on is None), None)
    return {
        "member_count": max(1, len(members)),
        **age_groups((m.birth_date for m in members), today),
        "origin_unit": tenancy.unit if tenancy else None,
        "situation": SITUATION_BY_TENANCY.get(
            tenancy.kind if tenancy else "", TenancySituation.REGULAR
        ),
    }


@transaction.atomic
def need_create(
    *,
    actor: Any,
    plan: RelocationPlan,
    household: Any,
    phase: RelocationPhase | None = None,
    neighbours: Iterable[RelocationNeed] = (),
    **fields: Any,
) -> RelocationNeed:
    """Record a household to move; size, composition, unit and situation come from `people`.

    Raises ApplicationError when the household is of another lab or already in the plan.
    """
    if household.lab_id != plan.lab_id:
        raise ApplicationError(_("The household belongs to another lab."))
    if phase is not None and phase.plan_id != plan.pk:
        raise ApplicationError(_("The phase belongs to another plan."))
    if RelocationNeed.objects.filter(plan=plan, household=household).exists():
        raise ApplicationError(
            _("This household is already in the plan."),
            fields={"household": [_("Already in the plan.")]},
        )
    facts = _household_facts(household, timezone.localdate())
    if "situation" in fields and not fields["situation"]:
        fields.pop("situation")
    need = RelocationNeed(plan=plan, household=household, phase=phase, **{**facts, **fields})
    _validated(need, exclude=["neighbours"])
    try:
        with transaction.atomic():
            need.save()
    except IntegrityError as exc:
        raise ApplicationError(_("This household is already in the plan.")) from exc
    need.neighbours.set([n for n in neighbours if n.plan_id == plan.pk])
    audit.record(
        actor=actor,
        action="relocation.need_create",
        target=need,
        lab_id=plan.lab_id,
        changes={k: v for k, v in audit.snapshot(need, NEED_FIELDS).items() if k != "meeting_note"},
    )
    return need


@transaction.atomic
def needs_add_from_phase(*, actor: Any, phase: RelocationPhase, households: Iterable[Any]) -> int:
    """Add to the plan every given household living in the phase's buildings or units (those
    already in the plan are skipped); returns how many were added."""
    plan = phase.plan
    building_ids = set(phase.buildings.values_list("pk", flat=True))
    unit_ids = set(phase.units.values_list("pk", flat=True))
    taken = set(RelocationNeed.objects.filter(plan=plan).values_list("household_id", flat=True))
    added = 0
    for household in households:
        if household.pk in taken or household.lab_id != plan.lab_id:
            continue
        tenancy = next((t for t in household.tenancies.all() if t.ends_on is None), None)
        if tenancy is None or (
            tenancy.unit.building_id not in building_ids and tenancy.unit_id not in unit_ids
        ):
            continue
        need_create(actor=actor, plan=plan, household=household, phase=phase)
        taken.add(household.pk)
        added += 1
    return added


@transaction.atomic
def need_update(
    *,
    actor: Any,
    need: RelocationNeed,
    neighbours: Iterable[RelocationNeed] | None = None,
    **fields: Any,
) -> RelocationNeed:
    """Change a need's answers while no offer is out; the meeting note is audited as changed
    without its text."""
    need = (
        RelocationNeed.objects.select_for_update(of=("self",))
        .select_related("plan")
        .get(pk=need.pk)
    )
    if not workflow.is_editable(need.status):
        raise ApplicationError(
            _("An offer is out for this household: its needs can no longer be changed.")
        )
    before = audit.snapshot(need, NEED_FIELDS)
    for name, value in fields.items():
        if name not in NEED_FIELDS:
            raise ApplicationError(f"Unknown need field {name!r}.")
        setattr(need, name, value)
    if need.phase_id and need.phase.plan_id != need.plan_id:  # type: ignore[union-attr]
        raise ApplicationError(_("The phase belongs to another plan."))
    _validated(need, exclude=["neighbours"])
    need.save()
    if neighbours is not None:
        need.neighbours.set(
            [n for n in neighbours if n.plan_id == need.plan_id and n.pk != need.pk]
        )
    changes = audit.diff(before, audit.snapshot(need, NEED_FIELDS))
    if need.status == NeedStatus.MATCHED and set(changes) - {"meeting_note"}:
        # The proposal was computed for the old answers: no offer from it.
        _need_step(need, NeedStatus.ASSESSED, actor=actor, note=_("Needs changed"))
    if "meeting_note" in changes:
        changes["meeting_note"] = ["…", "…"]
    audit.record(
        actor=actor,
        action="relocation.need_update",
        target=need,
        lab_id=need.plan.lab_id,
        changes=changes,
    )
    return need


@transaction.atomic
def need_assess(*, actor: Any, need: RelocationNeed) -> RelocationNeed:
    """Mark a household's needs as assessed (ready for the solver)."""
    need = (
        RelocationNeed.objects.select_for_update(of=("self",))
        .select_related("plan")
        .get(pk=need.pk)
    )
    _need_step(need, NeedStatus.ASSESSED, actor=actor)
    audit.record(
        actor=actor,
        action="relocation.need_assess",
        target=need,
        lab_id=need.plan.lab_id,
        changes={"status": [NeedStatus.TO_ASSESS, NeedStatus.ASSESSED]},
    )
    return need


def needs_bulk_create(
    *, actor: Any, plan: RelocationPlan, needs: list[RelocationNeed]
) -> list[RelocationNeed]:
    """Insert many prepared needs at once (seeding, imports of the task force's lists)."""
    RelocationNeed.objects.bulk_create(needs, batch_size=2000)
    audit.record(
        actor=actor,
        action="relocation.needs_bulk_create",
        target=plan,
        changes={"needs": len(needs)},
    )
    return needs


# --- Solving -----------------------------------------------------------------------------------


def plan_weights(plan: RelocationPlan) -> solver.Weights:
    """Return the solver weights of a plan (its overrides on the solver's defaults)."""
    given = {k: float(v) for k, v in (plan.weights or {}).items() if k in WEIGHT_NAMES}
    try:
        return solver.Weights(**given)
    except (TypeError, ValueError) as exc:
        raise ApplicationError(_("The plan's solver weights are not valid.")) from exc


def _adequacy(plan: RelocationPlan) -> solver.AdequacyTable:
    rules = selectors.area_rules(plan=plan)
    if not rules:
        return solver.DEFAULT_ADEQUACY
    return solver.AdequacyTable(
        ranges={
            r.household_size: (
                float(r.min_area_m2),
                float(r.max_area_m2) if r.max_area_m2 is not None else None,
            )
            for r in rules
        }
    )


def _point(building: Any) -> tuple[float, float] | None:
    if building is None or building.latitude is None or building.longitude is None:
        return None
    return (float(building.latitude), float(building.longitude))


def solver_input(
    *, plan: RelocationPlan, phase: RelocationPhase | None = None
) -> tuple[list[solver.HouseholdNeed], list[solver.UnitOffer], list[RelocationNeed]]:
    """Map a plan's needs and free pool to the solver's dataclasses (locks from open offers)."""
    needs = selectors.solve_needs(plan=plan, phase=phase)
    need_ids = {n.pk for n in needs}
    pool = selectors.solve_pool(plan=plan, exclude_need_ids=need_ids)
    allowed = selectors.allowed_pairs(plan=plan)
    accessible_only = plan.accessibility_rule == AccessibilityRule.ACCESSIBLE_UNIT
    units: list[solver.UnitOffer] = []
    seen: set[int] = set()
    for entry in pool:
        unit, building = entry.unit, entry.unit.building
        seen.add(unit.pk)
        units.append(
            solver.UnitOffer(
                unit_id=unit.pk,
                floor_area_m2=float(unit.floor_area_m2),
                floor=max(unit.floor, 1) if accessible_only else unit.floor,
                has_lift=False if accessible_only else building.has_lift,
                is_accessible=unit.is_accessible,
                zone_id=building.street,
                building_id=building.pk,
                location=_point(building),
                available_from=entry.available_from,
                move_kind=entry.move_kind,
                eligible_situations=frozenset(s for s, k in allowed if k == entry.move_kind),
            )
        )
    household_needs: list[solver.HouseholdNeed] = []
    for need in needs:
        locked = None
        if need.status in LOCKED_STATUSES and need.open_offers:  # type: ignore[attr-defined]
            locked = need.open_offers[0].unit_id  # type: ignore[attr-defined]
            if locked not in seen:
                # The offered unit left the pool since: the lock still holds it.
                unit = need.open_offers[0].unit  # type: ignore[attr-defined]
                units.append(
                    solver.UnitOffer(
                        unit_id=unit.pk,
                        floor_area_m2=float(unit.floor_area_m2),
                        floor=unit.floor,
                        is_accessible=unit.is_accessible,
                        move_kind=need.open_offers[0].move_kind,  # type: ignore[attr-defined]
                    )
                )
                seen.add(unit.pk)
        origin_building = need.origin_unit.building if need.origin_unit else None
        household_needs.append(
            solver.HouseholdNeed(
                household_id=need.pk,
                size=need.size,
                needs_accessible=need.needs_accessible,
                tenancy_situation=need.situation,
                origin=_point(origin_building),
                preferred_unit_ids=tuple(
                    pk for pk in (need.preferred_unit_1_id, need.preferred_unit_2_id) if pk
                ),
                preferred_zone_ids=tuple(
                    z
                    for z in (need.preferred_zone_1, need.preferred_zone_2, need.constraint_zone)
                    if z
                ),
                neighbour_household_ids=tuple(
                    n.pk
                    for n in need.neighbours.all()
                    if n.pk in need_ids  # solved together
                ),
                must_move_by=need.phase.vacate_by if need.phase else None,
                locked_unit_id=locked,
            )
        )
    return household_needs, units, needs


@transaction.atomic
def relocation_plan_solve(
    *,
    plan: RelocationPlan,
    actor: Any,
    phase: RelocationPhase | None = None,
) -> PlanVersion:
    """Compute and store a new plan version: an optimal assignment of the assessed households
    to the free units of the pool, offered or accepted households kept on their unit, and every
    household left without a unit stored with its binding constraint."""
    plan = RelocationPlan.objects.select_for_update().get(pk=plan.pk)
    if phase is not None and phase.plan_id != plan.pk:
        raise ApplicationError(_("The phase belongs to another plan."))
    weights = plan_weights(plan)
    household_needs, units, needs = solver_input(plan=plan, phase=phase)
    if not household_needs:
        raise ApplicationError(
            _("No household is ready for the solver: assess the households' needs first.")
        )
    started = time.monotonic()
    try:
        result = solver.solve(household_needs, units, adequacy=_adequacy(plan), weights=weights)
    except ValueError as exc:
        raise ApplicationError(_("The plan cannot be solved: %(error)s") % {"error": exc}) from exc
    elapsed = time.monotonic() - started
    number = (PlanVersion.objects.filter(plan=plan).aggregate(n=Max("number"))["n"] or 0) + 1
    kinds = {u.unit_id: u.move_kind for u in units}
    version = PlanVersion.objects.create(
        plan=plan,
        phase=phase,
        number=number,
        created_by=_actor_or_none(actor),
        objective=float(result.objective),
        is_optimal=result.optimal,
        weights=asdict(weights),
        solver_status="optimal" if result.optimal else "feasible",
        solve_seconds=round(result.seconds or elapsed, 4),
        need_count=len(household_needs),
        matched_count=result.matched,
        unit_count=len(units),
        pool_unit_ids=sorted(cast(int, u.unit_id) for u in units),
    )
    ProposedMatch.objects.bulk_create(
        [
            ProposedMatch(
                version=version,
                need_id=cast(int, need_id),
                unit_id=cast(int, unit_id),
                move_kind=kinds.get(unit_id, MoveKind.PERMANENT),
                score=float(result.explanations[need_id].score),
                is_locked=result.explanations[need_id].locked,
                explanation=_plain_json(result.explanations[need_id].codes),
            )
            for need_id, unit_id in result.assignments.items()
        ],
        batch_size=2000,
    )
    UnmatchedNeed.objects.bulk_create(
        [
            UnmatchedNeed(
                version=version,
                need_id=cast(int, need_id),
                binding_constraint=str(result.explanations[need_id].reason or "other"),
                explanation=_plain_json(result.explanations[need_id].codes),
            )
            for need_id in result.unmatched
        ],
        batch_size=2000,
    )
    # Free households follow the new version: matched or back to assessed.
    steps: list[NeedStatusChange] = []
    changed: list[RelocationNeed] = []
    note = _("Plan version %(n)s") % {"n": number}
    for need in needs:
        if need.status not in SOLVABLE_STATUSES:
            continue
        target = NeedStatus.MATCHED if need.pk in result.assignments else NeedStatus.ASSESSED
        if need.status != target:
            workflow.ensure_transition(need.status, target)
            steps.append(
                NeedStatusChange(
                    need=need,
                    from_status=need.status,
                    to_status=target,
                    actor=_actor_or_none(actor),
                    note=note,
                )
            )
            need.status = target
            changed.append(need)
    RelocationNeed.objects.bulk_update(changed, ["status"], batch_size=2000)
    NeedStatusChange.objects.bulk_create(steps, batch_size=2000)
    audit.record(
        actor=actor,
        action="relocation.plan_solve",
        target=version,
        lab_id=plan.lab_id,
        changes={
            "number": number,
            "objective": result.objective,
            "optimal": result.optimal,
            "households": len(household_needs),
            "matched": result.matched,
            "units": len(units),
        },
    )
    return version


# --- Offers ---------------------------------------------------------------------------------


def _lock_unit_offers(unit_id: int) -> list[Offer]:
    """Lock every open offer on a unit (pk order), so two answers cannot race."""
    return list(
        Offer.objects.select_for_update()
        .filter(unit_id=unit_id, status__in=[OfferStatus.MADE, OfferStatus.ACCEPTED])
        .order_by("pk")
    )


@transaction.atomic
def offer_make(*, actor: Any, match: ProposedMatch) -> Offer:
    """Turn a proposed match of the plan's latest version into an offer to the household.

    Raises ApplicationError when the version is outdated, the household already has an open
    offer, or the unit is offered to or taken by another household.
    """
    match = ProposedMatch.objects.select_related("version__plan", "unit").get(pk=match.pk)
    plan = match.version.plan
    latest = selectors.latest_version(plan=plan)
    if latest is None or latest.pk != match.version_id:
        raise ApplicationError(
            _("This proposal comes from an older plan version: offer from the latest one.")
        )
    need = RelocationNeed.objects.select_for_update().get(pk=match.need_id)
    if need.status != NeedStatus.MATCHED:
        raise ApplicationError(
            _("Only a matched household can receive an offer (this one is “%(status)s”).")
            % {"status": NeedStatus(need.status).label}
        )
    if any(o.need_id != need.pk for o in _lock_unit_offers(match.unit_id)):
        raise ApplicationError(_("This unit is already offered to or taken by another household."))
    if match.unit.status == UnitStatus.OCCUPIED:
        raise ApplicationError(_("This unit is occupied: it cannot be offered."))
    if not PoolUnit.objects.filter(plan=plan, unit_id=match.unit_id, is_active=True).exists():
        raise ApplicationError(_("This unit has left the pool since the plan was computed."))
    try:
        with transaction.atomic():
            offer = Offer.objects.create(
                need=need,
                unit=match.unit,
                match=match,
                move_kind=match.move_kind,
                made_by=_actor_or_none(actor),
            )
    except IntegrityError as exc:
        raise ApplicationError(_("This household already has an open offer.")) from exc
    _need_step(need, NeedStatus.OFFERED, actor=actor)
    audit.record(
        actor=actor,
        action="relocation.offer_make",
        target=offer,
        lab_id=plan.lab_id,
        changes={"need": need.pk, "unit": match.unit_id, "move_kind": match.move_kind},
    )
    return offer


@transaction.atomic
def offer_accept(*, actor: Any, offer: Offer) -> Offer:
    """Record that the household accepted the offer; refused when the unit is already taken
    (checked under lock and by the one-accepted-offer-per-unit database constraint)."""
    others = _lock_unit_offers(offer.unit_id)
    offer = (
        Offer.objects.select_for_update(of=("self",)).select_related("need__plan").get(pk=offer.pk)
    )
    workflow.ensure_offer_transition(offer.status, OfferStatus.ACCEPTED)
    if any(o.pk != offer.pk and o.status == OfferStatus.ACCEPTED for o in others):
        raise ApplicationError(
            _("This unit has already gone to another household: the offer cannot be accepted.")
        )
    need = RelocationNeed.objects.select_for_update().get(pk=offer.need_id)
    offer.status = OfferStatus.ACCEPTED
    offer.answered_at = timezone.now()
    offer.answered_by = _actor_or_none(actor)
    try:
        with transaction.atomic():
            offer.save(update_fields=["status", "answered_at", "answered_by", "updated_at"])
    except IntegrityError as exc:
        raise ApplicationError(
            _("This unit has already gone to another household: the offer cannot be accepted.")
        ) from exc
    _need_step(need, NeedStatus.ACCEPTED, actor=actor)
    audit.record(
        actor=actor,
        action="relocation.offer_accept",
        target=offer,
        lab_id=offer.need.plan.lab_id,
        changes={"status": [OfferStatus.MADE, OfferStatus.ACCEPTED]},
    )
    # Other households waiting on the same unit go back to the pool of the next solve.
    for other in others:
        if other.pk != offer.pk and other.status == OfferStatus.MADE:
            offer_withdraw(
                actor=actor, offer=other, reason=_("The unit went to another household.")
            )
    return offer


@transaction.atomic
def offer_refuse(*, actor: Any, offer: Offer, reason: str) -> Offer:
    """Record a refusal with its reason; the household is flagged once it has refused as many
    offers as the plan allows."""
    if not reason.strip():
        raise ApplicationError(
            _("Write why the household refused."), fields={"reason": [_("Required.")]}
        )
    offer = (
        Offer.objects.select_for_update(of=("self",)).select_related("need__plan").get(pk=offer.pk)
    )
    workflow.ensure_offer_transition(offer.status, OfferStatus.REFUSED)
    need = (
        RelocationNeed.objects.select_for_update(of=("self",))
        .select_related("plan")
        .get(pk=offer.need_id)
    )
    offer.status = OfferStatus.REFUSED
    offer.refusal_reason = reason.strip()
    offer.answered_at = timezone.now()
    offer.answered_by = _actor_or_none(actor)
    offer.save(
        update_fields=["status", "refusal_reason", "answered_at", "answered_by", "updated_at"]
    )
    need.refusal_count += 1
    need.is_flagged = need.refusal_count >= need.plan.refusals_allowed
    need.save(update_fields=["refusal_count", "is_flagged", "updated_at"])
    _need_step(need, NeedStatus.ASSESSED, actor=actor, note=_("Offer refused"))
    audit.record(
        actor=actor,
        action="relocation.offer_refuse",
        target=offer,
        lab_id=need.plan.lab_id,
        changes={
            "status": [OfferStatus.MADE, OfferStatus.REFUSED],
            "refusal_count": need.refusal_count,
            "flagged": need.is_flagged,
        },
    )
    return offer


@transaction.atomic
def offer_withdraw(*, actor: Any, offer: Offer, reason: str = "") -> Offer:
    """Withdraw an offer not yet acted on (or accepted but not moved); the household goes back
    to assessed for the next solve."""
    offer = (
        Offer.objects.select_for_update(of=("self",)).select_related("need__plan").get(pk=offer.pk)
    )
    workflow.ensure_offer_transition(offer.status, OfferStatus.WITHDRAWN)
    if Move.objects.filter(offer=offer).exists():
        raise ApplicationError(_("The household has already moved."))
    old = offer.status
    offer.status = OfferStatus.WITHDRAWN
    offer.refusal_reason = reason
    offer.save(update_fields=["status", "refusal_reason", "updated_at"])
    need = RelocationNeed.objects.select_for_update().get(pk=offer.need_id)
    if need.status != NeedStatus.ASSESSED:
        _need_step(need, NeedStatus.ASSESSED, actor=actor, note=_("Offer withdrawn"))
    audit.record(
        actor=actor,
        action="relocation.offer_withdraw",
        target=offer,
        lab_id=offer.need.plan.lab_id,
        changes={"status": [old, OfferStatus.WITHDRAWN]},
    )
    return offer


# --- Moves and returns ---------------------------------------------------------------------


def _open_tenancy(household: Any) -> Any:
    return household.tenancies.filter(ends_on__isnull=True).select_related("unit").first()


@transaction.atomic
def move_record(
    *, actor: Any, offer: Offer, moved_on: dt.date, cost_amount: Decimal = Decimal(0)
) -> Move:
    """Record the move of a household that accepted an offer: the costs are borne by the
    owner of the building it leaves, and the tenancy is transferred in `people` (the old one
    ends on the moving day, the new one starts the same day)."""
    offer = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("need__plan", "need__household", "unit__building")
        .get(pk=offer.pk)
    )
    if offer.status != OfferStatus.ACCEPTED:
        raise ApplicationError(_("Only an accepted offer leads to a move."))
    if Move.objects.filter(offer=offer).exists():
        raise ApplicationError(_("This move has already been recorded."))
    if cost_amount is None or cost_amount < 0:
        raise ApplicationError(
            _("The moving costs cannot be negative."),
            fields={"cost_amount": [_("Enter 0 or more.")]},
        )
    need = (
        RelocationNeed.objects.select_for_update(of=("self",))
        .select_related("origin_unit__building")
        .get(pk=offer.need_id)
    )
    household = offer.need.household
    tenancy = _open_tenancy(household)
    if tenancy is not None and moved_on < tenancy.starts_on:
        raise ApplicationError(
            _("The moving day is before the current tenancy started."),
            fields={"moved_on": [_("Too early.")]},
        )
    from_unit = tenancy.unit if tenancy is not None else need.origin_unit
    old_kind = tenancy.kind if tenancy is not None else TenancyKind.REGULAR
    if offer.move_kind == MoveKind.TEMPORARY:
        new_kind = TenancyKind.TEMPORARY
    else:
        new_kind = TenancyKind.REGULAR if old_kind == TenancyKind.TEMPORARY else old_kind
    if tenancy is not None:
        people_services.tenancy_end(actor=actor, tenancy=tenancy, ends_on=moved_on)
    people_services.tenancy_start(
        actor=actor, household=household, unit=offer.unit, kind=new_kind, starts_on=moved_on
    )
    origin_building = from_unit.building if from_unit is not None else None
    payer_id = (origin_building or offer.unit.building).owner_id
    move = Move.objects.create(
        need=need,
        offer=offer,
        from_unit=from_unit,
        to_unit=offer.unit,
        kind=offer.move_kind,
        moved_on=moved_on,
        cost_amount=cost_amount.quantize(Decimal("0.01")),
        payer_id=payer_id,
        has_right_to_return=offer.move_kind == MoveKind.TEMPORARY,
        recorded_by=_actor_or_none(actor),
    )
    _need_step(need, NeedStatus.MOVED, actor=actor)
    audit.record(
        actor=actor,
        action="relocation.move_record",
        target=move,
        lab_id=offer.need.plan.lab_id,
        changes={
            "from_unit": from_unit.pk if from_unit else None,
            "to_unit": offer.unit_id,
            "moved_on": moved_on,
            "cost_amount": move.cost_amount,
            "payer": payer_id,
            "kind": offer.move_kind,
        },
    )
    return move


@transaction.atomic
def move_return(*, actor: Any, move: Move, returned_on: dt.date, unit: Any | None = None) -> Move:
    """Bring a household back after a temporary move, once its original building is inhabited
    again: the temporary tenancy ends and a regular one starts in its old unit (or ``unit``)."""
    move = (
        Move.objects.select_for_update(of=("self",))
        .select_related("need__plan", "need__household", "from_unit__building", "offer")
        .get(pk=move.pk)
    )
    if not move.has_right_to_return or move.returned_on is not None:
        raise ApplicationError(_("This household has no return pending."))
    if returned_on < move.moved_on:
        raise ApplicationError(
            _("The return cannot be before the move."),
            fields={"returned_on": [_("Before the moving day.")]},
        )
    target = unit or move.from_unit
    if target is None:
        raise ApplicationError(_("Choose the unit the household returns to."))
    if target.building.status != BuildingStatus.INHABITED:
        raise ApplicationError(_("The original building is not ready yet (not inhabited again)."))
    household = move.need.household
    tenancy = _open_tenancy(household)
    if tenancy is not None:
        people_services.tenancy_end(actor=actor, tenancy=tenancy, ends_on=returned_on)
    people_services.tenancy_start(
        actor=actor,
        household=household,
        unit=target,
        kind=TenancyKind.REGULAR,
        starts_on=returned_on,
    )
    move.returned_on = returned_on
    move.save(update_fields=["returned_on", "updated_at"])
    offer = Offer.objects.select_for_update().get(pk=move.offer_id)
    workflow.ensure_offer_transition(offer.status, OfferStatus.ENDED)
    offer.status = OfferStatus.ENDED
    offer.save(update_fields=["status", "updated_at"])
    need = RelocationNeed.objects.select_for_update().get(pk=move.need_id)
    _need_step(need, NeedStatus.RETURNED, actor=actor)
    audit.record(
        actor=actor,
        action="relocation.move_return",
        target=move,
        lab_id=move.need.plan.lab_id,
        changes={"returned_on": returned_on, "unit": target.pk},
    )
    return move
