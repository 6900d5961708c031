"""Reads of ESF participant records, scoped to the labs the user works in."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

from quartiere.accounts.selectors import user_scope
from quartiere.core import audit
from quartiere.monitoring.indicators import ParticipantFacts, output_indicators
from quartiere.monitoring.models import Participant, Participation


def participation_list(*, user: Any, lab_id: int | None = None, kind: str = "") -> QuerySet:
    """Return the participations of the labs the user sees, optionally of one lab and kind."""
    scope = user_scope(user)
    qs = Participation.objects.select_related("participant")
    if scope.lab_filter is not None:
        qs = qs.filter(lab_id__in=scope.lab_filter)
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def participant_for_resident(*, resident_id: int) -> Participant | None:
    """Return the resident's participant record without its sensitive fields, or None."""
    return (
        Participant.objects.defer("migrant_background", "disability", "other_disadvantage")
        .filter(resident_id=resident_id)
        .first()
    )


def output_indicator_summary(
    *, user: Any, lab_id: int | None = None, kind: str = "", on: date | None = None
) -> dict[str, dict[str, int]]:
    """Compute ESF output indicators (by gender) over the participants the user may see.

    Reading the sensitive items to count CO15-CO17 is logged as one access event.
    """
    on = on or date.today()  # noqa: DTZ011 - a calendar date for ages, not a timestamp
    rows = participation_list(user=user, lab_id=lab_id, kind=kind).select_related(
        "participant__resident"
    )
    seen: set[int] = set()
    facts: list[ParticipantFacts] = []
    for p in rows.order_by("participant_id", "entered_on"):
        if p.participant_id in seen:
            continue
        seen.add(p.participant_id)
        part = p.participant
        resident = part.resident
        facts.append(
            ParticipantFacts(
                gender=resident.gender,
                birth_date=resident.birth_date,
                entered_on=p.entered_on,
                employment_status=part.employment_status,
                unemployed_since=part.unemployed_since,
                education_level=part.education_level,
                migrant_background=part.migrant_background,
                disability=part.disability,
                other_disadvantage=part.other_disadvantage,
                is_homeless=part.is_homeless,
                is_rural=part.is_rural,
            )
        )
    audit.access(
        actor=user,
        target_type="monitoring.participant",
        target_id="aggregate",
        purpose="ESF output indicators",
        lab_id=lab_id,
    )
    return output_indicators(facts)
