"""Writes on participation: processes and phases, workshops, proposals, comments, supports.

Every write runs in a transaction and records an audit event. Proposal status changes go
through ``_transition`` (locked row, workflow check, status-change row). Supports and
proposals by verified residents record the resident as an ESF participant of the process.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from quartiere.activities import services as activity_services
from quartiere.activities.enums import ActivityAudience, ActivityKind, ActivityPlaceKind
from quartiere.core import audit
from quartiere.core.exceptions import ApplicationError
from quartiere.monitoring.enums import OperationKind
from quartiere.monitoring.services import participation_record
from quartiere.participation import workflow
from quartiere.participation.enums import (
    OUTCOME_STATUSES,
    CommentStatus,
    PhaseKind,
    ProposalChannel,
    ProposalStatus,
)
from quartiere.participation.models import (
    Process,
    ProcessPhase,
    ProcessWorkshop,
    Proposal,
    ProposalComment,
    ProposalStatusChange,
    Support,
    WorkshopPhoto,
)
from quartiere.participation.photos import PhotoRejectedError, clean_photo
from quartiere.people.selectors import resident_for_user

PROCESS_FIELDS = (
    "slug",
    "title_it",
    "title_en",
    "description_it",
    "description_en",
    "action",
    "support_threshold",
    "status",
)
PHASE_FIELDS = ("kind", "starts_on", "ends_on", "description_it", "description_en")
WORKSHOP_FIELDS = (
    "title_it",
    "title_en",
    "held_on",
    "place",
    "participant_count",
    "minutes_it",
    "minutes_en",
)
TITLE_MAX = 200
DESCRIPTION_MIN = 20
DESCRIPTION_MAX = 5000
COMMENT_MAX = 2000


def public_name(first_name: str, last_name: str) -> str:
    """Return how a person is shown publicly: first name and the initial of the surname."""
    first = (first_name or "").strip().split(" ")[0]
    initial = (last_name or "").strip()[:1].upper()
    return f"{first} {initial}." if first and initial else first


def gettext_proposal_received() -> str:
    """The message shown after a proposal is sent."""
    return _("Thank you: your proposal was received. The lab publishes it after reading it.")


def gettext_support_added() -> str:
    """The message shown after a support is given."""
    return _("Your support was recorded.")


def gettext_support_withdrawn() -> str:
    """The message shown after a support is withdrawn."""
    return _("Your support was withdrawn.")


def gettext_comment_received() -> str:
    """The message shown after a comment is posted."""
    return _("Thank you: your comment will appear after the lab has read it.")


def _today() -> dt.date:
    return timezone.localdate()


def _validation_fields(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def _full_clean(obj: Any, *, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        fields = _validation_fields(exc)
        first = next(iter(fields.values()))[0] if fields else _("Check the data.")
        raise ApplicationError(first, fields=fields) from exc


# --- Processes and phases -------------------------------------------------------------------


@transaction.atomic
def process_create(*, actor: Any, lab: Any, **fields: Any) -> Process:
    """Create a process in a lab; the short name must be unique."""
    process = Process(lab=lab, **fields)
    _full_clean(process)
    process.save()
    audit.record(
        actor=actor,
        action="participation.process_create",
        target=process,
        changes=audit.snapshot(process, PROCESS_FIELDS),
    )
    return process


@transaction.atomic
def process_update(*, actor: Any, process: Process, **fields: Any) -> Process:
    """Change a process's texts, threshold or status; records the changed fields."""
    process = Process.objects.select_for_update().get(pk=process.pk)
    before = audit.snapshot(process, PROCESS_FIELDS)
    for name, value in fields.items():
        setattr(process, name, value)
    _full_clean(process)
    process.save()
    changes = audit.diff(before, audit.snapshot(process, PROCESS_FIELDS))
    if changes:
        audit.record(
            actor=actor, action="participation.process_update", target=process, changes=changes
        )
    return process


def _check_phase(process: Process, phase: ProcessPhase) -> None:
    if phase.ends_on < phase.starts_on:
        raise ApplicationError(
            _("A phase cannot end before it starts."),
            fields={"ends_on": [_("Choose a date on or after the start.")]},
        )
    twin = process.phases.filter(kind=phase.kind).exclude(pk=phase.pk).exists()
    if twin:
        raise ApplicationError(
            _("This process already has a “%(phase)s” phase.")
            % {"phase": PhaseKind(phase.kind).label},
            fields={"kind": [_("Each phase appears once: change the existing one.")]},
        )


@transaction.atomic
def phase_save(
    *, actor: Any, process: Process, phase: ProcessPhase | None = None, **fields: Any
) -> ProcessPhase:
    """Add a phase to a process or change one; one phase of each kind, ends on or after start."""
    process = Process.objects.select_for_update().get(pk=process.pk)
    if phase is None:
        phase = ProcessPhase(process=process)
        before: dict[str, Any] = {}
    else:
        phase = ProcessPhase.objects.select_for_update().get(pk=phase.pk, process=process)
        before = audit.snapshot(phase, PHASE_FIELDS)
    for name, value in fields.items():
        setattr(phase, name, value)
    _check_phase(process, phase)
    _full_clean(phase, exclude=["process"])
    phase.save()
    audit.record(
        actor=actor,
        action="participation.phase_save",
        target=phase,
        lab_id=process.lab_id,
        changes=audit.diff(before, audit.snapshot(phase, PHASE_FIELDS)),
    )
    return phase


@transaction.atomic
def phase_delete(*, actor: Any, phase: ProcessPhase) -> None:
    """Remove a phase from a process."""
    lab_id = phase.process.lab_id
    audit.record(
        actor=actor,
        action="participation.phase_delete",
        target=phase,
        lab_id=lab_id,
        changes=audit.snapshot(phase, PHASE_FIELDS),
    )
    phase.delete()


# --- Workshops ------------------------------------------------------------------------------


def _workshop_activity(
    *,
    actor: Any,
    process: Process,
    workshop: ProcessWorkshop,
    starts_at: dt.datetime,
    duration: dt.timedelta,
) -> Any:
    """Create the workshop's activity in the lab's calendar through the activities service."""
    activity = activity_services.activity_create(
        actor=actor,
        lab=process.lab,
        title_it=workshop.title_it,
        title_en=workshop.title_en,
        description_it=_("Workshop of the participatory process “%(process)s”.")
        % {"process": process.title_it},
        kind=ActivityKind.WORKSHOP,
        audience=ActivityAudience.ALL,
        place_kind=ActivityPlaceKind.OTHER if workshop.place else ActivityPlaceKind.LAB,
        place_name=workshop.place,
        is_registration_open=True,
        is_public=True,
    )
    activity_services.activity_sessions_schedule(
        actor=actor,
        activity=activity,
        first_start=starts_at,
        duration=duration,
        skip_holidays=False,
    )
    return activity_services.activity_publish(actor=actor, activity=activity)


@transaction.atomic
def workshop_create(
    *,
    actor: Any,
    process: Process,
    starts_at: dt.datetime | None = None,
    duration: dt.timedelta = dt.timedelta(hours=2),
    **fields: Any,
) -> ProcessWorkshop:
    """Add a workshop (with its minutes) to a process.

    With ``starts_at`` the meeting also becomes a published activity in the lab's calendar
    (registrations and attendance then run in the activities context).
    """
    workshop = ProcessWorkshop(process=process, **fields)
    if starts_at is not None:
        workshop.held_on = timezone.localdate(starts_at)
    _full_clean(workshop, exclude=["activity"])
    if starts_at is not None:
        workshop.activity = _workshop_activity(
            actor=actor,
            process=process,
            workshop=workshop,
            starts_at=starts_at,
            duration=duration,
        )
    workshop.save()
    audit.record(
        actor=actor,
        action="participation.workshop_create",
        target=workshop,
        lab_id=process.lab_id,
        changes=audit.snapshot(workshop, WORKSHOP_FIELDS),
    )
    return workshop


@transaction.atomic
def workshop_update(*, actor: Any, workshop: ProcessWorkshop, **fields: Any) -> ProcessWorkshop:
    """Change a workshop's details or minutes."""
    workshop = ProcessWorkshop.objects.select_for_update().get(pk=workshop.pk)
    before = audit.snapshot(workshop, WORKSHOP_FIELDS)
    for name, value in fields.items():
        setattr(workshop, name, value)
    _full_clean(workshop)
    workshop.save()
    changes = audit.diff(before, audit.snapshot(workshop, WORKSHOP_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            action="participation.workshop_update",
            target=workshop,
            lab_id=workshop.process.lab_id,
            changes=changes,
        )
    return workshop


PHOTO_ERRORS = {
    "empty": "The file is empty.",
    "too_big": "The photo is larger than 8 MB.",
    "type": "Only JPEG or PNG photos are accepted.",
}


@transaction.atomic
def workshop_photo_add(
    *, actor: Any, workshop: ProcessWorkshop, data: bytes, caption: str
) -> WorkshopPhoto:
    """Store a workshop photo, checked by content and re-encoded without metadata."""
    caption = (caption or "").strip()
    if not caption:
        raise ApplicationError(
            _("Describe the photo."),
            fields={"caption": [_("Say what the photo shows (read aloud by screen readers).")]},
        )
    try:
        clean = clean_photo(data)
    except PhotoRejectedError as exc:
        message = _(PHOTO_ERRORS.get(str(exc), PHOTO_ERRORS["type"]))
        raise ApplicationError(message, fields={"photo": [message]}) from exc
    photo = WorkshopPhoto(
        workshop=workshop,
        content_type=clean.content_type,
        size_bytes=len(clean.content),
        caption=caption[:200],
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    photo.file.save(f"workshop{workshop.pk}{clean.extension}", ContentFile(clean.content), False)
    photo.save()
    audit.record(
        actor=actor,
        action="participation.workshop_photo_add",
        target=photo,
        lab_id=workshop.process.lab_id,
    )
    return photo


@transaction.atomic
def workshop_photo_delete(*, actor: Any, photo: WorkshopPhoto) -> None:
    """Remove a workshop photo and its file."""
    audit.record(
        actor=actor,
        action="participation.workshop_photo_delete",
        target=photo,
        lab_id=photo.workshop.process.lab_id,
    )
    name = photo.file.name or ""
    storage = photo.file.storage
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- Proposals ------------------------------------------------------------------------------


def _check_texts(title: str, description: str) -> tuple[str, str]:
    title, description = (title or "").strip(), (description or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Give the proposal a title.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("At most %(n)s characters.") % {"n": TITLE_MAX}]
    if len(description) < DESCRIPTION_MIN:
        errors["description"] = [
            _("Describe the proposal in at least %(n)s characters.") % {"n": DESCRIPTION_MIN}
        ]
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = [_("At most %(n)s characters.") % {"n": DESCRIPTION_MAX}]
    if errors:
        raise ApplicationError(_("Check the fields marked below."), fields=errors)
    return title, description


def resident_refusal(*, process: Process, resident: Any) -> str | None:
    """Return why ``resident`` may not propose or support in ``process``, or None if they may."""
    if resident is None or getattr(resident, "verified_at", None) is None:
        return _(
            "Only residents whose identity the lab has verified can take part: ask at the lab "
            "to link your account."
        )
    if resident.lab.district_id != process.lab.district_id:
        return _("Only residents of the district of this process can take part.")
    return None


def _record_participant(*, process: Process, resident: Any, actor: Any) -> None:
    participation_record(
        resident=resident,
        lab_id=process.lab_id,
        kind=OperationKind.PARTICIPATORY,
        operation_key=f"participation.process:{process.pk}",
        operation_label=process.title_it,
        entered_on=_today(),
        actor=actor,
        contacts=1,
    )


def _lock_process(process: Process) -> Process:
    return Process.objects.select_related("lab").prefetch_related("phases").get(pk=process.pk)


@transaction.atomic
def proposal_submit(*, process: Process, user: Any, title: str, description: str) -> Proposal:
    """Take a proposal from a verified resident of the district while proposals are open.

    Raises ApplicationError with the reason (phase dates, not verified, other district).
    """
    process = _lock_process(process)
    workflow.ensure_phase_open(process.phases.all(), PhaseKind.PROPOSALS, _today())
    resident = resident_for_user(user=user)
    refusal = resident_refusal(process=process, resident=resident)
    if refusal:
        raise ApplicationError(refusal)
    title, description = _check_texts(title, description)
    now = timezone.now()
    proposal = Proposal.objects.create(
        process=process,
        title=title,
        description=description,
        channel=ProposalChannel.ONLINE,
        author_resident=resident,
        author_public=public_name(resident.first_name, resident.last_name),  # type: ignore[union-attr]
        submitted_by=user,
        submitted_at=now,
    )
    ProposalStatusChange.objects.create(
        proposal=proposal, to_status=proposal.status, actor=user, at=now
    )
    audit.record(
        actor=user, action="participation.proposal_submit", target=proposal, lab_id=process.lab_id
    )
    _record_participant(process=process, resident=resident, actor=user)
    return proposal


STAFF_ENTRY_PHASES = (PhaseKind.PROPOSALS, PhaseKind.WORKSHOPS)


@transaction.atomic
def proposal_enter(
    *,
    actor: Any,
    process: Process,
    title: str,
    description: str,
    resident: Any = None,
    author_name: str = "",
) -> Proposal:
    """Enter a proposal for a resident who is offline (a register resident or a named person).

    Allowed while the proposals or workshops phase is in force; the entry records who
    entered it and for whom. Raises ApplicationError otherwise.
    """
    process = _lock_process(process)
    today = _today()
    phases = list(process.phases.all())
    if all(workflow.phase_closed_reason(phases, k, today) for k in STAFF_ENTRY_PHASES):
        raise ApplicationError(
            workflow.phase_closed_reason(phases, PhaseKind.PROPOSALS, today) or ""
        )
    author_name = (author_name or "").strip()
    if resident is None and not author_name:
        raise ApplicationError(
            _("Say for whom the proposal is entered."),
            fields={"resident": [_("Choose a resident or write the person's name.")]},
        )
    if resident is not None and resident.lab.district_id != process.lab.district_id:
        raise ApplicationError(
            _("Only residents of the district of this process can take part."),
            fields={"resident": [_("This resident lives in another district.")]},
        )
    title, description = _check_texts(title, description)
    if resident is not None:
        shown = public_name(resident.first_name, resident.last_name)
    else:
        parts = author_name.split(" ", 1)
        shown = public_name(parts[0], parts[1] if len(parts) > 1 else "")
    now = timezone.now()
    proposal = Proposal.objects.create(
        process=process,
        title=title,
        description=description,
        channel=ProposalChannel.STAFF,
        author_resident=resident,
        author_name=author_name[:150],
        author_public=shown,
        submitted_by=actor,
        submitted_at=now,
    )
    ProposalStatusChange.objects.create(
        proposal=proposal,
        to_status=proposal.status,
        actor=actor,
        at=now,
        note=_("Entered by the lab for a resident."),
    )
    audit.record(
        actor=actor,
        action="participation.proposal_enter",
        target=proposal,
        lab_id=process.lab_id,
        changes={"resident": resident.pk if resident else None, "channel": "staff"},
    )
    if resident is not None and resident.verified_at is not None:
        _record_participant(process=process, resident=resident, actor=actor)
    return proposal


def _transition(
    *, proposal: Proposal, actor: Any, target: str, note: str = "", **fields: Any
) -> Proposal:
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("process")
        .get(pk=proposal.pk)
    )
    old = proposal.status
    workflow.ensure_transition(old, target)
    now = timezone.now()
    proposal.status = target
    for name, value in fields.items():
        setattr(proposal, name, value)
    proposal.save(update_fields=["status", *fields, "updated_at"])
    ProposalStatusChange.objects.create(
        proposal=proposal, from_status=old, to_status=target, actor=actor, at=now, note=note
    )
    audit.record(
        actor=actor,
        action=f"participation.proposal_{target}",
        target=proposal,
        lab_id=proposal.process.lab_id,
        changes={"status": [old, target], **({"note": note} if note else {})},
    )
    return proposal


@transaction.atomic
def proposal_publish(*, proposal: Proposal, actor: Any) -> Proposal:
    """Admit a proposal at moderation: it becomes public and can be supported."""
    return _transition(
        proposal=proposal,
        actor=actor,
        target=ProposalStatus.PUBLISHED,
        published_at=timezone.now(),
    )


@transaction.atomic
def proposal_refuse(*, proposal: Proposal, actor: Any, reason: str) -> Proposal:
    """Do not admit a proposal (off topic, offensive, duplicate): the reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Give the reason."), fields={"reason": [_("Say why it is not admitted.")]}
        )
    return _transition(
        proposal=proposal,
        actor=actor,
        target=ProposalStatus.REFUSED,
        note=reason,
        moderation_reason=reason,
    )


@transaction.atomic
def proposal_evaluate(*, proposal: Proposal, actor: Any) -> Proposal:
    """Move a published proposal into the evaluation."""
    return _transition(proposal=proposal, actor=actor, target=ProposalStatus.IN_EVALUATION)


@transaction.atomic
def proposal_decide(
    *, proposal: Proposal, actor: Any, outcome: str, reason: str, action: Any = None
) -> Proposal:
    """Record a proposal's outcome (accepted, partly accepted, rejected) with its reason.

    ``action`` is the programme action that realises an accepted proposal (optional).
    """
    if outcome not in OUTCOME_STATUSES:
        raise ApplicationError(
            _("Choose an outcome."), fields={"outcome": [_("Choose an outcome.")]}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Give the reason for the outcome."),
            fields={"reason": [_("Explain the outcome to residents.")]},
        )
    return _transition(
        proposal=proposal,
        actor=actor,
        target=outcome,
        note=reason,
        outcome_reason=reason,
        outcome_action=action if outcome != ProposalStatus.REJECTED else None,
        decided_at=timezone.now(),
    )


# --- Comments -------------------------------------------------------------------------------


@transaction.atomic
def comment_post(*, proposal: Proposal, user: Any, body: str) -> ProposalComment:
    """Take a verified resident's comment on a public proposal; shown once approved."""
    resident = resident_for_user(user=user)
    if resident is None:
        raise ApplicationError(
            _(
                "Only residents whose identity the lab has verified can comment: ask at the "
                "lab to link your account."
            )
        )
    if not proposal.is_public:
        raise ApplicationError(_("This proposal is not open to comments."))
    body = (body or "").strip()
    if not body:
        raise ApplicationError(_("Write a comment."), fields={"body": [_("Write a comment.")]})
    if len(body) > COMMENT_MAX:
        raise ApplicationError(
            _("At most %(n)s characters.") % {"n": COMMENT_MAX},
            fields={"body": [_("At most %(n)s characters.") % {"n": COMMENT_MAX}]},
        )
    comment = ProposalComment.objects.create(
        proposal=proposal,
        author=user,
        author_public=public_name(resident.first_name, resident.last_name),
        body=body,
    )
    audit.record(
        actor=user,
        action="participation.comment_post",
        target=comment,
        lab_id=proposal.process.lab_id,
    )
    return comment


def _moderate(*, comment: ProposalComment, actor: Any, status: str, reason: str) -> ProposalComment:
    comment = (
        ProposalComment.objects.select_for_update(of=("self",))
        .select_related("proposal__process")
        .get(pk=comment.pk)
    )
    old = comment.status
    comment.status = status
    comment.moderated_by = actor
    comment.moderated_at = timezone.now()
    comment.moderation_reason = reason
    comment.save(
        update_fields=["status", "moderated_by", "moderated_at", "moderation_reason", "updated_at"]
    )
    audit.record(
        actor=actor,
        action=f"participation.comment_{status}",
        target=comment,
        lab_id=comment.proposal.process.lab_id,
        changes={"status": [old, status], "reason": reason},
    )
    return comment


@transaction.atomic
def comment_approve(*, comment: ProposalComment, actor: Any, reason: str = "") -> ProposalComment:
    """Show a comment publicly."""
    return _moderate(
        comment=comment, actor=actor, status=CommentStatus.APPROVED, reason=reason.strip()
    )


@transaction.atomic
def comment_hide(*, comment: ProposalComment, actor: Any, reason: str) -> ProposalComment:
    """Hide a comment from the public pages; the reason is required and audited."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Give the reason."), fields={"reason": [_("Say why the comment is hidden.")]}
        )
    return _moderate(comment=comment, actor=actor, status=CommentStatus.HIDDEN, reason=reason)


# --- Supports -------------------------------------------------------------------------------


def support_refusal(*, proposal: Proposal, resident: Any, on: dt.date | None = None) -> str | None:
    """Return why ``resident`` may not support ``proposal`` now, or None when they may."""
    process = proposal.process
    reason = workflow.phase_closed_reason(process.phases.all(), PhaseKind.SUPPORTS, on or _today())
    if reason:
        return reason
    if proposal.status != ProposalStatus.PUBLISHED:
        return _("This proposal cannot be supported in its current state.")
    return resident_refusal(process=process, resident=resident)


@transaction.atomic
def support_add(*, proposal: Proposal, user: Any) -> Support:
    """Record a verified district resident's support while the supports phase is in force.

    One per resident per proposal (database constraint). Raises ApplicationError with the
    reason: phase not open (with its dates), not verified, other district, already given.
    """
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("process__lab")
        .prefetch_related("process__phases")
        .get(pk=proposal.pk)
    )
    resident = resident_for_user(user=user)
    refusal = support_refusal(proposal=proposal, resident=resident)
    if refusal:
        raise ApplicationError(refusal)
    if resident is None:  # support_refusal already refuses it; this narrows the type
        raise ApplicationError(_("Only verified residents can support proposals."))
    already = _("You already support this proposal: each resident can support it once.")
    if Support.objects.filter(proposal=proposal, resident=resident).exists():
        raise ApplicationError(already)
    try:
        with transaction.atomic():
            support = Support.objects.create(proposal=proposal, resident=resident)
    except IntegrityError as exc:
        raise ApplicationError(already) from exc
    audit.record(
        actor=user,
        action="participation.support_add",
        target=support,
        lab_id=proposal.process.lab_id,
        changes={"proposal": proposal.pk},
    )
    _record_participant(process=proposal.process, resident=resident, actor=user)
    return support


@transaction.atomic
def support_withdraw(*, proposal: Proposal, user: Any) -> None:
    """Withdraw the resident's support while the supports phase is still in force."""
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("process__lab")
        .prefetch_related("process__phases")
        .get(pk=proposal.pk)
    )
    reason = workflow.phase_closed_reason(
        proposal.process.phases.all(), PhaseKind.SUPPORTS, _today()
    )
    if reason:
        raise ApplicationError(reason)
    resident = resident_for_user(user=user)
    support = (
        Support.objects.filter(proposal=proposal, resident=resident).first() if resident else None
    )
    if support is None:
        raise ApplicationError(_("You do not support this proposal."))
    audit.record(
        actor=user,
        action="participation.support_withdraw",
        target=support,
        lab_id=proposal.process.lab_id,
        changes={"proposal": proposal.pk},
    )
    support.delete()
