from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from quartiere.core.models import TimeStampedModel
from quartiere.reports.enums import (
    OPEN_STATUSES,
    AttributeDatatype,
    CommentVisibility,
    NotificationStatus,
    ReportChannel,
    ReportStatus,
)


class ReportPolicy(TimeStampedModel):
    """A lab's settings for reports: its holiday calendar and the window to reopen."""

    lab = models.OneToOneField(
        "accounts.Lab",
        verbose_name=_("lab"),
        on_delete=models.CASCADE,
        related_name="report_policy",
    )
    holiday_subdivision = models.CharField(
        _("local holidays (province code)"),
        max_length=10,
        blank=True,
        default="MI",
        help_text=_(
            "Province whose patron saint's day is a holiday (e.g. MI for Sant'Ambrogio); "
            "empty for national holidays only."
        ),
    )
    reopen_days = models.PositiveSmallIntegerField(
        _("days a resident may reopen a resolved report"), default=15
    )

    class Meta:
        ordering = ["lab__name"]
        verbose_name = _("report policy")
        verbose_name_plural = _("report policies")

    def __str__(self) -> str:
        return f"{self.lab}"


class Category(TimeStampedModel):
    """A kind of report a lab receives, with who acts on it and its service levels."""

    lab = models.ForeignKey(
        "accounts.Lab",
        verbose_name=_("lab"),
        on_delete=models.PROTECT,
        related_name="report_categories",
    )
    code = models.SlugField(
        _("service code"),
        max_length=80,
        unique=True,
        help_text=_("Stable code used by Open311 clients, e.g. lorenteggio-lift."),
    )
    group = models.CharField(_("group"), max_length=80, blank=True)
    name_it = models.CharField(_("name (Italian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    description_it = models.TextField(_("description (Italian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    responsible_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("responsible organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_categories",
        help_text=_("Empty when the lab itself handles these reports."),
    )
    acknowledge_days = models.PositiveSmallIntegerField(
        _("business days to acknowledge"), default=2
    )
    resolve_days = models.PositiveSmallIntegerField(_("business days to resolve"), default=20)
    is_public = models.BooleanField(
        _("shown on the public map"),
        default=False,
        help_text=_("Reports of this category appear, without personal data, on the portal."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["lab__name", "name_it"]
        verbose_name = _("report category")
        verbose_name_plural = _("report categories")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resolve_days__gte=models.F("acknowledge_days")),
                name="category_resolve_after_acknowledge",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "it").startswith("en") else self.name_it

    @property
    def description(self) -> str:
        lang = get_language() or "it"
        return (self.description_en if lang.startswith("en") else "") or self.description_it


class CategoryAttribute(TimeStampedModel):
    """An extra question asked for a category (an Open311 attribute)."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="attributes"
    )
    code = models.SlugField(_("code"), max_length=60)
    datatype = models.CharField(
        _("type of answer"),
        max_length=20,
        choices=AttributeDatatype.choices,
        default=AttributeDatatype.STRING,
    )
    is_required = models.BooleanField(_("required"), default=False)
    description_it = models.CharField(_("question (Italian)"), max_length=200)
    description_en = models.CharField(_("question (English)"), max_length=200)
    values = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_('For list answers: [{"key": "1", "name": "Yes"}, ...]'),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        ordering = ["category", "order", "id"]
        verbose_name = _("extra question")
        verbose_name_plural = _("extra questions")
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="category_attribute_unique")
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def description(self) -> str:
        return (
            self.description_en if (get_language() or "it").startswith("en") else ""
        ) or self.description_it

    @property
    def value_keys(self) -> list[str]:
        return [str(v.get("key")) for v in self.values or []]


class Open311Key(TimeStampedModel):
    """An API key allowed to POST reports through Open311; only its hash is stored."""

    name = models.CharField(_("name"), max_length=120)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64)
    lab = models.ForeignKey(
        "accounts.Lab",
        verbose_name=_("only for lab"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="open311_keys",
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Report(TimeStampedModel):
    """A segnalazione: what a resident reported, where, and how far it has got."""

    lab = models.ForeignKey(
        "accounts.Lab", verbose_name=_("lab"), on_delete=models.PROTECT, related_name="reports"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="reports"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ReportStatus.choices,
        default=ReportStatus.SUBMITTED,
        db_index=True,
    )
    channel = models.CharField(_("channel"), max_length=12, choices=ReportChannel.choices)
    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    description = models.TextField(_("description"))
    # Where: a unit, stair or building of the registry, a map point, or free text.
    building = models.ForeignKey(
        "territory.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    entrance = models.ForeignKey(
        "territory.Entrance",
        verbose_name=_("stair"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    unit = models.ForeignKey(
        "territory.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    address_text = models.CharField(_("address or place"), max_length=250, blank=True)
    # Who: a registered resident, or contact details of someone not registered.
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports_submitted",
    )
    submitted_with_key = models.ForeignKey(
        Open311Key,
        verbose_name=_("API key"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    contact_name = models.CharField(_("contact name"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    language = models.CharField(_("language for messages"), max_length=8, default="it")
    attributes = models.JSONField(_("answers to extra questions"), default=dict, blank=True)
    # Handling.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports_assigned",
    )
    forwarded_to = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("forwarded to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports_received",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_reports",
    )
    resolution = models.TextField(_("resolution"), blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # The service-level clock.
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    acknowledge_due_on = models.DateField(_("acknowledge by"))
    resolve_due_on = models.DateField(_("resolve by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("last status change"), default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        permissions = [
            ("process_report", "Can move reports through their workflow"),
            ("assign_report", "Can assign reports to staff"),
            ("export_reports", "Can export report lists"),
            ("view_report_figures", "Can view report figures"),
        ]
        indexes = [
            models.Index(fields=["lab", "status", "resolve_due_on"], name="report_queue_idx"),
            models.Index(fields=["lab", "-submitted_at", "-id"], name="report_lab_recent_idx"),
            models.Index(fields=["forwarded_to", "status"], name="report_org_queue_idx"),
            models.Index(fields=["category", "status"], name="report_category_idx"),
            models.Index(fields=["building", "status"], name="report_building_idx"),
            models.Index(fields=["assigned_to", "status"], name="report_assignee_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="merged") | models.Q(merged_into__isnull=False),
                name="report_merged_has_target",
            )
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Past the due date of the step it is waiting for (acknowledgement or resolution)."""
        if not self.is_open:
            return False
        today = today or timezone.localdate()
        if self.status in (ReportStatus.SUBMITTED,) and self.acknowledge_due_on < today:
            return True
        return self.resolve_due_on < today

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    @property
    def place_label(self) -> str:
        """Where, in words: unit, stair, building, or the free text."""
        if self.unit_id and self.unit:
            return f"{self.unit.building.address}, {self.unit.entrance.name}, {self.unit.code}"
        if self.entrance_id and self.entrance:
            return f"{self.entrance.building.address}, {self.entrance.name}"
        if self.building_id and self.building:
            return self.building.address
        if self.address_text:
            return self.address_text
        if self.latitude is not None:
            return f"{self.latitude}, {self.longitude}"
        return ""


class ReportStatusChange(models.Model):
    """One step in a report's history; ``note`` is public (residents see the history)."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=ReportStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=ReportStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["report", "at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        indexes = [models.Index(fields=["report", "at"], name="report_change_idx")]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_status or '-'} -> {self.to_status}"


class ReportComment(TimeStampedModel):
    """A public reply to the resident or an internal note between staff."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    visibility = models.CharField(_("visibility"), max_length=10, choices=CommentVisibility.choices)
    body = models.TextField(_("text"))

    class Meta:
        ordering = ["report", "created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return f"{self.report_id}: {self.body[:40]}"


class ReportAttachment(TimeStampedModel):
    """A photo (metadata stripped) or PDF attached to a report; staff-only."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=60)
    size_bytes = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["report", "created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class ReportFollower(TimeStampedModel):
    """Someone told by e-mail about each public change of a report."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="followers"
    )
    email = models.EmailField(_("e-mail"))
    language = models.CharField(_("language"), max_length=8, default="it")

    class Meta:
        ordering = ["report", "id"]
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [
            models.UniqueConstraint(fields=["report", "email"], name="report_follower_unique")
        ]

    def __str__(self) -> str:
        return f"{self.report_id}: follower {self.pk}"


class Notification(TimeStampedModel):
    """An e-mail in the outbox: written with the change, sent later by a task."""

    lab = models.ForeignKey(
        "accounts.Lab",
        verbose_name=_("lab"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    report = models.ForeignKey(
        Report,
        verbose_name=_("report"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    recipient = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=200)
    # Written when the e-mail is sent, from ``template`` and ``params`` in ``language``
    # (intake only stores them); rows written before that change carry their body already.
    body = models.TextField(_("message"), blank=True)
    template = models.CharField(
        _("message template"), max_length=40, blank=True, default="", db_default=""
    )
    params = models.JSONField(_("message parameters"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, default="it", db_default="it")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
        db_index=True,
    )
    attempt_count = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["lab", "status", "-created_at"], name="notification_idx")]

    def __str__(self) -> str:
        return f"{self.subject} ({self.get_status_display()})"


class Open311Intake(models.Model):
    """An Open311 POST accepted and checked, waiting for the worker to make it a report.

    GeoReport v2 lets a server answer a POST with a ``token`` instead of the request's id;
    ``tokens/{token}`` gives the id once the report exists. With the database task queue
    (production) the POST writes only this row and the worker creates the report; the contact
    details in ``payload`` are wiped once it has (the report keeps them), and a refusal found
    then is kept in ``error`` for staff.
    """

    token = models.CharField(_("token"), max_length=32, unique=True)
    key = models.ForeignKey(
        Open311Key, verbose_name=_("API key"), on_delete=models.PROTECT, related_name="intakes"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    payload = models.JSONField(_("request"), default=dict, blank=True)
    received_at = models.DateTimeField(_("received at"))
    report = models.OneToOneField(
        Report,
        verbose_name=_("report"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="open311_intake",
    )
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    error = models.TextField(_("refusal"), blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("Open311 request received")
        verbose_name_plural = _("Open311 requests received")
        indexes = [
            models.Index(
                fields=["received_at"],
                condition=models.Q(processed_at__isnull=True),
                name="open311_intake_pending",
            )
        ]

    def __str__(self) -> str:
        return self.token
