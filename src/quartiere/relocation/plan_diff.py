"""Two plan versions side by side: which households changed unit and why (pure, no Django).

``compare(old, new)`` takes two plans, each a ``solver.SolveResult`` or a mapping
``{household_id: unit_id}`` (with its explanations passed separately, as ``Explanation``
objects or as the JSON-friendly ``Explanation.codes`` dicts stored with a plan version), and
returns one ``Change`` per household whose unit differs, with the reasons as codes and
parameters (the caller translates them):

- ``locked``: the new plan keeps an accepted offer for this household;
- ``unit_left_pool`` {"unit_id"}: its previous unit is not in the new pool (only when the pool
  is known: ``new_pool``);
- ``unit_taken`` {"unit_id", "taken_by"}: its previous unit went to another household;
- ``unit_not_suitable`` {"unit_id", "constraints"}: its previous unit breaks a hard constraint
  in the new plan (known when it is one of the household's preferred units);
- ``unit_unused`` {"unit_id"}: its previous unit is free in the new plan (it left the pool,
  or another unit serves the plan better; the new plan is optimal);
- ``better_score`` / ``lower_score`` / ``same_score`` {"old", "new", "terms": {term: [old,
  new]}}: the scores of the old and new unit and the terms that changed (a lower score is
  accepted when it lets another household be matched);
- ``needs_changed`` {"min_m2": [old, new], "max_m2": [old, new]}: the household's adequate
  floor-area range changed (its size changed, or the adequacy table);
- ``new_units`` {"unit_id"}: the new unit was not in the old pool (only when ``old_pool`` is
  known);
- ``was_unmatched`` {"constraint"}: for a household matched only now, why it was not before;
- for a household unmatched only now: the binding constraint of the new plan as its code
  (``adequacy``, ``accessibility``, ``availability``, ``eligibility``, ``move_kind``,
  ``competition``, ``empty_pool``) with the explanation's parameters.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from quartiere.relocation.solver import Explanation, SolveResult

__all__ = ["Change", "ChangeKind", "Reason", "compare"]

Id = Hashable
Plan = SolveResult | Mapping[Any, Any]
ExplanationLike = Explanation | Mapping[str, Any]


class ChangeKind(enum.StrEnum):
    MOVED = "moved"
    """Matched in both plans, to different units."""
    NEWLY_MATCHED = "newly_matched"
    NEWLY_UNMATCHED = "newly_unmatched"


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Change:
    household_id: Id
    kind: ChangeKind
    old_unit_id: Id | None
    new_unit_id: Id | None
    reasons: tuple[Reason, ...] = ()


def _codes(explanation: ExplanationLike | None) -> Mapping[str, Any]:
    if explanation is None:
        return {}
    if isinstance(explanation, Explanation):
        return explanation.codes
    return explanation


def _split(
    plan: Plan, explanations: Mapping[Any, ExplanationLike] | None
) -> tuple[dict[Id, Id], dict[Id, Mapping[str, Any]]]:
    if isinstance(plan, SolveResult):
        assignment = dict(plan.assignments)
        given: Mapping[Any, ExplanationLike] = plan.explanations
    else:
        assignment = {h: u for h, u in plan.items() if u is not None}
        given = {}
    if explanations is not None:
        given = {**given, **explanations}
    return assignment, {h: _codes(e) for h, e in given.items()}


def _score_reason(old: Mapping[str, Any], new: Mapping[str, Any]) -> Reason | None:
    if "score" not in old or "score" not in new:
        return None
    old_score, new_score = int(old["score"] or 0), int(new["score"] or 0)
    old_terms = old.get("terms") or {}
    new_terms = new.get("terms") or {}
    terms = {
        term: [
            int((old_terms.get(term) or {}).get("points", 0)),
            int((new_terms.get(term) or {}).get("points", 0)),
        ]
        for term in sorted(set(old_terms) | set(new_terms))
    }
    changed = {t: pair for t, pair in terms.items() if pair[0] != pair[1]}
    if new_score > old_score:
        code = "better_score"
    elif new_score < old_score:
        code = "lower_score"
    else:
        code = "same_score"
    return Reason(code, {"old": old_score, "new": new_score, "terms": changed})


def _range(codes: Mapping[str, Any]) -> tuple[Any, Any] | None:
    fit = (codes.get("terms") or {}).get("area_fit") or {}
    if "min_m2" in fit:
        return fit.get("min_m2"), fit.get("max_m2")
    params = codes.get("params") or {}
    if "min_m2" in params:
        return params.get("min_m2"), params.get("max_m2")
    return None


def _old_unit_reasons(
    household_id: Id,
    old_unit: Id,
    new_codes: Mapping[str, Any],
    holder: Mapping[Id, Id],
    new_pool: Collection[Id] | None,
) -> list[Reason]:
    if new_pool is not None and old_unit not in new_pool:
        return [Reason("unit_left_pool", {"unit_id": old_unit})]
    taker = holder.get(old_unit)
    if taker is not None and taker != household_id:
        return [Reason("unit_taken", {"unit_id": old_unit, "taken_by": taker})]
    for note in new_codes.get("preferences") or ():
        if note.get("unit_id") == old_unit and note.get("outcome") == "infeasible":
            constraints = list(note.get("constraints") or ())
            return [Reason("unit_not_suitable", {"unit_id": old_unit, "constraints": constraints})]
        if note.get("unit_id") == old_unit and note.get("outcome") == "not_in_pool":
            return [Reason("unit_left_pool", {"unit_id": old_unit})]
    return [Reason("unit_unused", {"unit_id": old_unit})]


def _sortable(value: Id) -> tuple[int, Any]:
    """Numbers in numeric order, then anything else by its text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value)
    return (1, str(value))


def compare(
    old: Plan,
    new: Plan,
    *,
    old_explanations: Mapping[Any, ExplanationLike] | None = None,
    new_explanations: Mapping[Any, ExplanationLike] | None = None,
    old_pool: Collection[Id] | None = None,
    new_pool: Collection[Id] | None = None,
) -> list[Change]:
    """The households whose unit differs between ``old`` and ``new``, with the reasons.

    Households present in only one plan's explanations count as unmatched in the other.
    The list is ordered: moved, newly matched, newly unmatched; then by household id.
    """
    old_map, old_expl = _split(old, old_explanations)
    new_map, new_expl = _split(new, new_explanations)
    new_holder = {u: h for h, u in new_map.items()}
    households = set(old_map) | set(new_map)
    changes: list[Change] = []
    for h in households:
        old_unit, new_unit = old_map.get(h), new_map.get(h)
        if old_unit == new_unit:
            continue
        old_codes, new_codes = old_expl.get(h, {}), new_expl.get(h, {})
        reasons: list[Reason] = []
        if new_codes.get("locked"):
            reasons.append(Reason("locked"))
        if old_unit is not None:
            reasons += _old_unit_reasons(h, old_unit, new_codes, new_holder, new_pool)
        old_range, new_range = _range(old_codes), _range(new_codes)
        if old_range is not None and new_range is not None and old_range != new_range:
            reasons.append(
                Reason(
                    "needs_changed",
                    {
                        "min_m2": [old_range[0], new_range[0]],
                        "max_m2": [old_range[1], new_range[1]],
                    },
                )
            )
        if new_unit is None:
            kind = ChangeKind.NEWLY_UNMATCHED
            code = str(new_codes.get("reason") or "competition")
            reasons.append(Reason(code, dict(new_codes.get("params") or {})))
        else:
            if old_pool is not None and new_unit not in old_pool:
                reasons.append(Reason("new_units", {"unit_id": new_unit}))
            if old_unit is None:
                kind = ChangeKind.NEWLY_MATCHED
                if old_codes.get("reason"):
                    reasons.append(Reason("was_unmatched", {"constraint": old_codes["reason"]}))
            else:
                kind = ChangeKind.MOVED
                score = _score_reason(old_codes, new_codes)
                if score is not None:
                    reasons.append(score)
        changes.append(Change(h, kind, old_unit, new_unit, tuple(reasons)))
    order = {ChangeKind.MOVED: 0, ChangeKind.NEWLY_MATCHED: 1, ChangeKind.NEWLY_UNMATCHED: 2}
    changes.sort(key=lambda c: (order[c.kind], *_sortable(c.household_id)))
    return changes
