"""Writes on ESF participant records; feature contexts call these, never the models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from quartiere.core import audit
from quartiere.monitoring.enums import OperationKind, SensitiveAnswer
from quartiere.monitoring.models import Participant, Participation

SENSITIVE_FIELDS = ("migrant_background", "disability", "other_disadvantage")


@dataclass(frozen=True)
class EntryData:
    """ESF entry data collected from a participant (Reg. 1304/2013 Annex I).

    Sensitive items take a ``SensitiveAnswer`` value; ``"refused"`` records a refusal, which
    still counts as an attempt to collect.
    """

    employment_status: str = ""
    unemployed_since: date | None = None
    education_level: str = ""
    migrant_background: str = SensitiveAnswer.NOT_ASKED
    disability: str = SensitiveAnswer.NOT_ASKED
    other_disadvantage: str = SensitiveAnswer.NOT_ASKED
    is_homeless: bool = False
    is_rural: bool = False


def _participant_for(resident: Any) -> Participant:
    participant, _ = Participant.objects.get_or_create(resident_id=resident.pk)
    return participant


@transaction.atomic
def participant_entry_data_record(
    *, resident: Any, data: EntryData, collected_on: date, actor: Any
) -> Participant:
    """Store the entry data collected from a resident; sensitive items are encrypted."""
    valid = {choice.value for choice in SensitiveAnswer}
    for name in SENSITIVE_FIELDS:
        if getattr(data, name) not in valid:
            raise ValueError(f"{name}: not a SensitiveAnswer value")
    participant = _participant_for(resident)
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    for name in (
        "employment_status",
        "unemployed_since",
        "education_level",
        *SENSITIVE_FIELDS,
        "is_homeless",
        "is_rural",
    ):
        setattr(participant, name, getattr(data, name))
    participant.data_collected_on = collected_on
    participant.save()
    # The audit names the fields collected, never their (special-category) values.
    audit.record(
        actor=actor,
        action="monitoring.entry_data_record",
        target=participant,
        lab_id=getattr(resident, "lab_id", None),
        changes={"collected": ["", collected_on.isoformat()]},
    )
    return participant


def participation_record(
    *,
    resident: Any,
    lab_id: int,
    kind: str,
    operation_key: str,
    operation_label: str,
    entered_on: date,
    actor: Any,
    contacts: int = 0,
) -> Participation:
    """Record a resident's entry into an operation; re-entering keeps the first entry date.

    ``contacts`` adds to the participation's contact count (e.g. one attended session).
    Safe to call repeatedly and concurrently: one row per resident and operation.
    """
    if kind not in OperationKind.values:
        raise ValueError(f"unknown operation kind {kind!r}")
    with transaction.atomic():
        participant = _participant_for(resident)
        existing = (
            Participation.objects.select_for_update()
            .filter(participant=participant, operation_key=operation_key)
            .first()
        )
        if existing is None:
            try:
                with transaction.atomic():
                    existing = Participation.objects.create(
                        participant=participant,
                        lab_id=lab_id,
                        kind=kind,
                        operation_key=operation_key,
                        operation_label=operation_label[:200],
                        entered_on=entered_on,
                        contact_count=contacts,
                    )
            except IntegrityError:
                existing = Participation.objects.select_for_update().get(
                    participant=participant, operation_key=operation_key
                )
            else:
                audit.record(actor=actor, action="monitoring.participation_record", target=existing)
                return existing
        updates: list[str] = []
        if entered_on < existing.entered_on:
            existing.entered_on = entered_on
            updates.append("entered_on")
        if contacts:
            existing.contact_count += contacts
            updates.append("contact_count")
        if existing.exited_on is not None and entered_on > existing.exited_on:
            existing.exited_on = None  # re-entry: still the first entry date, open again
            updates.append("exited_on")
        if updates:
            existing.save(update_fields=[*updates, "updated_at"])
        return existing


@transaction.atomic
def participation_exit(
    *, resident: Any, operation_key: str, exited_on: date, actor: Any
) -> Participation | None:
    """Record the date a resident left an operation; None when they never entered it."""
    participation = (
        Participation.objects.select_for_update()
        .filter(participant__resident_id=resident.pk, operation_key=operation_key)
        .first()
    )
    if participation is None:
        return None
    if exited_on < participation.entered_on:
        raise ValueError("exit before entry")
    participation.exited_on = exited_on
    participation.save(update_fields=["exited_on", "updated_at"])
    audit.record(actor=actor, action="monitoring.participation_exit", target=participation)
    return participation
