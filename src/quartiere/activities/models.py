"""Models of the activities context: activities, their sessions, registrations and attendance."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from quartiere.activities.enums import (
    ActivityAudience,
    ActivityKind,
    ActivityPlaceKind,
    ActivityStatus,
    MessageKind,
    MessageStatus,
    RegistrationChannel,
    RegistrationStatus,
    SessionStatus,
)
from quartiere.core.models import TimeStampedModel


def _english() -> bool:
    return (get_language() or "it").startswith("en")


class Activity(TimeStampedModel):
    """Something a lab runs for residents: a course, a party, a meeting, a workshop."""

    lab = models.ForeignKey(
        "accounts.Lab", verbose_name=_("lab"), on_delete=models.PROTECT, related_name="activities"
    )
    title_it = models.CharField(_("title (Italian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    slug = models.SlugField(_("short name in the address"), max_length=80, blank=True)
    description_it = models.TextField(_("description (Italian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices, db_index=True)
    audience = models.CharField(
        _("audience"),
        max_length=20,
        choices=ActivityAudience.choices,
        default=ActivityAudience.ALL,
        db_index=True,
    )
    place_kind = models.CharField(
        _("place"), max_length=20, choices=ActivityPlaceKind.choices, default=ActivityPlaceKind.LAB
    )
    building = models.ForeignKey(
        "territory.Building",
        verbose_name=_("building (common room)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    place_name = models.CharField(
        _("name of the place"),
        max_length=200,
        blank=True,
        help_text=_("E.g. the school's name or the room; empty for the lab itself."),
    )
    place_address = models.CharField(_("address of the place"), max_length=200, blank=True)
    organiser = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organiser"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organised_activities",
    )
    partners = models.ManyToManyField(
        "accounts.Organisation",
        verbose_name=_("partner organisations"),
        blank=True,
        related_name="partner_activities",
    )
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Empty for no limit.")
    )
    is_registration_open = models.BooleanField(_("registrations open"), default=True)
    is_public = models.BooleanField(
        _("shown on the public calendar"), default=True, help_text=_("Once published.")
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ActivityStatus.choices,
        default=ActivityStatus.DRAFT,
        db_index=True,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancellation_reason = models.TextField(_("reason for cancellation"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities_created",
    )

    class Meta:
        ordering = ["lab__name", "title_it", "id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        permissions = [
            ("manage_activity", _("Can manage the lab's activities, registrations and registers")),
            ("view_activity_figures", _("Can see activity figures")),
        ]
        indexes = [models.Index(fields=["lab", "status"], name="activity_lab_status")]

    def __str__(self) -> str:
        return self.title_it

    @property
    def title(self) -> str:
        """The title in the active language (Italian when there is no English one)."""
        return (self.title_en if _english() else "") or self.title_it

    @property
    def description(self) -> str:
        """The description in the active language (Italian when there is no English one)."""
        return (self.description_en if _english() else "") or self.description_it

    @property
    def is_published(self) -> bool:
        return self.status == ActivityStatus.PUBLISHED

    @property
    def is_on_public_calendar(self) -> bool:
        return self.is_public and self.status in (
            ActivityStatus.PUBLISHED,
            ActivityStatus.CANCELLED,
        )

    @property
    def place_label(self) -> str:
        """Where it takes place, in words (no personal data)."""
        if self.place_kind == ActivityPlaceKind.LAB:
            return self.place_name or str(self.lab)
        if self.place_kind == ActivityPlaceKind.COMMON_ROOM and self.building_id:
            return self.place_name or str(_("Common room"))
        return self.place_name or self.get_place_kind_display()

    def get_absolute_url(self) -> str:
        """The activity's public page."""
        return reverse(
            "activities_public:activity_detail",
            kwargs={"pk": self.pk, "slug": self.slug or "attivita"},
        )


class ActivitySession(TimeStampedModel):
    """One meeting of an activity, at a date and time."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=SessionStatus.choices,
        default=SessionStatus.SCHEDULED,
        db_index=True,
    )
    capacity = models.PositiveIntegerField(
        _("places for this session"),
        null=True,
        blank=True,
        help_text=_("Empty to use the activity's places."),
    )
    cancellation_reason = models.TextField(_("reason for cancellation"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="activity_session_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["activity", "starts_at"], name="activity_session_unique_start"
            ),
        ]
        indexes = [
            models.Index(fields=["activity", "starts_at"], name="activity_session_start"),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.activity} - {local:%d/%m/%Y %H:%M}"

    @property
    def effective_capacity(self) -> int | None:
        """This session's places, or the activity's when the session has none of its own."""
        return self.capacity if self.capacity is not None else self.activity.capacity

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED


class Registration(TimeStampedModel):
    """A place in an activity (all its sessions) for a resident or an unregistered person."""

    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activity_registrations",
    )
    contact_name = models.CharField(_("name"), max_length=150, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language for messages"), max_length=8, default="it")
    status = models.CharField(
        _("status"), max_length=12, choices=RegistrationStatus.choices, db_index=True
    )
    channel = models.CharField(_("channel"), max_length=10, choices=RegistrationChannel.choices)
    # Waiting-list order: the time the person joined the list, then the id.
    queued_at = models.DateTimeField(_("registered at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    promoted_at = models.DateTimeField(_("moved from the waiting list at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activity_registrations_entered",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["activity", "queued_at", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            # A resident holds at most one live registration per activity.
            models.UniqueConstraint(
                fields=["activity", "resident"],
                condition=models.Q(resident__isnull=False)
                & ~models.Q(status=RegistrationStatus.CANCELLED),
                name="registration_one_live_per_resident",
            ),
            models.CheckConstraint(
                condition=models.Q(resident__isnull=False) | ~models.Q(contact_name=""),
                name="registration_resident_or_name",
            ),
        ]
        indexes = [
            models.Index(fields=["activity", "status", "queued_at"], name="registration_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} - {self.display_name}"

    @property
    def display_name(self) -> str:
        if self.resident_id is not None:
            return str(self.resident)
        return self.contact_name

    @property
    def email(self) -> str:
        if self.resident is not None and self.resident.email:
            return str(self.resident.email)
        return self.contact_email


class Attendance(TimeStampedModel):
    """Whether a registered person, a resident or a walk-in was at a session."""

    session = models.ForeignKey(
        ActivitySession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activity_attendances",
    )
    walk_in_name = models.CharField(_("name (walk-in)"), max_length=150, blank=True)
    is_present = models.BooleanField(_("present"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activity_attendances_recorded",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # Set once the ESF participation was counted for this resident and session.
    counted_in_monitoring_at = models.DateTimeField(
        _("counted in monitoring at"), null=True, blank=True
    )

    class Meta:
        ordering = ["session", "id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "registration"],
                condition=models.Q(registration__isnull=False),
                name="attendance_one_per_registration",
            ),
            models.UniqueConstraint(
                fields=["session", "resident"],
                condition=models.Q(resident__isnull=False),
                name="attendance_one_per_resident",
            ),
            models.CheckConstraint(
                condition=models.Q(registration__isnull=False)
                | models.Q(resident__isnull=False)
                | ~models.Q(walk_in_name=""),
                name="attendance_has_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} - {self.display_name}"

    @property
    def display_name(self) -> str:
        if self.resident_id is not None:
            return str(self.resident)
        if self.registration is not None:
            return self.registration.display_name
        return self.walk_in_name


class ActivityMessage(TimeStampedModel):
    """An e-mail in the outbox (confirmation, waiting list, reminder, cancellation)."""

    lab = models.ForeignKey(
        "accounts.Lab",
        verbose_name=_("lab"),
        on_delete=models.CASCADE,
        related_name="activity_messages",
    )
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="messages",
    )
    session = models.ForeignKey(
        ActivitySession,
        verbose_name=_("session"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    recipient = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=MessageStatus.choices,
        default=MessageStatus.PENDING,
        db_index=True,
    )
    attempt_count = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("activity message")
        verbose_name_plural = _("activity messages")
        constraints = [
            # One reminder per registration and session, however often the job runs.
            models.UniqueConstraint(
                fields=["registration", "session"],
                condition=models.Q(kind=MessageKind.REMINDER),
                name="activity_message_one_reminder",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.get_status_display()})"
