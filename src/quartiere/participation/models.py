"""Participatory processes: phases (dated rows), workshops, proposals, comments and supports."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from quartiere.core.models import TimeStampedModel
from quartiere.participation.enums import (
    OUTCOME_STATUSES,
    PUBLIC_PROPOSAL_STATUSES,
    CommentStatus,
    PhaseKind,
    ProcessStatus,
    ProposalChannel,
    ProposalStatus,
)


def _english() -> bool:
    return (get_language() or "it").startswith("en")


class Process(TimeStampedModel):
    """A participatory design process run by a lab (e.g. the Giambellino 129 green area)."""

    lab = models.ForeignKey(
        "accounts.Lab",
        verbose_name=_("lab"),
        on_delete=models.PROTECT,
        related_name="participation_processes",
    )
    slug = models.SlugField(_("short name (in the address)"), max_length=80, unique=True)
    title_it = models.CharField(_("title (Italian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_it = models.TextField(_("description (Italian)"))
    description_en = models.TextField(_("description (English)"), blank=True)
    action = models.ForeignKey(
        "programme.Action",
        verbose_name=_("programme action concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="participation_processes",
    )
    support_threshold = models.PositiveIntegerField(
        _("support threshold"),
        default=30,
        help_text=_("Proposals with at least this many supports go on to the evaluation."),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ProcessStatus.choices,
        default=ProcessStatus.DRAFT,
        db_index=True,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("participatory process")
        verbose_name_plural = _("participatory processes")
        permissions = [
            ("manage_process", "Can set up participatory processes, phases and workshops"),
            ("moderate_participation", "Can moderate proposals and comments"),
            ("decide_proposal", "Can record the outcome of proposals"),
            ("enter_proposal", "Can enter proposals for residents who are offline"),
            ("export_proposals", "Can export proposals with their supports"),
            ("view_participation_figures", "Can view participation figures"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(support_threshold__gte=1), name="process_threshold_positive"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return (self.title_en if _english() else "") or self.title_it

    @property
    def description(self) -> str:
        return (self.description_en if _english() else "") or self.description_it


class ProcessPhase(TimeStampedModel):
    """A dated step of a process; the phase in force is the one whose dates include today."""

    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="phases"
    )
    kind = models.CharField(_("phase"), max_length=12, choices=PhaseKind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to (included)"))
    description_it = models.TextField(_("what happens (Italian)"), blank=True)
    description_en = models.TextField(_("what happens (English)"), blank=True)

    class Meta:
        ordering = ["process", "starts_on", "id"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.UniqueConstraint(fields=["process", "kind"], name="process_phase_kind_unique"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="process_phase_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.starts_on} - {self.ends_on})"

    def is_in_force(self, on: dt.date) -> bool:
        return self.starts_on <= on <= self.ends_on

    @property
    def description(self) -> str:
        return (self.description_en if _english() else "") or self.description_it


class ProcessWorkshop(TimeStampedModel):
    """A co-design workshop of a process, with its minutes; the meeting is a lab activity."""

    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="workshops"
    )
    title_it = models.CharField(_("title (Italian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    activity = models.ForeignKey(
        "activities.Activity",
        verbose_name=_("activity in the lab's calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="participation_workshops",
    )
    participant_count = models.PositiveIntegerField(_("participants"), default=0)
    minutes_it = models.TextField(_("minutes (Italian)"), blank=True)
    minutes_en = models.TextField(_("minutes (English)"), blank=True)

    class Meta:
        ordering = ["process", "held_on", "id"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return (self.title_en if _english() else "") or self.title_it

    @property
    def minutes(self) -> str:
        return (self.minutes_en if _english() else "") or self.minutes_it


class WorkshopPhoto(TimeStampedModel):
    """A photo of a workshop, re-encoded without metadata; shown on the public page."""

    workshop = models.ForeignKey(
        ProcessWorkshop,
        verbose_name=_("workshop"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    file = models.FileField(_("file"), upload_to="participation/%Y/%m/")
    content_type = models.CharField(_("type"), max_length=40)
    size_bytes = models.PositiveIntegerField(_("size (bytes)"))
    caption = models.CharField(
        _("description of the photo"),
        max_length=200,
        help_text=_("Read aloud by screen readers: say what the photo shows."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["workshop", "id"]
        verbose_name = _("workshop photo")
        verbose_name_plural = _("workshop photos")

    def __str__(self) -> str:
        return self.caption


class Proposal(TimeStampedModel):
    """A resident's proposal in a process, from submission to its outcome."""

    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.PROTECT, related_name="proposals"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ProposalStatus.choices,
        default=ProposalStatus.SUBMITTED,
        db_index=True,
    )
    channel = models.CharField(_("channel"), max_length=8, choices=ProposalChannel.choices)
    author_resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="participation_proposals",
    )
    # Staff entering a proposal for someone not on the register write the name here.
    author_name = models.CharField(_("author (not registered)"), max_length=150, blank=True)
    # What the public pages show: a first name and an initial, frozen at submission.
    author_public = models.CharField(_("author as shown publicly"), max_length=60, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participation_proposals_entered",
    )
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)
    moderation_reason = models.TextField(_("reason for not admitting it"), blank=True)
    outcome_reason = models.TextField(_("reason for the outcome"), blank=True)
    outcome_action = models.ForeignKey(
        "programme.Action",
        verbose_name=_("programme action that realises it"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="participation_proposals",
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [models.Index(fields=["process", "status"], name="proposal_process_status")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=sorted(OUTCOME_STATUSES))
                | ~models.Q(outcome_reason=""),
                name="proposal_outcome_has_reason",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_PROPOSAL_STATUSES

    @property
    def has_outcome(self) -> bool:
        return self.status in OUTCOME_STATUSES


class ProposalStatusChange(models.Model):
    """One step of a proposal's history; the note is public for outcomes."""

    proposal = models.ForeignKey(
        Proposal,
        verbose_name=_("proposal"),
        on_delete=models.CASCADE,
        related_name="status_changes",
    )
    from_status = models.CharField(
        _("from"), max_length=16, choices=ProposalStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=ProposalStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["proposal", "at", "id"]
        verbose_name = _("proposal status change")
        verbose_name_plural = _("proposal status changes")

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.from_status or '-'} -> {self.to_status}"


class ProposalComment(TimeStampedModel):
    """A resident's comment on a proposal; shown publicly once approved by the lab."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participation_comments",
    )
    author_public = models.CharField(_("author as shown publicly"), max_length=60)
    body = models.TextField(_("comment"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CommentStatus.choices,
        default=CommentStatus.PENDING,
        db_index=True,
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    moderation_reason = models.TextField(_("moderation reason"), blank=True)

    class Meta:
        ordering = ["proposal", "created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["proposal", "status"], name="proposal_comment_status")]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.body[:40]}"


class Support(models.Model):
    """One verified resident's support of a proposal (at most one each)."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="supports"
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        on_delete=models.PROTECT,
        related_name="participation_supports",
    )
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        ordering = ["proposal", "created_at", "id"]
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "resident"], name="support_one_per_resident"
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: support {self.pk}"
