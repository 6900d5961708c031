"""Sentences, in the user's language, from the solver's explanation codes stored with a version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quartiere.relocation.enums import BindingConstraint

OUTCOMES = {
    "honoured": gettext_lazy("given"),
    "taken": gettext_lazy("went to another household"),
    "infeasible": gettext_lazy("not suitable"),
    "not_in_pool": gettext_lazy("not in the pool"),
    "better_plan": gettext_lazy("free, but the overall plan is better with another unit"),
}
CONSTRAINTS = {
    "adequacy": gettext_lazy("floor area"),
    "accessibility": gettext_lazy("accessibility"),
    "availability": gettext_lazy("availability date"),
    "eligibility": gettext_lazy("tenancy situation"),
    "move_kind": gettext_lazy("kind of move"),
}
WEIGHTS = {
    "preference": gettext_lazy("preferences"),
    "distance": gettext_lazy("distance from the original building"),
    "area_fit": gettext_lazy("fit of the floor area"),
    "neighbours": gettext_lazy("neighbours together"),
    "max_distance_km": gettext_lazy("distance that scores nothing (km)"),
}
DIFF_REASONS = {
    "locked": gettext_lazy("an accepted offer keeps the unit"),
    "unit_left_pool": gettext_lazy("its previous unit left the pool"),
    "unit_taken": gettext_lazy("its previous unit went to another household"),
    "unit_not_suitable": gettext_lazy("its previous unit no longer meets the rules"),
    "unit_unused": gettext_lazy("its previous unit is free: the plan is better as a whole"),
    "better_score": gettext_lazy("the new unit scores better"),
    "lower_score": gettext_lazy("the new unit scores less, so that another household is matched"),
    "same_score": gettext_lazy("the new unit scores the same"),
    "needs_changed": gettext_lazy("the household's adequate floor area changed"),
    "new_units": gettext_lazy("the new unit entered the pool"),
}


def constraint_label(code: str) -> str:
    """The sentence for a binding constraint code (the code itself when unknown)."""
    try:
        return str(BindingConstraint(code).label)
    except ValueError:
        return code


def reason_label(code: str, params: Mapping[str, Any] | None = None) -> str:
    """A plan comparison's reason code as words, with its numbers where they help."""
    params = params or {}
    if code == "was_unmatched":
        return _("before, it had no unit: %(why)s") % {
            "why": constraint_label(str(params.get("constraint") or ""))
        }
    if code in DIFF_REASONS:
        text = str(DIFF_REASONS[code])
        if code in ("better_score", "lower_score") and "old" in params and "new" in params:
            text += f" ({params['old']} → {params['new']})"
        return text
    try:
        return str(BindingConstraint(code).label)
    except ValueError:
        return code.replace("_", " ")


def matched_sentences(codes: Mapping[str, Any], units: Mapping[int, str]) -> list[str]:
    """Why a household got its unit: the score terms and what became of its preferences."""
    out: list[str] = []
    if codes.get("locked"):
        out.append(_("Kept from the offer already made or accepted."))
    terms = codes.get("terms") or {}
    pref = terms.get("preference") or {}
    if pref.get("choice"):
        out.append(_("Its preference no. %(n)s.") % {"n": pref["choice"]})
    elif pref.get("zone"):
        out.append(_("In a preferred zone (%(zone)s).") % {"zone": pref["zone"]})
    dist = terms.get("distance") or {}
    if "km" in dist:
        out.append(_("%(km)s km from the original building.") % {"km": f"{float(dist['km']):.1f}"})
    fit = terms.get("area_fit") or {}
    if "area_m2" in fit:
        top = fit.get("max_m2")
        out.append(
            _("%(area)s m² for a range of %(lo)s-%(hi)s m².")
            % {
                "area": f"{float(fit['area_m2']):g}",
                "lo": f"{float(fit.get('min_m2') or 0):g}",
                "hi": f"{float(top):g}" if top is not None else "…",
            }
        )
    if (terms.get("neighbours") or {}).get("points"):
        out.append(_("Near the households it asked to stay close to."))
    for note in codes.get("preferences") or []:
        label = units.get(note.get("unit_id"), f"#{note.get('unit_id')}")
        outcome = str(OUTCOMES.get(note.get("outcome"), note.get("outcome")))
        why = ", ".join(str(CONSTRAINTS.get(c, c)) for c in note.get("constraints") or [])
        out.append(
            _("Preference %(rank)s (%(unit)s): %(outcome)s%(why)s.")
            % {
                "rank": note.get("rank"),
                "unit": label,
                "outcome": outcome,
                "why": f" ({why})" if why else "",
            }
        )
    return out


def unmatched_sentences(codes: Mapping[str, Any]) -> list[str]:
    """Why a household got no unit: the binding constraint and the counts behind it."""
    params = codes.get("params") or {}
    out = [constraint_label(codes.get("reason") or "")]
    if "units_in_pool" in params:
        out.append(_("%(n)s units in the pool.") % {"n": params["units_in_pool"]})
    steps = [
        f"{CONSTRAINTS.get(code, code)} {left}" for code, left in params.get("cumulative") or []
    ]
    if steps:
        out.append(_("Units left rule by rule: %(steps)s.") % {"steps": ", ".join(steps)})
    if params.get("min_m2") is not None:
        top = params.get("max_m2")
        out.append(
            _("Household of %(size)s: %(lo)s-%(hi)s m² needed.")
            % {
                "size": params.get("size"),
                "lo": f"{float(params['min_m2']):g}",
                "hi": f"{float(top):g}" if top is not None else "…",
            }
        )
    return out


def weight_labels(weights: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The solver weights of a version as (label, value) pairs."""
    return [(str(WEIGHTS.get(k, k)), v) for k, v in weights.items()]
