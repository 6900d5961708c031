"""Relocation matching: households to units, optimal and explainable (pure, no Django imports).

The problem (DOMAIN.md section 6, issue 6 item 4): every household that must vacate its home
gets at most one unit of the receiving pool and every unit receives at most one household.

Hard constraints (a pair that breaks one is never assigned):

- **adequacy**: the unit's useful floor area lies in the range of the household's size
  (``AdequacyTable``, DOMAIN's table by default; sizes above the last row use the last row);
- **accessibility**: a household with a member of reduced mobility needs an accessible unit,
  that is ``is_accessible`` or a lift or the ground floor (``floor <= 0``);
- **availability**: the unit is available on or before the household's ``must_move_by`` date;
- **eligibility**: the household's tenancy situation is among the unit's
  ``eligible_situations`` (for example, units of the ALER pool for regular tenants only);
- **move kind**: when a household lists the move kinds it accepts, the unit's kind is one of
  them;
- **locks**: a household with ``locked_unit_id`` (an accepted offer) keeps that unit whatever
  the rest; locked units leave the pool before solving.

Objective, lexicographic: first **as many households matched as possible** (nobody is left out
so that others score better), then the **highest total score**. A pair's score is the sum of
four weighted terms, each worth ``weight * POINTS`` points at most and rounded to whole points
so the objective is an exact integer:

- ``preference``: 1 for the first preferred unit, 0.8 for the second, 0.5 for a unit in a
  preferred zone, 0 otherwise;
- ``distance``: 1 at the household's original building, falling linearly to 0 at
  ``Weights.max_distance_km`` (0 when a position is unknown);
- ``area_fit``: 1 at the middle of the household's adequate range, falling linearly to 0.25 at
  its edges (an open range such as "6+: 78 m² or more" is read as min..min+``OPEN_RANGE_SPAN_M2``
  for the fit, areas above it score 0.25);
- ``neighbours``: households that asked to stay together (the relation is made symmetric:
  if A names B, both count as neighbours). Keeping them together is a pairwise (quadratic)
  wish; to keep the whole problem an assignment problem, solved exactly and fast, it is
  modelled per (household, unit): 1 when the unit stands in an *anchor building* of the
  household's neighbours (a building where a neighbour named a preferred unit, or where a
  neighbour already holds a locked unit), 0.5 when the unit is in a zone a neighbour prefers,
  0 otherwise. A group that states preferences is thus pulled towards the same buildings, and
  households re-solved around an accepted offer are pulled towards it; a group that states
  none is already pulled towards its common original building by ``distance``. Whether the
  neighbours actually ended up in the same building is reported afterwards in each
  explanation (``Explanation.neighbours_together``). The exact pairwise model (a CP-SAT
  program with one variable per pair of neighbours and pair of units) was not chosen: it is
  orders of magnitude slower at 2,000 x 2,500 and loses the optimality guarantee within a
  time limit.

The lexicographic objective is one linear assignment: every feasible pair is worth
``match_bonus + score`` with ``match_bonus = n_households * max_pair_score + 1``, so one more
match always outweighs any gain in score. It is solved exactly over the feasible pairs only
(sparse) by one of three established engines (``method``):

- ``"flow"`` (default): OR-Tools ``SimpleMinCostFlow.solve_max_flow_with_min_cost`` (the
  most households matched, then the least cost = the highest score; the fastest on realistic
  instances: about 0.4 s at 2,000 x 2,500 with a million feasible pairs);
- ``"sparse"``: SciPy's ``min_weight_full_bipartite_matching`` (LAPJVsp) on the feasible
  pairs plus one "left unmatched" column per household;
- ``"dense"``: SciPy's ``linear_sum_assignment`` on the dense value matrix.

The flow engine needs no bonus: a maximum flow is the largest matching, and the least-cost
maximum flow the best-scoring one. All three are exact; ``optimal`` is True when the engine
reports an optimal solution (OR-Tools' status; SciPy raises otherwise). ``score_matrix``
exposes the dense matrix so that the objective can be checked independently
(``bench/relocation.py`` compares the plan with SciPy's dense ``linear_sum_assignment``).

Every household gets an ``Explanation``: for a matched one, the score terms and what happened
to each preferred unit; for an unmatched one, the binding constraint, found by checking each
hard constraint separately (how many units satisfy it alone, and how many remain after each
constraint in turn), or ``competition`` when suitable units exist but each of them went to
another household and no reshuffle could match one more household. Codes and parameters only:
``Explanation.statements`` lists the sentences to show as codes and parameters, and
``STATEMENTS`` gives the reference English wording of each code for the caller to translate.
"""

from __future__ import annotations

import enum
import math
import time
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

__all__ = [
    "ALL_MOVE_KINDS",
    "ALL_SITUATIONS",
    "DEFAULT_ADEQUACY",
    "POINTS",
    "STATEMENTS",
    "AdequacyTable",
    "Constraint",
    "Explanation",
    "HouseholdNeed",
    "MoveKind",
    "PreferenceNote",
    "PreferenceOutcome",
    "ScoreMatrix",
    "ScoreTerm",
    "SolveResult",
    "Statement",
    "TenancySituation",
    "Term",
    "UnitOffer",
    "Weights",
    "distance_km",
    "score_matrix",
    "solve",
]

Id = Hashable
_T = TypeVar("_T", bound=Hashable)
"""Identifiers are whatever the caller uses (primary keys): ints or strings, hashable."""

POINTS = 1000
"""Points of a score term worth 1 with weight 1 (scores are integers: exact objectives)."""

OPEN_RANGE_SPAN_M2 = 20.0
"""For the area fit only: an open range "min or more" is read as min..min + this span."""

EARTH_RADIUS_KM = 6371.0088


class TenancySituation(enum.StrEnum):
    """Household situations of DOMAIN.md section 6 (values are stable codes)."""

    REGULAR = "regular"
    IRREGULAR_BEFORE_2016 = "irregular_before_2016"
    """Irregular occupant before 2 February 2016 (protected by the agreement)."""
    IRREGULAR_AFTER_2016 = "irregular_after_2016"
    """Irregular occupant after that date (municipal emergency housing)."""
    FRAGILE = "fragile"


ALL_SITUATIONS: frozenset[str] = frozenset(s.value for s in TenancySituation)


class MoveKind(enum.StrEnum):
    TEMPORARY = "temporary"
    PERMANENT = "permanent"


ALL_MOVE_KINDS: frozenset[str] = frozenset(k.value for k in MoveKind)


class Constraint(enum.StrEnum):
    """Why a household is unmatched, or why a preferred unit was not given (stable codes)."""

    ADEQUACY = "adequacy"
    """No unit's floor area is in the adequate range for the household's size."""
    ACCESSIBILITY = "accessibility"
    """The household needs a lift, the ground floor or an accessible unit; none is."""
    AVAILABILITY = "availability"
    """No unit is available on or before the date the household must move by."""
    ELIGIBILITY = "eligibility"
    """No unit is open to the household's tenancy situation."""
    MOVE_KIND = "move_kind"
    """No unit offers a move of a kind the household accepts (temporary or permanent)."""
    COMPETITION = "competition"
    """Suitable units exist, but each went to another household; matching this household
    would leave another one without a unit."""
    EMPTY_POOL = "empty_pool"
    """The pool has no free unit at all."""


class Term(enum.StrEnum):
    """The score terms (stable codes)."""

    PREFERENCE = "preference"
    DISTANCE = "distance"
    AREA_FIT = "area_fit"
    NEIGHBOURS = "neighbours"


class PreferenceOutcome(enum.StrEnum):
    """What happened to one preferred unit of a household."""

    HONOURED = "honoured"
    """The household got this unit."""
    TAKEN = "taken"
    """Another household got it (``PreferenceNote.taken_by``)."""
    INFEASIBLE = "infeasible"
    """A hard constraint excludes it (``PreferenceNote.constraints``)."""
    NOT_IN_POOL = "not_in_pool"
    """The unit is not in the pool being solved."""
    BETTER_PLAN = "better_plan"
    """Free and suitable, but the overall plan is better with another unit for this household
    (more households matched or a higher total score)."""


# --- Inputs ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HouseholdNeed:
    """One household to move.

    ``origin`` and ``UnitOffer.location`` are (latitude, longitude) in degrees, or None when
    unknown. ``preferred_unit_ids`` is ordered (first choice first, at most two are scored);
    ``neighbour_household_ids`` are the households it asked to stay close to (made
    symmetric). ``accepted_move_kinds`` None means any. ``must_move_by`` None means no
    deadline. ``locked_unit_id`` is an accepted offer: that unit stays this household's on
    every re-solve.
    """

    household_id: Id
    size: int
    needs_accessible: bool = False
    tenancy_situation: str = TenancySituation.REGULAR
    origin: tuple[float, float] | None = None
    preferred_unit_ids: tuple[Id, ...] = ()
    preferred_zone_ids: tuple[Id, ...] = ()
    neighbour_household_ids: tuple[Id, ...] = ()
    must_move_by: date | None = None
    accepted_move_kinds: frozenset[str] | None = None
    locked_unit_id: Id | None = None


@dataclass(frozen=True, slots=True)
class UnitOffer:
    """One unit of the receiving pool.

    A unit is accessible when ``is_accessible`` or ``has_lift`` or ``floor <= 0``.
    ``available_from`` None means available now. ``zone_id`` and ``building_id`` group units
    for preferences and neighbours.
    """

    unit_id: Id
    floor_area_m2: float
    floor: int = 0
    has_lift: bool = False
    is_accessible: bool = False
    zone_id: Id | None = None
    building_id: Id | None = None
    location: tuple[float, float] | None = None
    available_from: date | None = None
    move_kind: str = MoveKind.PERMANENT
    eligible_situations: frozenset[str] = ALL_SITUATIONS


@dataclass(frozen=True, slots=True)
class AdequacyTable:
    """Useful floor area (m²) by household size: ``{size: (min_m2, max_m2 or None)}``.

    A size above the largest key uses the largest key's row (DOMAIN: "6+"); a size below the
    smallest uses the smallest.
    """

    ranges: Mapping[int, tuple[float, float | None]]

    def range_for(self, size: int) -> tuple[float, float | None]:
        keys = sorted(self.ranges)
        if not keys:
            raise ValueError("the adequacy table is empty")
        chosen = keys[0]
        for key in keys:
            if key <= size:
                chosen = key
        lo, hi = self.ranges[chosen]
        return float(lo), (float(hi) if hi is not None else None)


DEFAULT_ADEQUACY = AdequacyTable(
    ranges={
        1: (28.0, 46.0),
        2: (38.0, 55.0),
        3: (48.0, 65.0),
        4: (58.0, 80.0),
        5: (68.0, 93.0),
        6: (78.0, None),
    }
)
"""DOMAIN.md section 6: 1: 28-46, 2: 38-55, 3: 48-65, 4: 58-80, 5: 68-93, 6+: 78 or more."""


@dataclass(frozen=True, slots=True)
class Weights:
    """Weights of the score terms (non-negative) and the distance at which ``distance`` is 0."""

    preference: float = 4.0
    distance: float = 2.0
    area_fit: float = 2.0
    neighbours: float = 1.0
    max_distance_km: float = 5.0

    def __post_init__(self) -> None:
        for name in ("preference", "distance", "area_fit", "neighbours", "max_distance_km"):
            object.__setattr__(self, name, float(getattr(self, name)))  # e.g. from a Decimal
        for name in ("preference", "distance", "area_fit", "neighbours"):
            if getattr(self, name) < 0:
                raise ValueError(f"weight {name} must not be negative")
        if self.max_distance_km <= 0:
            raise ValueError("max_distance_km must be positive")

    @property
    def max_pair_score(self) -> int:
        """Upper bound of a pair's score in points."""
        return sum(
            round(w * POINTS)
            for w in (self.preference, self.distance, self.area_fit, self.neighbours)
        )


# --- Outputs ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScoreTerm:
    """One term of a pair's score: ``value`` in 0..1, ``points`` = round(value * weight *
    POINTS); ``params`` say why (e.g. ``{"choice": 1}``, ``{"km": 1.234}``)."""

    term: Term
    value: float
    points: int
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PreferenceNote:
    """What happened to one preferred unit (``rank`` 1 or 2)."""

    unit_id: Id
    rank: int
    outcome: PreferenceOutcome
    constraints: tuple[Constraint, ...] = ()
    taken_by: Id | None = None


@dataclass(frozen=True, slots=True)
class Statement:
    """One sentence of an explanation: a ``code`` of ``STATEMENTS`` and its parameters."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


STATEMENTS: Mapping[str, str] = {
    # A matched household.
    "locked_offer": "Kept: the household accepted the offer of this unit.",
    "locked_breaks_rules": "The accepted unit no longer meets these rules: %(constraints)s.",
    "preference_choice": "It is the household's preferred unit no. %(choice)s.",
    "preference_zone": "It is in a zone the household prefers (%(zone)s).",
    "preferred_unit_taken": (
        "Preferred unit no. %(rank)s (%(unit_id)s) went to another household (%(taken_by)s)."
    ),
    "preferred_unit_unsuitable": (
        "Preferred unit no. %(rank)s (%(unit_id)s) does not meet: %(constraints)s."
    ),
    "preferred_unit_not_in_pool": "Preferred unit no. %(rank)s (%(unit_id)s) is not in the pool.",
    "preferred_unit_better_plan": (
        "Preferred unit no. %(rank)s (%(unit_id)s) is free, but this unit scores better overall."
    ),
    "distance": "%(km)s km from the original home.",
    "distance_unknown": "The distance from the original home is unknown.",
    "area_fit": "%(area_m2)s m², in the range of %(min_m2)s-%(max_m2)s m² for its size.",
    "area_fit_open": "%(area_m2)s m², at least %(min_m2)s m² needed for its size.",
    "neighbours_together": "In the same building as the neighbours it asked to stay with.",
    "neighbours_partly_together": (
        "In the same building as %(together)s of the %(asked)s neighbours it asked to stay with."
    ),
    "neighbours_apart": "Not in the same building as the neighbours it asked to stay with.",
    # An unmatched household (one of these, from the binding constraint).
    "unmatched_adequacy": (
        "No free unit has the floor area for %(size)s people (%(min_m2)s-%(max_m2)s m²)."
    ),
    "unmatched_adequacy_open": (
        "No free unit has the floor area for %(size)s people (at least %(min_m2)s m²)."
    ),
    "unmatched_accessibility": (
        "No free unit of the right size is accessible (ground floor, lift or step-free)."
    ),
    "unmatched_availability": (
        "No suitable unit is available by %(must_move_by)s; the earliest is available on "
        "%(earliest_available)s."
    ),
    "unmatched_availability_none": "No suitable unit is available by %(must_move_by)s.",
    "unmatched_eligibility": "No free unit is open to its tenancy situation (%(situation)s).",
    "unmatched_move_kind": "No free unit offers a move of the kind it accepts (%(kinds)s).",
    "unmatched_competition": (
        "The %(suitable_units)s suitable units all went to other households: giving one to "
        "this household would leave another household without a unit."
    ),
    "unmatched_empty_pool": "The pool has no free unit.",
}
"""Reference English wording of every statement code (the app wraps its own copy for
translation; ``%(name)s`` are the statement's parameters)."""


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a household got its unit, or why it got none.

    Matched: ``unit_id``, ``score`` (points), ``terms``, ``locked``, ``preferences`` and
    ``neighbours_together`` (the neighbours placed in the same building).
    Unmatched: ``reason`` (the binding ``Constraint``) and ``params``:
    ``units_in_pool``; ``alone`` = {constraint code: units satisfying that constraint alone};
    ``cumulative`` = [[constraint code, units left after applying it], ...] in the order
    adequacy, accessibility, availability, eligibility, move_kind; ``suitable_units`` (count)
    and, for ``competition``, ``taken_by`` = [{"unit_id", "household_id"}, ...] for up to 5
    suitable units (the household's best first);
    for ``adequacy`` also ``size``, ``min_m2``, ``max_m2``; for ``availability``
    ``must_move_by`` and ``earliest_available`` (the earliest date of a unit meeting every
    other constraint, or of any unit when none does); for ``eligibility``
    ``tenancy_situation``; for ``move_kind`` ``accepted_move_kinds``. A locked pair that
    breaks a constraint has ``violates`` = [constraint codes].
    """

    household_id: Id
    unit_id: Id | None
    reason: Constraint | None = None
    locked: bool = False
    score: int = 0
    terms: tuple[ScoreTerm, ...] = ()
    preferences: tuple[PreferenceNote, ...] = ()
    neighbours_together: tuple[Id, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    neighbours: tuple[Id, ...] = ()
    """All the households this one asked to stay with (or that asked to stay with it)."""

    @property
    def matched(self) -> bool:
        return self.unit_id is not None

    @property
    def statements(self) -> tuple[Statement, ...]:
        """The explanation as an ordered list of sentences to show, as codes and parameters
        (``STATEMENTS`` holds the reference English wording of each code)."""
        return _statements(self)

    @property
    def codes(self) -> dict[str, Any]:
        """A JSON-friendly summary (codes and numbers only) to store with a plan version."""
        return {
            "unit_id": self.unit_id,
            "reason": str(self.reason) if self.reason else None,
            "locked": self.locked,
            "score": self.score,
            "terms": {str(t.term): {"points": t.points, **t.params} for t in self.terms},
            "preferences": [
                {
                    "unit_id": p.unit_id,
                    "rank": p.rank,
                    "outcome": str(p.outcome),
                    "constraints": [str(c) for c in p.constraints],
                    "taken_by": p.taken_by,
                }
                for p in self.preferences
            ],
            "neighbours_together": list(self.neighbours_together),
            "neighbours": list(self.neighbours),
            "params": dict(self.params),
            "statements": [{"code": st.code, "params": dict(st.params)} for st in self.statements],
        }


@dataclass(frozen=True, slots=True)
class SolveResult:
    """A plan: ``assignments`` {household_id: unit_id} (locked ones included), ``objective`` =
    total score in points of all assigned pairs (locked pairs included), ``matched`` = number of
    households with a unit, ``optimal`` True when the solver proved optimality (lexicographic:
    most households matched, then highest total score), an ``Explanation`` for every household,
    and ``seconds`` spent."""

    assignments: Mapping[Id, Id]
    objective: int
    matched: int
    optimal: bool
    explanations: Mapping[Id, Explanation]
    seconds: float = 0.0

    @property
    def unmatched(self) -> list[Id]:
        return [h for h, e in self.explanations.items() if not e.matched]


@dataclass(slots=True)
class _Factors:
    """The hard constraints and positions in factored form (per household, per unit, or per
    household profile), so that a constraint can be checked on any rows and columns without
    keeping one dense matrix per constraint."""

    size_class: npt.NDArray[np.intp]  # (H,) -> row of adequate
    adequate: npt.NDArray[np.bool_]  # (S, U)
    needs_accessible: npt.NDArray[np.bool_]  # (H,)
    unit_accessible: npt.NDArray[np.bool_]  # (U,)
    must_move_by: npt.NDArray[np.int64]  # (H,) ordinal
    available_from: npt.NDArray[np.int64]  # (U,) ordinal
    situation: npt.NDArray[np.intp]  # (H,) -> row of eligible
    eligible: npt.NDArray[np.bool_]  # (K, U)
    kind_ok: npt.NDArray[np.bool_]  # (H, M)
    kind: npt.NDArray[np.intp]  # (U,) -> column of kind_ok
    hx: npt.NDArray[np.float64]  # (H,) km, NaN when unknown
    hy: npt.NDArray[np.float64]
    ux: npt.NDArray[np.float64]  # (U,)
    uy: npt.NDArray[np.float64]

    def subset(self, rows: npt.NDArray[np.intp], cols: npt.NDArray[np.intp]) -> _Factors:
        return _Factors(
            size_class=self.size_class[rows],
            adequate=self.adequate[:, cols],
            needs_accessible=self.needs_accessible[rows],
            unit_accessible=self.unit_accessible[cols],
            must_move_by=self.must_move_by[rows],
            available_from=self.available_from[cols],
            situation=self.situation[rows],
            eligible=self.eligible[:, cols],
            kind_ok=self.kind_ok[rows],
            kind=self.kind[cols],
            hx=self.hx[rows],
            hy=self.hy[rows],
            ux=self.ux[cols],
            uy=self.uy[cols],
        )

    def satisfied(
        self, constraint: Constraint, rows: npt.NDArray[np.intp], cols: npt.NDArray[np.intp]
    ) -> npt.NDArray[np.bool_]:
        """(len(rows), len(cols)): True where the pair satisfies ``constraint`` alone."""
        r, c = np.asarray(rows, dtype=np.intp), np.asarray(cols, dtype=np.intp)
        if constraint is Constraint.ADEQUACY:
            return self.adequate[np.ix_(self.size_class[r], c)]
        if constraint is Constraint.ACCESSIBILITY:
            return ~self.needs_accessible[r][:, None] | self.unit_accessible[c][None, :]
        if constraint is Constraint.AVAILABILITY:
            return self.available_from[c][None, :] <= self.must_move_by[r][:, None]
        if constraint is Constraint.ELIGIBILITY:
            return self.eligible[np.ix_(self.situation[r], c)]
        if constraint is Constraint.MOVE_KIND:
            return self.kind_ok[np.ix_(r, self.kind[c])]
        raise ValueError(f"{constraint} is not a hard constraint")

    def violated(self, i: int, j: int) -> tuple[Constraint, ...]:
        """The hard constraints one pair breaks, in order (scalar path of ``satisfied``)."""
        ok = {
            Constraint.ADEQUACY: bool(self.adequate[self.size_class[i], j]),
            Constraint.ACCESSIBILITY: not self.needs_accessible[i] or bool(self.unit_accessible[j]),
            Constraint.AVAILABILITY: bool(self.available_from[j] <= self.must_move_by[i]),
            Constraint.ELIGIBILITY: bool(self.eligible[self.situation[i], j]),
            Constraint.MOVE_KIND: bool(self.kind_ok[i, self.kind[j]]),
        }
        return tuple(c for c in HARD_CONSTRAINTS if not ok[c])

    def km(self, i: int, j: int) -> float:
        """Distance of one pair in km (NaN when a position is unknown)."""
        return float(np.hypot(self.hx[i] - self.ux[j], self.hy[i] - self.uy[j]))


@dataclass(slots=True)
class ScoreMatrix:
    """Dense scores of households (rows, in the order given) x units (columns).

    ``feasible[i, j]`` is True when the pair breaks no hard constraint; ``points[i, j]`` is its
    score in points (0 where infeasible); ``terms[term][i, j]`` the points of each term
    (computed for every pair, feasible or not); ``match_bonus`` the constant added to every
    feasible pair so that matching one more household outweighs any score;
    ``max_pair_score`` the largest possible pair score. ``satisfied(constraint, rows, cols)``
    checks one hard constraint alone; ``km(i, j)`` is a pair's distance.
    """

    household_ids: list[Id]
    unit_ids: list[Id]
    feasible: npt.NDArray[np.bool_]
    points: npt.NDArray[np.int32]
    terms: dict[Term, npt.NDArray[np.int32]]
    match_bonus: int
    max_pair_score: int
    factors: _Factors

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.household_ids), len(self.unit_ids))

    def value_matrix(self) -> npt.NDArray[np.int64]:
        """``match_bonus + points`` on feasible pairs, 0 elsewhere: an optimal plan maximises
        the sum of this matrix over its assigned pairs."""
        return np.where(self.feasible, self.points.astype(np.int64) + self.match_bonus, 0)

    def pair_points(self, i: int, j: int) -> int:
        """A pair's score, feasible or not (a locked pair may break a constraint)."""
        return int(sum(int(m[i, j]) for m in self.terms.values()))

    def satisfied(
        self, constraint: Constraint, rows: Any = None, cols: Any = None
    ) -> npt.NDArray[np.bool_]:
        """Where pairs satisfy ``constraint`` alone (all rows / columns when None)."""
        n_h, n_u = self.shape
        r = np.arange(n_h) if rows is None else np.atleast_1d(np.asarray(rows, dtype=np.intp))
        c = np.arange(n_u) if cols is None else np.atleast_1d(np.asarray(cols, dtype=np.intp))
        return self.factors.satisfied(constraint, r, c)

    def km(self, i: int, j: int) -> float:
        return self.factors.km(i, j)

    def subset(self, rows: npt.NDArray[np.intp], cols: npt.NDArray[np.intp]) -> ScoreMatrix:
        """The matrix restricted to some households and units (same match bonus)."""
        ix = np.ix_(rows, cols)
        return ScoreMatrix(
            household_ids=[self.household_ids[i] for i in rows],
            unit_ids=[self.unit_ids[j] for j in cols],
            feasible=self.feasible[ix],
            points=self.points[ix],
            terms={t: m[ix] for t, m in self.terms.items()},
            match_bonus=self.match_bonus,
            max_pair_score=self.max_pair_score,
            factors=self.factors.subset(rows, cols),
        )


HARD_CONSTRAINTS: tuple[Constraint, ...] = (
    Constraint.ADEQUACY,
    Constraint.ACCESSIBILITY,
    Constraint.AVAILABILITY,
    Constraint.ELIGIBILITY,
    Constraint.MOVE_KIND,
)
"""The hard constraints, in the order the explanations apply them."""

METHODS = ("flow", "sparse", "dense")


# --- Scoring ---------------------------------------------------------------------------------


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance in km between two (latitude, longitude) points (equirectangular: exact to a
    few metres at city scale)."""
    lat = math.radians((a[0] + b[0]) / 2)
    dx = math.radians(b[1] - a[1]) * math.cos(lat)
    dy = math.radians(b[0] - a[0])
    return EARTH_RADIUS_KM * math.hypot(dx, dy)


def _project(
    points: Sequence[tuple[float, float] | None], ref_lat: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Equirectangular projection to km around ``ref_lat`` (NaN for unknown positions)."""
    arr = np.array(
        [p if p is not None else (math.nan, math.nan) for p in points], dtype=np.float64
    ).reshape(-1, 2)
    y = np.radians(arr[:, 0]) * EARTH_RADIUS_KM
    x = np.radians(arr[:, 1]) * EARTH_RADIUS_KM * math.cos(math.radians(ref_lat))
    return x, y


def _index(values: Iterable[_T]) -> dict[_T, int]:
    """Distinct values in order of first appearance -> 0, 1, 2, ..."""
    found: dict[_T, int] = {}
    for v in values:
        if v not in found:
            found[v] = len(found)
    return found


def _symmetric_neighbours(needs: Sequence[HouseholdNeed]) -> dict[Id, set[Id]]:
    known = {n.household_id for n in needs}
    pairs: dict[Id, set[Id]] = {n.household_id: set() for n in needs}
    for n in needs:
        for other in n.neighbour_household_ids:
            if other in known and other != n.household_id:
                pairs[n.household_id].add(other)
                pairs[other].add(n.household_id)
    return pairs


def _anchors(
    needs: Sequence[HouseholdNeed], units: Sequence[UnitOffer]
) -> tuple[list[set[Id]], list[set[Id]]]:
    """Per household: the buildings where its neighbours named a preferred unit or hold a
    locked one, and the zones its neighbours prefer."""
    unit_by_id = {u.unit_id: u for u in units}
    by_id = {n.household_id: n for n in needs}
    neighbours = _symmetric_neighbours(needs)
    anchor_buildings: list[set[Id]] = []
    anchor_zones: list[set[Id]] = []
    for n in needs:
        b_set: set[Id] = set()
        z_set: set[Id] = set()
        for other in neighbours[n.household_id]:
            o = by_id[other]
            for unit_id in (*o.preferred_unit_ids[:2], o.locked_unit_id):
                unit = unit_by_id.get(unit_id) if unit_id is not None else None
                if unit is not None and unit.building_id is not None:
                    b_set.add(unit.building_id)
            z_set.update(z for z in o.preferred_zone_ids if z is not None)
        anchor_buildings.append(b_set)
        anchor_zones.append(z_set)
    return anchor_buildings, anchor_zones


def _check_input(needs: Sequence[HouseholdNeed], units: Sequence[UnitOffer]) -> None:
    seen: set[Id] = set()
    for n in needs:
        if n.household_id in seen:
            raise ValueError(f"household {n.household_id!r} appears twice")
        seen.add(n.household_id)
        if n.size < 1:
            raise ValueError(f"household {n.household_id!r} has size {n.size}: at least 1")
    seen = set()
    for u in units:
        if u.unit_id in seen:
            raise ValueError(f"unit {u.unit_id!r} appears twice")
        seen.add(u.unit_id)
        if not u.floor_area_m2 > 0:
            raise ValueError(f"unit {u.unit_id!r} has no floor area")


def score_matrix(
    needs: Sequence[HouseholdNeed],
    units: Sequence[UnitOffer],
    *,
    adequacy: AdequacyTable = DEFAULT_ADEQUACY,
    weights: Weights = Weights(),
) -> ScoreMatrix:
    """The dense score matrix of ``needs`` x ``units``, in the order given.

    Locks are not applied here (``solve`` does it); a neighbour's locked unit does count as an
    anchor building for the ``neighbours`` term. Vectorised with NumPy: what depends only on
    the household's size, situation or accepted move kinds is computed once per distinct value
    and gathered.
    """
    _check_input(needs, units)
    n_h, n_u = len(needs), len(units)
    unit_pos = {u.unit_id: j for j, u in enumerate(units)}
    area = np.array([float(u.floor_area_m2) for u in units], dtype=np.float64)

    # Adequacy and area fit, per distinct range.
    range_index = _index(adequacy.range_for(n.size) for n in needs)
    size_class = np.array([range_index[adequacy.range_for(n.size)] for n in needs], np.intp)
    n_s = len(range_index)
    lo = np.zeros((n_s, 1))
    hi = np.zeros((n_s, 1))
    hi_fit = np.zeros((n_s, 1))
    for (r_lo, r_hi), k in range_index.items():
        lo[k] = r_lo
        hi[k] = r_hi if r_hi is not None else np.inf
        hi_fit[k] = r_hi if r_hi is not None else r_lo + OPEN_RANGE_SPAN_M2
    adequate_s = (area[None, :] >= lo) & (area[None, :] <= hi)
    half = np.maximum((hi_fit - lo) / 2, 1e-9)
    fit_s = np.clip(1.0 - 0.75 * np.abs(area[None, :] - (lo + hi_fit) / 2) / half, 0.25, 1.0)
    fit_points_s = np.rint(fit_s * (weights.area_fit * POINTS)).astype(np.int32)

    needs_acc = np.array([n.needs_accessible for n in needs], dtype=bool)
    unit_acc = np.array([u.is_accessible or u.has_lift or u.floor <= 0 for u in units], bool)
    never = date.max.toordinal()
    by = np.array([n.must_move_by.toordinal() if n.must_move_by else never for n in needs])
    avail = np.array([u.available_from.toordinal() if u.available_from else 0 for u in units])
    situations = _index(str(n.tenancy_situation) for n in needs)
    situation = np.array([situations[str(n.tenancy_situation)] for n in needs], dtype=np.intp)
    eligible_k = np.zeros((len(situations), n_u), dtype=bool)
    for sit, k in situations.items():
        eligible_k[k] = [sit in u.eligible_situations for u in units]
    kinds = _index(str(u.move_kind) for u in units)
    kind = np.array([kinds[str(u.move_kind)] for u in units], dtype=np.intp)
    kind_ok = np.ones((n_h, len(kinds)), dtype=bool)
    for i, n in enumerate(needs):
        if n.accepted_move_kinds is not None:
            kind_ok[i] = [k in n.accepted_move_kinds for k in kinds]

    # Feasibility: everything but the dates depends on a household *profile* (size range,
    # accessibility, situation, accepted kinds): one row per profile, gathered.
    profile_index = _index(
        (int(size_class[i]), bool(needs_acc[i]), int(situation[i]), kind_ok[i].tobytes())
        for i in range(n_h)
    )
    profile = np.array(
        [
            profile_index[
                (int(size_class[i]), bool(needs_acc[i]), int(situation[i]), kind_ok[i].tobytes())
            ]
            for i in range(n_h)
        ],
        dtype=np.intp,
    )
    profile_ok = np.zeros((len(profile_index), n_u), dtype=bool)
    for (s_k, acc, sit_k, _), p in profile_index.items():
        i = int(np.argmax(profile == p))
        profile_ok[p] = (
            adequate_s[s_k] & (unit_acc | (not acc)) & eligible_k[sit_k] & kind_ok[i][kind]
        )
    feasible = profile_ok[profile] & (avail[None, :] <= by[:, None])

    # Preference: first unit 1, second 0.8, a preferred zone 0.5.
    zones = _index(u.zone_id for u in units)
    zone_col = np.array([zones[u.zone_id] for u in units], dtype=np.intp)
    zone_pref = np.zeros((n_h, len(zones)), dtype=np.int32)
    zone_points = round(ZONE_PREFERENCE_VALUE * weights.preference * POINTS)
    for i, n in enumerate(needs):
        for z in n.preferred_zone_ids:
            if z is not None and z in zones:
                zone_pref[i, zones[z]] = zone_points
    preference = zone_pref[:, zone_col]
    for i, n in enumerate(needs):
        for rank, unit_id in enumerate(n.preferred_unit_ids[:2]):
            j = unit_pos.get(unit_id)
            if j is not None:
                choice = round(PREFERENCE_VALUES[rank] * weights.preference * POINTS)
                preference[i, j] = max(int(preference[i, j]), choice)

    # Distance: 1 at the origin, 0 at max_distance_km and beyond, 0 when unknown.
    known = [p for p in (*(n.origin for n in needs), *(u.location for u in units)) if p]
    ref_lat = float(np.mean([p[0] for p in known])) if known else 0.0
    hx, hy = _project([n.origin for n in needs], ref_lat)
    ux, uy = _project([u.location for u in units], ref_lat)
    km = np.hypot(hx[:, None] - ux[None, :], hy[:, None] - uy[None, :])
    km *= -weights.distance * POINTS / weights.max_distance_km
    km += weights.distance * POINTS  # (1 - km / max) * weight * POINTS
    np.clip(km, 0.0, weights.distance * POINTS, out=km)
    if np.isnan(km).any():
        np.nan_to_num(km, copy=False, nan=0.0)
    distance = np.rint(km).astype(np.int32)
    del km

    # Neighbours: the anchor buildings and zones of each household's neighbours.
    buildings = _index(u.building_id for u in units)
    building_col = np.array([buildings[u.building_id] for u in units], dtype=np.intp)
    anchor_b = np.zeros((n_h, len(buildings)), dtype=np.int32)
    anchor_z = np.zeros((n_h, len(zones)), dtype=np.int32)
    building_points = round(weights.neighbours * POINTS)
    zone_n_points = round(ZONE_NEIGHBOUR_VALUE * weights.neighbours * POINTS)
    anchor_buildings, anchor_zones = _anchors(needs, units)
    for i in range(n_h):
        for z in anchor_zones[i]:
            if z in zones:
                anchor_z[i, zones[z]] = zone_n_points
        for b in anchor_buildings[i]:
            if b in buildings:
                anchor_b[i, buildings[b]] = building_points
    if anchor_b.any() or anchor_z.any():
        neighbours = np.maximum(anchor_b[:, building_col], anchor_z[:, zone_col])
    else:
        neighbours = np.zeros((n_h, n_u), dtype=np.int32)

    terms = {
        Term.PREFERENCE: preference,
        Term.DISTANCE: distance,
        Term.AREA_FIT: fit_points_s[size_class] if n_h else np.zeros((0, n_u), np.int32),
        Term.NEIGHBOURS: neighbours,
    }
    points = terms[Term.PREFERENCE] + terms[Term.DISTANCE]
    points += terms[Term.AREA_FIT]
    points += terms[Term.NEIGHBOURS]
    points *= feasible
    max_pair = weights.max_pair_score
    return ScoreMatrix(
        household_ids=[n.household_id for n in needs],
        unit_ids=[u.unit_id for u in units],
        feasible=feasible,
        points=points,
        terms=terms,
        match_bonus=max(n_h, 1) * max_pair + 1,
        max_pair_score=max_pair,
        factors=_Factors(
            size_class=size_class,
            adequate=adequate_s,
            needs_accessible=needs_acc,
            unit_accessible=unit_acc,
            must_move_by=by.astype(np.int64),
            available_from=avail.astype(np.int64),
            situation=situation,
            eligible=eligible_k,
            kind_ok=kind_ok,
            kind=kind,
            hx=hx,
            hy=hy,
            ux=ux,
            uy=uy,
        ),
    )


PREFERENCE_VALUES = (1.0, 0.8)
"""Value of the first and second preferred unit."""
ZONE_PREFERENCE_VALUE = 0.5
ZONE_NEIGHBOUR_VALUE = 0.5


# --- Assignment engines ----------------------------------------------------------------------


def assign(
    matrix: ScoreMatrix, *, method: str = "flow"
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], bool]:
    """An optimal assignment of ``matrix``: (rows, cols, optimal), feasible pairs only.

    Lexicographic optimum: the most households matched, then the highest total score.
    """
    n_h, n_u = matrix.shape
    empty = np.zeros(0, dtype=np.intp)
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: one of {', '.join(METHODS)}")
    if n_h == 0 or n_u == 0 or not matrix.feasible.any():
        return empty, empty, True
    if method == "dense":
        from scipy.optimize import linear_sum_assignment

        value = matrix.value_matrix()
        rows, cols = linear_sum_assignment(value, maximize=True)
        keep = matrix.feasible[rows, cols]
        return rows[keep].astype(np.intp), cols[keep].astype(np.intp), True
    hi, ui = np.nonzero(matrix.feasible)
    # Cost of a pair: max_pair_score - points (>= 0): the least cost is the highest score.
    cost = (matrix.max_pair_score - matrix.points[hi, ui]).astype(np.int64)
    if method == "flow":
        return _assign_flow(n_h, n_u, hi, ui, cost)
    return _assign_sparse(n_h, n_u, hi, ui, cost, matrix.match_bonus + matrix.max_pair_score)


def _assign_sparse(
    n_h: int,
    n_u: int,
    hi: npt.NDArray[np.intp],
    ui: npt.NDArray[np.intp],
    cost: npt.NDArray[np.int64],
    unmatched_cost: int,
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], bool]:
    """SciPy LAPJVsp; each household also has its own "unmatched" column, dearer than any
    match by the match bonus, so a full matching of the rows always exists. Weights are
    shifted by 1: the sparse format reads 0 as "no edge"."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    own = np.arange(n_h, dtype=np.intp)
    rows = np.concatenate([hi, own])
    cols = np.concatenate([ui, n_u + own])
    weight = np.concatenate([cost + 1, np.full(n_h, unmatched_cost + 1, dtype=np.int64)])
    graph = csr_matrix((weight.astype(np.float64), (rows, cols)), shape=(n_h, n_u + n_h))
    r, c = min_weight_full_bipartite_matching(graph)
    keep = c < n_u
    return r[keep].astype(np.intp), c[keep].astype(np.intp), True


def _assign_flow(
    n_h: int,
    n_u: int,
    hi: npt.NDArray[np.intp],
    ui: npt.NDArray[np.intp],
    cost: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], bool]:
    """OR-Tools: source -> household -> unit -> sink, all capacities 1; the maximum flow
    (most households matched) of least cost (highest score)."""
    from ortools.graph.python import min_cost_flow

    flow = min_cost_flow.SimpleMinCostFlow()
    source, sink = 0, n_h + n_u + 1
    households = np.arange(1, n_h + 1, dtype=np.int32)
    unit_nodes = np.arange(n_h + 1, n_h + n_u + 1, dtype=np.int32)
    tails = np.concatenate([np.zeros(n_h, dtype=np.int32), (hi + 1).astype(np.int32), unit_nodes])
    heads = np.concatenate(
        [households, (ui + n_h + 1).astype(np.int32), np.full(n_u, sink, dtype=np.int32)]
    )
    costs = np.concatenate([np.zeros(n_h, np.int64), cost, np.zeros(n_u, np.int64)])
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        tails, heads, np.ones(len(tails), dtype=np.int64), costs
    )
    flow.set_nodes_supplies(np.array([source, sink]), np.array([n_h, -n_h]))
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"OR-Tools min-cost flow failed with status {status}")
    used = flow.flows(arcs[n_h : n_h + len(hi)]) > 0
    return hi[used].astype(np.intp), ui[used].astype(np.intp), True


# --- Solve and explain -----------------------------------------------------------------------


def solve(
    needs: Sequence[HouseholdNeed],
    units: Sequence[UnitOffer],
    *,
    adequacy: AdequacyTable = DEFAULT_ADEQUACY,
    weights: Weights = Weights(),
    method: str = "flow",
) -> SolveResult:
    """Assign households to units (see the module docstring) and explain every household.

    Raises ``ValueError`` on inconsistent input: duplicate household or unit ids, a size below
    1, a unit without floor area, a locked unit that is not in ``units`` or that two households
    locked, an unknown ``method``.
    """
    started = time.perf_counter()
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: one of {', '.join(METHODS)}")
    matrix = score_matrix(needs, units, adequacy=adequacy, weights=weights)
    unit_pos = {u.unit_id: j for j, u in enumerate(units)}
    locked: dict[int, int] = {}  # row -> column
    locked_by: dict[Id, Id] = {}
    for i, n in enumerate(needs):
        if n.locked_unit_id is None:
            continue
        if n.locked_unit_id not in unit_pos:
            raise ValueError(
                f"household {n.household_id!r} is locked to unit {n.locked_unit_id!r}, "
                "which is not in the pool"
            )
        if n.locked_unit_id in locked_by:
            raise ValueError(
                f"unit {n.locked_unit_id!r} is locked by households "
                f"{locked_by[n.locked_unit_id]!r} and {n.household_id!r}"
            )
        locked_by[n.locked_unit_id] = n.household_id
        locked[i] = unit_pos[n.locked_unit_id]

    free_rows = np.array([i for i in range(len(needs)) if i not in locked], dtype=np.intp)
    taken = set(locked.values())
    free_cols = np.array([j for j in range(len(units)) if j not in taken], dtype=np.intp)
    sub = matrix if not locked else matrix.subset(free_rows, free_cols)
    rows, cols, optimal = assign(sub, method=method)

    pairs: dict[int, int] = dict(locked)
    pairs.update(zip(free_rows[rows].tolist(), free_cols[cols].tolist(), strict=True))
    explanations = _explain(
        _Context(
            needs=needs,
            units=units,
            matrix=matrix,
            adequacy=adequacy,
            weights=weights,
            pairs=pairs,
            locked_rows=set(locked),
            free_cols=free_cols,
        )
    )
    assignments = {needs[i].household_id: units[j].unit_id for i, j in sorted(pairs.items())}
    objective = sum(e.score for e in explanations.values())
    return SolveResult(
        assignments=assignments,
        objective=objective,
        matched=len(pairs),
        optimal=optimal,
        explanations=explanations,
        seconds=time.perf_counter() - started,
    )


@dataclass(slots=True)
class _Context:
    needs: Sequence[HouseholdNeed]
    units: Sequence[UnitOffer]
    matrix: ScoreMatrix
    adequacy: AdequacyTable
    weights: Weights
    pairs: Mapping[int, int]  # row -> column
    locked_rows: set[int]
    free_cols: npt.NDArray[np.intp]
    unit_pos: dict[Id, int] = field(default_factory=dict)
    holder: dict[int, Id] = field(default_factory=dict)  # column -> household id
    neighbours: dict[Id, set[Id]] = field(default_factory=dict)
    anchor_buildings: list[set[Id]] = field(default_factory=list)
    anchor_zones: list[set[Id]] = field(default_factory=list)

    pair_terms: dict[int, dict[Term, int]] = field(default_factory=dict)  # row -> points
    pair_km: dict[int, float] = field(default_factory=dict)  # row -> km (NaN: unknown)
    ranges: dict[int, tuple[float, float | None]] = field(default_factory=dict)

    def range_for(self, size: int) -> tuple[float, float | None]:
        if size not in self.ranges:
            self.ranges[size] = self.adequacy.range_for(size)
        return self.ranges[size]

    def __post_init__(self) -> None:
        rows = np.fromiter(self.pairs.keys(), dtype=np.intp, count=len(self.pairs))
        cols = np.fromiter(self.pairs.values(), dtype=np.intp, count=len(self.pairs))
        gathered = {t: self.matrix.terms[t][rows, cols].tolist() for t in Term}
        f = self.matrix.factors
        km = np.hypot(f.hx[rows] - f.ux[cols], f.hy[rows] - f.uy[cols]).tolist()
        for k, i in enumerate(rows.tolist()):
            self.pair_terms[i] = {t: gathered[t][k] for t in Term}
            self.pair_km[i] = km[k]
        self.unit_pos = {u.unit_id: j for j, u in enumerate(self.units)}
        self.holder = {j: self.needs[i].household_id for i, j in self.pairs.items()}
        self.neighbours = _symmetric_neighbours(self.needs)
        self.anchor_buildings, self.anchor_zones = _anchors(self.needs, self.units)


def _explain(ctx: _Context) -> dict[Id, Explanation]:
    needs, units, matrix, pairs = ctx.needs, ctx.units, ctx.matrix, ctx.pairs
    row_of = {n.household_id: i for i, n in enumerate(needs)}
    result: dict[Id, Explanation] = {}
    for i, n in enumerate(needs):
        j = pairs.get(i)
        prefs = tuple(
            _preference_note(ctx, i, j, unit_id, rank)
            for rank, unit_id in enumerate(n.preferred_unit_ids[:2], start=1)
        )
        if j is None:
            reason, why = _binding_constraint(ctx, n, i)
            result[n.household_id] = Explanation(
                household_id=n.household_id,
                unit_id=None,
                reason=reason,
                preferences=prefs,
                params=why,
                neighbours=tuple(sorted(ctx.neighbours[n.household_id], key=str)),
            )
            continue
        unit = units[j]
        together = tuple(
            other
            for other in sorted(ctx.neighbours[n.household_id], key=str)
            if unit.building_id is not None
            and (oj := pairs.get(row_of[other])) is not None
            and units[oj].building_id == unit.building_id
        )
        params: dict[str, Any] = {}
        if i in ctx.locked_rows and not matrix.feasible[i, j]:
            params["violates"] = [str(c) for c in _violated(matrix, i, j)]
        result[n.household_id] = Explanation(
            household_id=n.household_id,
            unit_id=unit.unit_id,
            locked=i in ctx.locked_rows,
            score=sum(ctx.pair_terms[i].values()),
            terms=_terms(n, unit, ctx, i, j),
            preferences=prefs,
            neighbours_together=together,
            params=params,
            neighbours=tuple(sorted(ctx.neighbours[n.household_id], key=str)),
        )
    return result


def _binding_constraint(
    ctx: _Context, need: HouseholdNeed, i: int
) -> tuple[Constraint, dict[str, Any]]:
    """Why an unmatched household got nothing: each hard constraint checked alone over the
    free units, then in turn; the first constraint that no free unit satisfies alone binds,
    else the one that empties the set when applied in turn, else competition."""
    matrix, cols = ctx.matrix, ctx.free_cols
    params: dict[str, Any] = {"units_in_pool": len(cols)}
    if len(cols) == 0:
        return Constraint.EMPTY_POOL, params
    alone = {c: matrix.satisfied(c, i, cols)[0] for c in HARD_CONSTRAINTS}
    params["alone"] = {str(c): int(m.sum()) for c, m in alone.items()}
    running = np.ones(len(cols), dtype=bool)
    cumulative: list[list[Any]] = []
    emptied: Constraint | None = None
    for c in HARD_CONSTRAINTS:
        running &= alone[c]
        left = int(running.sum())
        cumulative.append([str(c), left])
        if left == 0 and emptied is None:
            emptied = c
    params["cumulative"] = cumulative
    params["suitable_units"] = int(running.sum())
    reason = next((c for c in HARD_CONSTRAINTS if not alone[c].any()), emptied)
    if reason is None:
        suitable = cols[running]
        order = np.argsort(-matrix.points[i, suitable], kind="stable")[:5]
        params["taken_by"] = [
            {"unit_id": ctx.units[j].unit_id, "household_id": ctx.holder.get(int(j))}
            for j in suitable[order].tolist()
        ]
        return Constraint.COMPETITION, params
    lo, hi = ctx.range_for(need.size)
    if reason is Constraint.ADEQUACY:
        params.update(size=need.size, min_m2=lo, max_m2=hi)
    elif reason is Constraint.AVAILABILITY:
        params["must_move_by"] = need.must_move_by.isoformat() if need.must_move_by else None
        # The earliest date among the units that meet every other constraint (else all).
        others = np.ones(len(cols), dtype=bool)
        for c in HARD_CONSTRAINTS:
            if c is not Constraint.AVAILABILITY:
                others &= alone[c]
        dates = matrix.factors.available_from[cols[others] if others.any() else cols]
        earliest = int(dates.min()) if len(dates) else 0
        params["earliest_available"] = date.fromordinal(earliest).isoformat() if earliest else None
    elif reason is Constraint.ELIGIBILITY:
        params["tenancy_situation"] = str(need.tenancy_situation)
    elif reason is Constraint.MOVE_KIND:
        params["accepted_move_kinds"] = sorted(need.accepted_move_kinds or ())
    return reason, params


def _violated(matrix: ScoreMatrix, i: int, j: int) -> tuple[Constraint, ...]:
    return matrix.factors.violated(i, j)


def _preference_note(
    ctx: _Context, i: int, j: int | None, unit_id: Id, rank: int
) -> PreferenceNote:
    matrix, holder = ctx.matrix, ctx.holder
    pj = ctx.unit_pos.get(unit_id)
    if pj is None:
        return PreferenceNote(unit_id, rank, PreferenceOutcome.NOT_IN_POOL)
    if pj == j:
        return PreferenceNote(unit_id, rank, PreferenceOutcome.HONOURED)
    violated = _violated(matrix, i, pj)
    if violated:
        return PreferenceNote(unit_id, rank, PreferenceOutcome.INFEASIBLE, constraints=violated)
    if pj in holder:
        return PreferenceNote(unit_id, rank, PreferenceOutcome.TAKEN, taken_by=holder[pj])
    return PreferenceNote(unit_id, rank, PreferenceOutcome.BETTER_PLAN)


def _terms(
    need: HouseholdNeed,
    unit: UnitOffer,
    ctx: _Context,
    i: int,
    j: int,
) -> tuple[ScoreTerm, ...]:
    """The score terms of one pair, with their parameters; ``value`` is recomputed here from
    the formulas (a test checks it matches the matrix's points)."""
    weights, points = ctx.weights, ctx.pair_terms[i]
    # Preference.
    pref_params: dict[str, Any] = {}
    pref_value = 0.0
    if unit.unit_id in need.preferred_unit_ids[:2]:
        rank = need.preferred_unit_ids[:2].index(unit.unit_id) + 1
        pref_params = {"choice": rank}
        pref_value = PREFERENCE_VALUES[rank - 1]
    elif unit.zone_id is not None and unit.zone_id in need.preferred_zone_ids:
        pref_params = {"zone": unit.zone_id}
        pref_value = ZONE_PREFERENCE_VALUE
    # Distance.
    km = ctx.pair_km[i]
    if math.isnan(km):
        dist_params: dict[str, Any] = {"km": None}
        dist_value = 0.0
    else:
        dist_params = {"km": round(km, 2)}
        dist_value = min(1.0, max(0.0, 1.0 - km / weights.max_distance_km))
    # Area fit.
    lo, hi = ctx.range_for(need.size)
    hi_fit = hi if hi is not None else lo + OPEN_RANGE_SPAN_M2
    half = max((hi_fit - lo) / 2, 1e-9)
    area = float(unit.floor_area_m2)
    area_value = min(1.0, max(0.25, 1.0 - 0.75 * abs(area - (lo + hi_fit) / 2) / half))
    area_params = {"area_m2": area, "min_m2": lo, "max_m2": hi}
    # Neighbours.
    neigh_params: dict[str, Any] = {}
    neigh_value = 0.0
    if unit.building_id is not None and unit.building_id in ctx.anchor_buildings[i]:
        neigh_params = {"building": unit.building_id}
        neigh_value = 1.0
    elif unit.zone_id is not None and unit.zone_id in ctx.anchor_zones[i]:
        neigh_params = {"zone": unit.zone_id}
        neigh_value = ZONE_NEIGHBOUR_VALUE
    if neigh_params:
        neigh_params["neighbours"] = sorted(ctx.neighbours[need.household_id], key=str)
    return (
        ScoreTerm(Term.PREFERENCE, pref_value, points[Term.PREFERENCE], pref_params),
        ScoreTerm(Term.DISTANCE, round(dist_value, 4), points[Term.DISTANCE], dist_params),
        ScoreTerm(Term.AREA_FIT, round(area_value, 4), points[Term.AREA_FIT], area_params),
        ScoreTerm(Term.NEIGHBOURS, neigh_value, points[Term.NEIGHBOURS], neigh_params),
    )


def _statements(e: Explanation) -> tuple[Statement, ...]:
    out: list[Statement] = []
    if not e.matched:
        params, reason = e.params, e.reason
        if reason is Constraint.ADEQUACY:
            open_range = params.get("max_m2") is None
            out.append(
                Statement(
                    "unmatched_adequacy_open" if open_range else "unmatched_adequacy",
                    {k: params.get(k) for k in ("size", "min_m2", "max_m2") if k in params},
                )
            )
        elif reason is Constraint.AVAILABILITY:
            earliest = params.get("earliest_available")
            out.append(
                Statement(
                    "unmatched_availability" if earliest else "unmatched_availability_none",
                    {"must_move_by": params.get("must_move_by"), "earliest_available": earliest},
                )
            )
        elif reason is Constraint.ELIGIBILITY:
            out.append(
                Statement("unmatched_eligibility", {"situation": params.get("tenancy_situation")})
            )
        elif reason is Constraint.MOVE_KIND:
            kinds = params.get("accepted_move_kinds") or []
            out.append(Statement("unmatched_move_kind", {"kinds": ", ".join(kinds)}))
        elif reason is Constraint.COMPETITION:
            out.append(
                Statement(
                    "unmatched_competition", {"suitable_units": params.get("suitable_units", 0)}
                )
            )
        elif reason is not None:
            out.append(Statement(f"unmatched_{reason.value}"))
    else:
        if e.locked:
            out.append(Statement("locked_offer"))
            if e.params.get("violates"):
                out.append(
                    Statement(
                        "locked_breaks_rules", {"constraints": ", ".join(e.params["violates"])}
                    )
                )
        terms = {t.term: t for t in e.terms}
        preference = terms.get(Term.PREFERENCE)
        if preference is not None and "choice" in preference.params:
            out.append(Statement("preference_choice", {"choice": preference.params["choice"]}))
        elif preference is not None and "zone" in preference.params:
            out.append(Statement("preference_zone", {"zone": preference.params["zone"]}))
    for note in e.preferences:
        base = {"rank": note.rank, "unit_id": note.unit_id}
        if note.outcome is PreferenceOutcome.TAKEN:
            out.append(Statement("preferred_unit_taken", {**base, "taken_by": note.taken_by}))
        elif note.outcome is PreferenceOutcome.INFEASIBLE:
            constraints = ", ".join(str(c) for c in note.constraints)
            out.append(Statement("preferred_unit_unsuitable", {**base, "constraints": constraints}))
        elif note.outcome is PreferenceOutcome.NOT_IN_POOL:
            out.append(Statement("preferred_unit_not_in_pool", base))
        elif note.outcome is PreferenceOutcome.BETTER_PLAN and e.matched:
            out.append(Statement("preferred_unit_better_plan", base))
    if not e.matched:
        return tuple(out)
    terms = {t.term: t for t in e.terms}
    distance = terms.get(Term.DISTANCE)
    if distance is not None:
        km = distance.params.get("km")
        out.append(
            Statement("distance", {"km": km}) if km is not None else Statement("distance_unknown")
        )
    area = terms.get(Term.AREA_FIT)
    if area is not None:
        p = area.params
        if p.get("max_m2") is None:
            out.append(Statement("area_fit_open", {"area_m2": p["area_m2"], "min_m2": p["min_m2"]}))
        else:
            out.append(Statement("area_fit", dict(p)))
    if e.neighbours:
        together, asked = len(e.neighbours_together), len(e.neighbours)
        if together == asked:
            out.append(Statement("neighbours_together", {"neighbours": list(e.neighbours)}))
        elif together:
            out.append(
                Statement("neighbours_partly_together", {"together": together, "asked": asked})
            )
        else:
            out.append(Statement("neighbours_apart", {"neighbours": list(e.neighbours)}))
    return tuple(out)
