"""Reads of relocation plans, needs, the pool, plan versions, offers and moves.

Every list starts from the labs the user works in (``accounts.selectors.user_scope``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext

from quartiere.accounts.selectors import user_scope
from quartiere.relocation.enums import (
    LOCKED_STATUSES,
    SOLVABLE_STATUSES,
    MoveKind,
    NeedStatus,
    OfferStatus,
)
from quartiere.relocation.models import (
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
from quartiere.territory.enums import BuildingStatus

BOARD_STATUSES = list(NeedStatus.values)


def _labs(user: Any) -> frozenset[int] | None:
    return user_scope(user).lab_filter


def plan_list(*, user: Any, lab_id: int | None = None) -> QuerySet[RelocationPlan]:
    """List the plans of the user's labs, with their number of households and phases."""
    labs = _labs(user)
    qs = RelocationPlan.objects.select_related("lab")
    if labs is not None:
        qs = qs.filter(lab_id__in=labs)
    if lab_id:
        qs = qs.filter(lab_id=lab_id)
    return qs.annotate(
        need_count=Count("needs", distinct=True), phase_count=Count("phases", distinct=True)
    ).order_by("lab__name", "name", "id")


def plan_get(*, user: Any, pk: int) -> RelocationPlan | None:
    """Return a plan of the user's labs, or None."""
    labs = _labs(user)
    qs = RelocationPlan.objects.select_related("lab", "lab__district")
    if labs is not None:
        qs = qs.filter(lab_id__in=labs)
    return qs.filter(pk=pk).first()


def phase_list(*, plan: RelocationPlan) -> QuerySet[RelocationPhase]:
    """List a plan's phases with the buildings they vacate (the plan is already scoped)."""
    return (
        RelocationPhase.objects.filter(plan=plan)
        .prefetch_related("buildings")
        .annotate(need_count=Count("needs"))
        .order_by("vacate_by", "id")
    )


def phase_get(*, user: Any, pk: int) -> RelocationPhase | None:
    """Return a phase of a plan of the user's labs, or None."""
    labs = _labs(user)
    qs = RelocationPhase.objects.select_related("plan")
    if labs is not None:
        qs = qs.filter(plan__lab_id__in=labs)
    return qs.filter(pk=pk).first()


def need_status_counts(*, plan: RelocationPlan, phase_id: int | None = None) -> dict[str, int]:
    """Count a plan's households by status (every status present, zero when none)."""
    qs = RelocationNeed.objects.filter(plan=plan)
    if phase_id:
        qs = qs.filter(phase_id=phase_id)
    counts = dict.fromkeys(BOARD_STATUSES, 0)
    for row in qs.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


def need_board(
    *,
    plan: RelocationPlan,
    status: str = "",
    phase_id: int | None = None,
    q: str = "",
    flagged: bool | None = None,
    accessible: bool | None = None,
) -> QuerySet[RelocationNeed]:
    """List a plan's households to move, filtered for the task-force board."""
    qs = RelocationNeed.objects.filter(plan=plan).select_related(
        "household", "phase", "origin_unit__building"
    )
    if status:
        qs = qs.filter(status=status)
    if phase_id:
        qs = qs.filter(phase_id=phase_id)
    if q:
        qs = qs.filter(
            Q(household__label__icontains=q.strip())
            | Q(origin_unit__code__iexact=q.strip())
            | Q(origin_unit__building__street__icontains=q.strip())
        )
    if flagged is not None:
        qs = qs.filter(is_flagged=flagged)
    if accessible is not None:
        qs = qs.filter(needs_accessible=accessible)
    return qs.order_by("household__label", "id")


def need_get(*, user: Any, pk: int) -> RelocationNeed | None:
    """Return a need of the user's labs with its household, plan, units and offers, or None."""
    labs = _labs(user)
    qs = RelocationNeed.objects.select_related(
        "plan__lab",
        "phase",
        "household__reference_person",
        "origin_unit__building",
        "preferred_unit_1__building",
        "preferred_unit_2__building",
    )
    if labs is not None:
        qs = qs.filter(plan__lab_id__in=labs)
    return (
        qs.prefetch_related(
            Prefetch(
                "offers",
                queryset=Offer.objects.select_related("unit__building").order_by("-created_at"),
            ),
            Prefetch(
                "status_changes",
                queryset=NeedStatusChange.objects.select_related("actor").order_by("-at", "-id"),
            ),
            Prefetch("moves", queryset=Move.objects.select_related("to_unit__building")),
            "neighbours__household",
        )
        .filter(pk=pk)
        .first()
    )


def need_latest_result(*, need: RelocationNeed) -> dict[str, Any] | None:
    """Return what the plan's latest version says about a need: its match or why it has none."""
    version = latest_version(plan=need.plan)
    if version is None:
        return None
    match = (
        ProposedMatch.objects.filter(version=version, need=need)
        .select_related("unit__building")
        .first()
    )
    unmatched = None
    if match is None:
        unmatched = UnmatchedNeed.objects.filter(version=version, need=need).first()
    return {"version": version, "match": match, "unmatched": unmatched}


def need_household_ids(*, plan: RelocationPlan) -> QuerySet[RelocationNeed]:
    """Return the households that already have a need in the plan (as ids)."""
    return RelocationNeed.objects.filter(plan=plan).values_list("household_id", flat=True)  # type: ignore[return-value]


def need_choices(*, plan: RelocationPlan, exclude_id: int | None = None) -> list[tuple[int, str]]:
    """Return (id, household) of a plan's needs, for the neighbours select box."""
    qs = RelocationNeed.objects.filter(plan=plan)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return list(qs.order_by("household__label", "id").values_list("id", "household__label"))


def zone_choices(*, plan: RelocationPlan) -> list[str]:
    """Return the streets of the pool's units and of the lab's district (preference zones)."""
    from quartiere.territory.models import Building

    streets = set(
        PoolUnit.objects.filter(plan=plan).values_list("unit__building__street", flat=True)
    )
    streets |= set(
        Building.objects.filter(district_id=plan.lab.district_id).values_list("street", flat=True)
    )
    return sorted(s for s in streets if s)


def pool_list(
    *, plan: RelocationPlan, move_kind: str = "", source: str = "", active: bool | None = True
) -> QuerySet[PoolUnit]:
    """List the units of a plan's pool with their building (the plan is already scoped)."""
    qs = PoolUnit.objects.filter(plan=plan).select_related("unit__building", "unit__entrance")
    if move_kind:
        qs = qs.filter(move_kind=move_kind)
    if source:
        qs = qs.filter(source=source)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.annotate(
        taken=Count(
            "unit__relocation_offers",
            filter=Q(unit__relocation_offers__status=OfferStatus.ACCEPTED),
        )
    ).order_by("unit__building__street", "unit__building__number", "unit__code", "id")


def pool_unit_get(*, user: Any, pk: int) -> PoolUnit | None:
    """Return a pool entry of the user's labs, or None."""
    labs = _labs(user)
    qs = PoolUnit.objects.select_related("plan", "unit")
    if labs is not None:
        qs = qs.filter(plan__lab_id__in=labs)
    return qs.filter(pk=pk).first()


def pool_candidate_units(*, plan: RelocationPlan, limit: int = 500) -> list[tuple[int, str]]:
    """Return (id, label) of the district's free units not yet in the pool."""
    from quartiere.territory.enums import UnitStatus
    from quartiere.territory.models import Unit

    rows = (
        Unit.objects.filter(building__district_id=plan.lab.district_id)
        .exclude(status=UnitStatus.OCCUPIED)
        .exclude(relocation_pool_entries__plan=plan)
        .order_by("building__street", "building__number", "code")
        .values_list("id", "code", "building__street", "building__number", "floor_area_m2")[:limit]
    )
    return [
        (pk, f"{street} {number} · {code} · {area} m²") for pk, code, street, number, area in rows
    ]


def phase_unit_choices(*, plan: RelocationPlan) -> list[tuple[str, list[tuple[int, str]]]]:
    """Return the units of the plan's district grouped by building and stair, for choosing
    single units to vacate: [("street number · stair", [(id, "code · floor · m²"), ...])]
    (one query)."""
    from quartiere.territory.models import Unit

    rows = (
        Unit.objects.filter(building__district_id=plan.lab.district_id)
        .order_by("building__street", "building__number", "building_id", "entrance__name", "code")
        .values_list(
            "id",
            "code",
            "floor",
            "floor_area_m2",
            "building__street",
            "building__number",
            "entrance__name",
        )
    )
    groups: dict[str, list[tuple[int, str]]] = {}
    for pk, code, floor, area, street, number, stair in rows:
        label = gettext("%(building)s · stair %(stair)s") % {
            "building": f"{street} {number}",
            "stair": stair,
        }
        groups.setdefault(label, []).append(
            (
                pk,
                gettext("%(code)s · floor %(floor)s · %(area)s m²")
                % {"code": code, "floor": floor, "area": area},
            )
        )
    return list(groups.items())


def phase_units(*, plan: RelocationPlan, unit_ids: Collection[int]) -> list[Any]:
    """Return the chosen units of the plan's district (with their buildings)."""
    from quartiere.territory.models import Unit

    return list(
        Unit.objects.filter(pk__in=list(unit_ids), building__district_id=plan.lab.district_id)
        .select_related("building")
        .order_by("pk")
    )


def area_rules(*, plan: RelocationPlan) -> list[AreaRule]:
    """Return a plan's floor-area rules by household size."""
    return list(AreaRule.objects.filter(plan=plan).order_by("household_size"))


def eligibility_rules(*, plan: RelocationPlan) -> list[EligibilityRule]:
    """Return a plan's eligibility rules (situation x move kind)."""
    return list(EligibilityRule.objects.filter(plan=plan).order_by("situation", "move_kind"))


def allowed_pairs(*, plan: RelocationPlan) -> set[tuple[str, str]]:
    """Return the (situation, move kind) pairs a plan allows."""
    return {
        (r.situation, r.move_kind)
        for r in EligibilityRule.objects.filter(plan=plan, is_allowed=True)
    }


# --- Solver input ------------------------------------------------------------------------


def solve_needs(
    *, plan: RelocationPlan, phase: RelocationPhase | None = None
) -> list[RelocationNeed]:
    """Return the needs a solve considers: assessed or matched (free) and offered or accepted
    (locked to their open offer's unit), with what the solver needs to know."""
    qs = RelocationNeed.objects.filter(
        plan=plan, status__in=list(SOLVABLE_STATUSES | LOCKED_STATUSES)
    )
    if phase is not None:
        qs = qs.filter(phase=phase)
    return list(
        qs.select_related("phase", "origin_unit__building")
        .prefetch_related(
            Prefetch(
                "offers",
                queryset=Offer.objects.filter(status__in=[OfferStatus.MADE, OfferStatus.ACCEPTED]),
                to_attr="open_offers",
            ),
            Prefetch("neighbours", queryset=RelocationNeed.objects.only("id")),
        )
        .order_by("id")
    )


def solve_pool(*, plan: RelocationPlan, exclude_need_ids: set[int]) -> list[PoolUnit]:
    """Return the active pool units free for a solve: not held by an open offer of a need
    outside ``exclude_need_ids`` (the needs being solved keep theirs as locks)."""
    held = Offer.objects.filter(status__in=[OfferStatus.MADE, OfferStatus.ACCEPTED]).exclude(
        need_id__in=exclude_need_ids
    )
    return list(
        PoolUnit.objects.filter(plan=plan, is_active=True)
        .exclude(unit_id__in=held.values("unit_id"))
        .select_related("unit__building")
        .order_by("id")
    )


# --- Plan versions -------------------------------------------------------------------------


def version_list(*, plan: RelocationPlan) -> QuerySet[PlanVersion]:
    """List a plan's versions, newest first."""
    return (
        PlanVersion.objects.filter(plan=plan)
        .select_related("created_by", "phase")
        .defer("pool_unit_ids")
        .order_by("-number")
    )


def version_get(*, user: Any, pk: int) -> PlanVersion | None:
    """Return a version of a plan of the user's labs, or None."""
    labs = _labs(user)
    qs = PlanVersion.objects.select_related("plan__lab", "phase", "created_by").defer(
        "pool_unit_ids"
    )
    if labs is not None:
        qs = qs.filter(plan__lab_id__in=labs)
    return qs.filter(pk=pk).first()


def latest_version(*, plan: RelocationPlan) -> PlanVersion | None:
    """Return the plan's most recent version, or None."""
    return PlanVersion.objects.filter(plan=plan).order_by("-number").first()


def version_matches(*, version: PlanVersion) -> QuerySet[ProposedMatch]:
    """List a version's proposed matches with household, units and any offer made from them."""
    return (
        ProposedMatch.objects.filter(version=version)
        .select_related("need__household", "need__origin_unit__building", "unit__building")
        .annotate(offer_count=Count("offers"))
        .order_by("need__household__label", "id")
    )


def version_unmatched(*, version: PlanVersion) -> QuerySet[UnmatchedNeed]:
    """List the households a version left without a unit, with the binding constraint."""
    return (
        UnmatchedNeed.objects.filter(version=version)
        .select_related("need__household", "need__origin_unit__building")
        .order_by("need__household__label", "id")
    )


def version_assignment(*, version: PlanVersion) -> tuple[dict[int, int], dict[int, dict[str, Any]]]:
    """Return ({need id: unit id}, {need id: explanation codes}) of a version, for comparing."""
    assignment: dict[int, int] = {}
    explanations: dict[int, dict[str, Any]] = {}
    for need_id, unit_id, explanation in ProposedMatch.objects.filter(version=version).values_list(
        "need_id", "unit_id", "explanation"
    ):
        assignment[need_id] = unit_id
        explanations[need_id] = explanation
    for need_id, explanation in UnmatchedNeed.objects.filter(version=version).values_list(
        "need_id", "explanation"
    ):
        explanations[need_id] = explanation
    return assignment, explanations


def version_pool(*, version: PlanVersion) -> set[int] | None:
    """Return the ids of the units a version could use, or None when it was not recorded."""
    ids = PlanVersion.objects.filter(pk=version.pk).values_list("pool_unit_ids", flat=True).first()
    return None if ids is None else {int(i) for i in ids}


def unit_labels(*, unit_ids: set[int]) -> dict[int, str]:
    """Return {unit id: "street number · code"} for the units named in a comparison."""
    from quartiere.territory.models import Unit

    rows = Unit.objects.filter(pk__in=unit_ids).values_list(
        "id", "code", "building__street", "building__number"
    )
    return {pk: f"{street} {number} · {code}" for pk, code, street, number in rows}


def need_labels(*, need_ids: set[int]) -> dict[int, str]:
    """Return {need id: household name}."""
    return dict(
        RelocationNeed.objects.filter(pk__in=need_ids).values_list("id", "household__label")
    )


# --- Offers and moves -----------------------------------------------------------------------


def offer_list(*, plan: RelocationPlan, status: str = "", q: str = "") -> QuerySet[Offer]:
    """List a plan's offers, newest first."""
    qs = Offer.objects.filter(need__plan=plan).select_related(
        "need__household", "unit__building", "made_by"
    )
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(need__household__label__icontains=q.strip())
    return qs.order_by("-created_at", "-id")


def offer_get(*, user: Any, pk: int) -> Offer | None:
    """Return an offer of the user's labs with its household and units, or None."""
    labs = _labs(user)
    qs = Offer.objects.select_related(
        "need__plan__lab",
        "need__household__reference_person",
        "need__origin_unit__building__owner",
        "unit__building__owner",
        "unit__entrance",
        "made_by",
        "answered_by",
    )
    if labs is not None:
        qs = qs.filter(need__plan__lab_id__in=labs)
    return qs.filter(pk=pk).first()


def match_get(*, user: Any, pk: int) -> ProposedMatch | None:
    """Return a proposed match of the user's labs, or None."""
    labs = _labs(user)
    qs = ProposedMatch.objects.select_related("version__plan", "need", "unit")
    if labs is not None:
        qs = qs.filter(version__plan__lab_id__in=labs)
    return qs.filter(pk=pk).first()


def move_list(*, plan: RelocationPlan, kind: str = "") -> QuerySet[Move]:
    """List a plan's moves, newest first."""
    qs = Move.objects.filter(need__plan=plan).select_related(
        "need__household", "from_unit__building", "to_unit__building", "payer"
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-moved_on", "-id")


def ready_to_return_list(*, plan: RelocationPlan) -> QuerySet[Move]:
    """List temporary moves with the right to return whose original building is inhabited."""
    return move_list(plan=plan, kind=MoveKind.TEMPORARY).filter(
        has_right_to_return=True,
        returned_on__isnull=True,
        from_unit__building__status=BuildingStatus.INHABITED,
    )


def move_get(*, user: Any, pk: int) -> Move | None:
    """Return a move of the user's labs, or None."""
    labs = _labs(user)
    qs = Move.objects.select_related("need__plan", "from_unit__building", "to_unit", "offer")
    if labs is not None:
        qs = qs.filter(need__plan__lab_id__in=labs)
    return qs.filter(pk=pk).first()


def plan_map(*, plan: RelocationPlan) -> dict[str, Any]:
    """Return the origin and destination buildings of a plan with household counts.

    Origins are the buildings households leave; destinations the buildings of accepted offers
    and moves (or, when none, the latest version's proposals).
    """
    origins: Counter[int] = Counter(
        RelocationNeed.objects.filter(plan=plan, origin_unit__isnull=False).values_list(
            "origin_unit__building_id", flat=True
        )
    )
    dest_rows = Offer.objects.filter(
        need__plan=plan, status__in=[OfferStatus.ACCEPTED, OfferStatus.MADE]
    ).values_list("unit__building_id", flat=True)
    destinations: Counter[int] = Counter(dest_rows)
    source = "offers"
    if not destinations:
        version = latest_version(plan=plan)
        if version is not None:
            destinations = Counter(
                ProposedMatch.objects.filter(version=version).values_list(
                    "unit__building_id", flat=True
                )
            )
            source = "proposals"
    from quartiere.territory.models import Building

    buildings = {
        b.pk: b
        for b in Building.objects.filter(pk__in=set(origins) | set(destinations)).only(
            "id", "street", "number", "latitude", "longitude", "status"
        )
    }

    def rows(counter: Counter[int], role: str) -> list[dict[str, Any]]:
        out = []
        for pk, n in sorted(counter.items(), key=lambda kv: (buildings[kv[0]].address, kv[0])):
            b = buildings[pk]
            out.append(
                {
                    "id": pk,
                    "label": b.address,
                    "role": role,
                    "households": n,
                    "status": b.get_status_display(),
                    "lat": float(b.latitude) if b.latitude is not None else None,
                    "lon": float(b.longitude) if b.longitude is not None else None,
                }
            )
        return out

    return {
        "origins": rows(origins, "origin"),
        "destinations": rows(destinations, "destination"),
        "source": source,
    }
