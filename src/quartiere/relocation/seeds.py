"""Demo relocation plans in the Lorenteggio lab (synthetic data).

1. "Via Lorenteggio 181": three buildings (A, B, C) being vacated, about 60 households,
   a pool of the district's vacant units; solved, offers made, accepted and refused, a few
   households already moved.
2. "Quadrilatero Lorenteggio, second lot": 400 households of inhabited buildings and a pool of
   500 units (vacant units of the district and new buildings); solved, some offers and moves.

Needs and pool rows of the large phase are bulk-created; every step after that (solving,
offers, answers, moves with the tenancy transfer) goes through the services.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from quartiere.people import codice_fiscale
from quartiere.people import services as people_services
from quartiere.people.enums import HouseholdRole, Language, TenancyKind
from quartiere.people.models import Household, Resident, Tenancy
from quartiere.relocation import services
from quartiere.relocation.enums import (
    MoveKind,
    NeedStatus,
    OfferStatus,
    PoolSource,
)
from quartiere.relocation.models import (
    Move,
    Offer,
    PoolUnit,
    ProposedMatch,
    RelocationNeed,
    RelocationPhase,
    RelocationPlan,
)
from quartiere.territory import services as territory_services
from quartiere.territory.enums import BuildingStatus, UnitStatus
from quartiere.territory.models import Building, Entrance, Unit

# size -> (floors per 181 building, units per floor, large-phase households, large pool,
#          offers made per plan, moves per plan)
SIZES = {
    "tiny": (3, 2, 30, 40, 6, 2),
    "district": (5, 4, 400, 500, 24, 6),
    "region": (5, 4, 400, 500, 24, 6),
}
SURNAMES = [
    "Rossi", "Colombo", "Brambilla", "Ferrari", "Galli", "Sala", "Villa", "Fumagalli",
    "El Amrani", "Haddad", "Benali", "Santos", "Reyes", "Popescu", "Hoxha", "Chen",
    "Rahman", "Kovalenko", "Esposito", "Russo",
]  # fmt: skip
FIRST_NAMES = [
    "Anna",
    "Luca",
    "Maria",
    "Youssef",
    "Fatima",
    "José",
    "Ion",
    "Mei",
    "Arben",
    "Giulia",
]
LANGUAGES = [Language.ITALIAN] * 6 + [Language.ARABIC, Language.ENGLISH, Language.SPANISH]
SIZE_WEIGHTS = [(1, 16), (2, 22), (3, 22), (4, 20), (5, 12), (6, 8)]
REFUSAL_REASONS = [
    "Troppo lontano dalla scuola dei figli.",
    "L'alloggio è al quarto piano senza ascensore per la nonna.",
    "Preferisce restare vicino alla parrocchia dove fa volontariato.",
]


def _area(rng: random.Random, lo: int, hi: int) -> Decimal:
    return Decimal(rng.randint(lo, hi))


def _lorenteggio_181(
    *, rng: random.Random, lab: Any, owner: Any, floors: int, per_floor: int
) -> list[Unit]:
    """Three buildings at via Lorenteggio 181 (being vacated), one stair each, through the
    territory service."""
    district = lab.district
    buildings: list[Building] = []
    entrances: list[Entrance] = []
    units: list[Unit] = []
    for i, letter in enumerate("ABC"):
        building = Building(
            district=district,
            code=f"MI-LOR-181{letter}",
            street="Via Lorenteggio",
            number=f"181/{letter}",
            latitude=Decimal(f"{45.4478 + i * 0.0003:.6f}"),
            longitude=Decimal(f"{9.1405 + i * 0.0004:.6f}"),
            owner=owner,
            year_built=1939,
            floors=floors,
            has_lift=False,
            status=BuildingStatus.BEING_VACATED,
        )
        buildings.append(building)
        entrance = Entrance(building=building, name="Scala A")
        entrances.append(entrance)
        for floor in range(floors):
            for k in range(per_floor):
                units.append(
                    Unit(
                        building=building,
                        entrance=entrance,
                        code=f"181{letter}-{floor}{k + 1:02d}",
                        floor=floor,
                        rooms=rng.choice([2, 2, 3, 3, 4]),
                        floor_area_m2=_area(rng, 38, 82),
                        is_accessible=floor == 0,
                        status=UnitStatus.OCCUPIED,
                    )
                )
    territory_services.territory_bulk_create(
        actor=None, buildings=buildings, entrances=entrances, units=units, lab_id=lab.pk
    )
    return units


def _new_buildings(
    *, rng: random.Random, lab: Any, owner: Any, count: int, prefix: str
) -> list[Unit]:
    """New buildings of the regeneration (with lifts) whose units join the pool."""
    buildings: list[Building] = []
    entrances: list[Entrance] = []
    units: list[Unit] = []
    per_building = 24
    for i in range(max(1, -(-count // per_building))):
        building = Building(
            district=lab.district,
            code=f"{prefix}-{i + 1:03d}",
            street="Via Giambellino",
            number=str(129 + 2 * i),
            latitude=Decimal(f"{45.4530 - (i % 10) * 0.0002:.6f}"),
            longitude=Decimal(f"{9.1340 + (i // 10) * 0.0005 + (i % 3) * 0.0003:.6f}"),
            owner=owner,
            year_built=2025,
            floors=6,
            has_lift=True,
            status=BuildingStatus.NEW,
        )
        buildings.append(building)
        entrance = Entrance(building=building, name="Scala A")
        entrances.append(entrance)
        for k in range(per_building):
            if len(units) >= count:
                break
            rooms = rng.choice([1, 2, 2, 3, 3, 4, 5])
            units.append(
                Unit(
                    building=building,
                    entrance=entrance,
                    code=f"{prefix}-{i + 1:03d}-{k // 4}{k % 4 + 1:02d}",
                    floor=k // 4,
                    rooms=rooms,
                    floor_area_m2=_area(rng, 26 + rooms * 8, 40 + rooms * 12),
                    is_accessible=True,
                    status=UnitStatus.VACANT,
                )
            )
    territory_services.territory_bulk_create(
        actor=None, buildings=buildings, entrances=entrances, units=units, lab_id=lab.pk
    )
    return units


def _identity(
    rng: random.Random, codes: set[str], *, surname: str, name: str, born: dt.date
) -> tuple[str, str, dt.date]:
    """A synthetic gender, codice fiscale (unique in the demo) and the birth date it encodes."""
    female = rng.random() < 0.5
    for shift in range(400):
        day = born + dt.timedelta(days=shift)
        code = codice_fiscale.build(
            surname=surname, name=name, born_on=day, female=female, place_code="F205"
        )
        if code not in codes:
            codes.add(code)
            return code, ("F" if female else "M"), day
    raise RuntimeError("no free synthetic codice fiscale")  # not reached at demo sizes


def _households(
    *, rng: random.Random, lab: Any, units: list[Unit], today: dt.date, codes: set[str]
) -> None:
    """Synthetic households living in the 181 units (through people's bulk service)."""
    sizes, weights = zip(*SIZE_WEIGHTS, strict=True)
    households: list[Household] = []
    residents: list[Resident] = []
    tenancies: list[Tenancy] = []
    for unit in units:
        surname = rng.choice(SURNAMES)
        household = Household(lab=lab, label=f"{surname} ({unit.code})")
        households.append(household)
        language = rng.choice(LANGUAGES)
        n = rng.choices(sizes, weights)[0]
        for m in range(n):
            age = rng.randint(30, 85) if m == 0 else rng.randint(1, 60)
            first_name = rng.choice(FIRST_NAMES)
            code, gender, born = _identity(
                rng,
                codes,
                surname=surname,
                name=first_name,
                born=today - dt.timedelta(days=age * 365 + rng.randint(0, 364)),
            )
            residents.append(
                Resident(
                    lab=lab,
                    household=household,
                    household_role=HouseholdRole.REFERENCE if m == 0 else HouseholdRole.CHILD,
                    first_name=first_name,
                    last_name=surname,
                    codice_fiscale=code,
                    gender=gender,
                    birth_date=born,
                    preferred_language=language,
                    is_synthetic=True,
                )
            )
        tenancies.append(
            Tenancy(
                household=household,
                unit=unit,
                kind=rng.choices(
                    [
                        TenancyKind.REGULAR,
                        TenancyKind.IRREGULAR_BEFORE_2016,
                        TenancyKind.IRREGULAR_AFTER_2016,
                    ],
                    weights=[85, 10, 5],
                )[0],
                starts_on=today - dt.timedelta(days=rng.randint(400, 30 * 365)),
            )
        )
    people_services.people_bulk_create(
        actor=None, lab=lab, households=households, residents=residents, tenancies=tenancies
    )


def _pool(
    *,
    rng: random.Random,
    plan: RelocationPlan,
    units: list[Unit],
    today: dt.date,
    vacate_by: dt.date,
) -> list[PoolUnit]:
    entries = [
        PoolUnit(
            plan=plan,
            unit=u,
            available_from=today
            + dt.timedelta(days=rng.choice([-60, -30, 0, 30, 60, 90, 200, 300])),
            move_kind=MoveKind.TEMPORARY if rng.random() < 0.45 else MoveKind.PERMANENT,
            source=(
                PoolSource.NEW
                if u.building.status == BuildingStatus.NEW
                else rng.choice([PoolSource.VACANT, PoolSource.RENOVATED])
            ),
        )
        for u in units
    ]
    services.pool_bulk_add(actor=None, plan=plan, entries=entries)
    return entries


def _wishes(rng: random.Random, pool_units: list[Unit], streets: list[str]) -> dict[str, Any]:
    wish: dict[str, Any] = {
        "needs_accessible": rng.random() < 0.12,
        "wishes_to_return": rng.random() < 0.55,
    }
    roll = rng.random()
    if roll < 0.2 and pool_units:
        picks = rng.sample(pool_units, k=min(2, len(pool_units)))
        wish["preferred_unit_1"] = picks[0]
        if len(picks) > 1 and rng.random() < 0.6:
            wish["preferred_unit_2"] = picks[1]
    elif roll < 0.5 and streets:
        wish["preferred_zone_1"] = rng.choice(streets)
    if rng.random() < 0.15:
        wish["constraints_text"] = rng.choice(
            [
                "Figli iscritti alla scuola di via Narcisi.",
                "La madre anziana abita in via Segneri e riceve assistenza quotidiana.",
                "Segue cure presso il poliambulatorio di zona.",
            ]
        )
    return wish


def _bulk_needs(
    *,
    rng: random.Random,
    plan: RelocationPlan,
    phase: RelocationPhase,
    households: list[Household],
    pool_units: list[Unit],
    streets: list[str],
) -> list[RelocationNeed]:
    """Needs of many households at once: the same facts need_create derives, in bulk."""
    births: dict[int, list[Any]] = {h.pk: [] for h in households}
    for household_id, born in Resident.objects.filter(
        household_id__in=[h.pk for h in households]
    ).values_list("household_id", "birth_date"):
        births[household_id].append(born)
    today = timezone.localdate()
    open_tenancy = {
        t.household_id: t
        for t in Tenancy.objects.filter(
            household_id__in=[h.pk for h in households], ends_on__isnull=True
        )
    }
    needs = []
    for h in households:
        tenancy = open_tenancy.get(h.pk)
        wish = _wishes(rng, pool_units, streets)
        needs.append(
            RelocationNeed(
                plan=plan,
                phase=phase,
                household=h,
                origin_unit_id=tenancy.unit_id if tenancy else None,
                member_count=max(1, len(births[h.pk])),
                **services.age_groups(births[h.pk], today),
                situation=services.SITUATION_BY_TENANCY.get(
                    tenancy.kind if tenancy else "", "regular"
                ),
                status=NeedStatus.ASSESSED if rng.random() < 0.95 else NeedStatus.TO_ASSESS,
                **wish,
            )
        )
    return services.needs_bulk_create(actor=None, plan=plan, needs=needs)


def _offers_and_moves(
    *,
    rng: random.Random,
    plan: RelocationPlan,
    version: Any,
    offers: int,
    moves: int,
    actor: Any,
    today: dt.date,
) -> None:
    """Offer the first proposals; most are accepted, some refused; a few households move."""
    matches = list(
        ProposedMatch.objects.filter(version=version, is_locked=False)
        .select_related("need")
        .order_by("need__household__label", "id")[:offers]
    )
    accepted: list[Offer] = []
    for i, match in enumerate(matches):
        offer = services.offer_make(actor=actor, match=match)
        if i % 4 == 3:
            services.offer_refuse(
                actor=actor, offer=offer, reason=REFUSAL_REASONS[i % len(REFUSAL_REASONS)]
            )
        elif i % 4 in (0, 1):
            accepted.append(services.offer_accept(actor=actor, offer=offer))
        # the rest stay waiting for an answer
    for offer in accepted[:moves]:
        offer.refresh_from_db()
        if offer.status != OfferStatus.ACCEPTED:
            continue
        services.move_record(
            actor=actor,
            offer=offer,
            moved_on=today - dt.timedelta(days=rng.randint(1, 40)),
            cost_amount=Decimal(rng.randint(600, 1800)),
        )


def seed_demo(*, size: str, rng: random.Random, ctx: dict[str, Any]) -> None:
    """Create the two Lorenteggio relocation plans, solve them, make offers and moves."""
    from django.contrib.auth import get_user_model

    floors, per_floor, big_households, big_pool, offers, moves = SIZES[size]
    lab = ctx["labs"]["lorenteggio"]
    owner = ctx["orgs"]["ALER Milano"]
    today = timezone.localdate()
    users = get_user_model().objects
    coordinator = users.filter(username="coord.lorenteggio").first()
    housing = users.filter(username="aler.lorenteggio").first() or coordinator

    # 1. Via Lorenteggio 181: three buildings, about 60 households.
    units_181 = _lorenteggio_181(rng=rng, lab=lab, owner=owner, floors=floors, per_floor=per_floor)
    codes = ctx.setdefault("residents", set())
    _households(rng=rng, lab=lab, units=units_181, today=today, codes=codes)
    plan = services.relocation_plan_create(
        actor=coordinator,
        lab=lab,
        name="Via Lorenteggio 181",
        description=(
            "Demolizione e ricostruzione dei tre edifici di via Lorenteggio 181 (Accordo di "
            "Programma Lorenteggio): mobilità temporanea o definitiva delle famiglie."
        ),
    )
    phase = services.relocation_phase_create(
        actor=coordinator,
        plan=plan,
        name="Via Lorenteggio 181, edifici A-C",
        vacate_by=today + dt.timedelta(days=150),
        buildings=Building.objects.filter(code__startswith="MI-LOR-181"),
    )
    vacant = list(
        Unit.objects.filter(building__district=lab.district, status=UnitStatus.VACANT)
        .exclude(building__status__in=[BuildingStatus.UNDER_WORKS, BuildingStatus.DEMOLISHED])
        .select_related("building")
        .order_by("id")
    )
    rng.shuffle(vacant)
    # A little short of units, as in the real case: some households wait for the next round.
    wanted = len(units_181) * 9 // 10
    pool_181 = vacant[:wanted]
    if len(pool_181) < wanted:
        pool_181 += _new_buildings(
            rng=rng, lab=lab, owner=owner, count=wanted - len(pool_181), prefix="MI-LOR-N181"
        )
    _pool(rng=rng, plan=plan, units=pool_181, today=today, vacate_by=phase.vacate_by)
    streets = sorted({u.building.street for u in pool_181})
    households_181 = list(
        Household.objects.filter(tenancies__unit__in=units_181, tenancies__ends_on__isnull=True)
        .prefetch_related("members", "tenancies__unit")
        .order_by("id")
    )
    for i, household in enumerate(households_181):
        need = services.need_create(
            actor=housing,
            plan=plan,
            household=household,
            phase=phase,
            meeting_note=(
                "Incontro al laboratorio: la famiglia chiede di restare nel quartiere."
                if i % 5 == 0
                else ""
            ),
            **_wishes(rng, pool_181, streets),
        )
        if i % 12 != 11:  # a few still to assess
            services.need_assess(actor=housing, need=need)
    version = services.relocation_plan_solve(plan=plan, actor=housing)
    _offers_and_moves(
        rng=rng, plan=plan, version=version, offers=offers, moves=moves, actor=housing,
        today=today,
    )  # fmt: skip
    services.relocation_plan_solve(plan=plan, actor=housing)  # a second version to compare

    # 2. A larger phase: 400 households, a pool of 500 units.
    big = services.relocation_plan_create(
        actor=coordinator,
        lab=lab,
        name="Quadrilatero Lorenteggio, secondo lotto",
        description="Ristrutturazione degli edifici del secondo lotto: 400 famiglie da spostare.",
    )
    taken_units = {u.pk for u in units_181}
    rows = (
        Tenancy.objects.filter(
            ends_on__isnull=True,
            household__lab=lab,
            unit__building__status=BuildingStatus.INHABITED,
        )
        .exclude(unit_id__in=taken_units)
        .exclude(household__relocation_needs__isnull=False)
        .values_list("household_id", "unit__building_id")
        .order_by("unit__building__street", "unit__building__number", "household_id")
    )
    chosen_households: list[int] = []
    chosen_buildings: list[int] = []
    for household_id, building_id in rows:
        if len(chosen_households) >= big_households:
            break
        chosen_households.append(household_id)
        if building_id not in chosen_buildings:
            chosen_buildings.append(building_id)
    phase_big = services.relocation_phase_create(
        actor=coordinator,
        plan=big,
        name="Secondo lotto",
        vacate_by=today + dt.timedelta(days=240),
        buildings=Building.objects.filter(pk__in=chosen_buildings),
    )
    used = {u.pk for u in pool_181}
    free = [u for u in vacant if u.pk not in used]
    pool_big = free[:big_pool]
    if len(pool_big) < big_pool:
        pool_big += _new_buildings(
            rng=rng, lab=lab, owner=owner, count=big_pool - len(pool_big), prefix="MI-LOR-N2"
        )
    _pool(rng=rng, plan=big, units=pool_big, today=today, vacate_by=phase_big.vacate_by)
    for unit in pool_big:
        unit.building = unit.building  # keep the cached building for the streets below
    _bulk_needs(
        rng=rng,
        plan=big,
        phase=phase_big,
        households=list(Household.objects.filter(pk__in=chosen_households).order_by("id")),
        pool_units=pool_big,
        streets=sorted({u.building.street for u in pool_big}),
    )
    for building in Building.objects.filter(pk__in=chosen_buildings):
        territory_services.building_update(
            actor=coordinator, building=building, status=BuildingStatus.BEING_VACATED
        )
    version_big = services.relocation_plan_solve(plan=big, actor=housing)
    _offers_and_moves(
        rng=rng, plan=big, version=version_big, offers=offers, moves=moves, actor=housing,
        today=today,
    )  # fmt: skip
    # One building of the second lot is already renovated: its temporary movers may return.
    back = (
        Move.objects.filter(need__plan=big, kind=MoveKind.TEMPORARY)
        .select_related("from_unit__building")
        .first()
    )
    if back is not None and back.from_unit is not None:
        territory_services.building_update(
            actor=coordinator, building=back.from_unit.building, status=BuildingStatus.INHABITED
        )
    ctx["relocation_plans"] = {"lorenteggio_181": plan, "second_lot": big}
