"""Measures, allowance rules, training paths, enrolments and attendance registers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from quartiere.core.fields import EncryptedTextField
from quartiere.core.models import TimeStampedModel
from quartiere.training.enums import (
    EnrolmentStatus,
    IncomeSupport,
    PathStatus,
    RegisterStatus,
)

__all__ = [
    "AccreditedOperator",
    "AllowanceRule",
    "AttendanceCorrection",
    "AttendanceRecord",
    "AttendanceRegister",
    "EligibilityCheck",
    "Enrolment",
    "Measure",
    "TrainingPath",
    "TrainingSession",
]


class Measure(TimeStampedModel):
    """A lab's training measure ("inclusione attiva") with its budget and eligibility gates."""

    lab = models.ForeignKey(
        "accounts.Lab", verbose_name=_("lab"), on_delete=models.PROTECT, related_name="measures"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    allowance_budget = models.DecimalField(
        _("allowance budget (EUR)"), default=Decimal("0.00"), max_digits=12, decimal_places=2
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Eligibility gates: each switchable, each with its parameter.
    gate_age = models.BooleanField(_("check minimum age"), default=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=18)
    gate_residence = models.BooleanField(_("check residence in the target area"), default=True)
    target_buildings = models.ManyToManyField(
        "territory.Building",
        verbose_name=_("target area buildings"),
        blank=True,
        related_name="training_measures",
        help_text=_("Leave empty to accept every building of the lab's district."),
    )
    gate_unemployed = models.BooleanField(_("check unemployment"), default=True)
    min_unemployed_months = models.PositiveSmallIntegerField(
        _("unemployed for at least (months)"), default=0
    )
    gate_permit = models.BooleanField(_("check residence permit of non-EU citizens"), default=True)
    gate_isee = models.BooleanField(_("check ISEE threshold"), default=False)
    isee_threshold = models.DecimalField(
        _("ISEE threshold (EUR)"), default=Decimal("18000.00"), max_digits=12, decimal_places=2
    )
    isee_max_age_months = models.PositiveSmallIntegerField(
        _("ISEE certificate valid for (months)"), default=12
    )
    gate_income_support = models.BooleanField(
        _("refuse people receiving income support"), default=False
    )

    class Meta:
        ordering = ["lab__name", "name"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        permissions = [
            ("view_training_budget", _("Can read training budgets and totals")),
        ]

    def __str__(self) -> str:
        return self.name


class AllowanceRule(TimeStampedModel):
    """One version of a measure's allowance rule, valid from a date (to a date, or open)."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="rules"
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    hourly_rate = models.DecimalField(
        _("hourly rate (EUR)"), default=Decimal("5.00"), max_digits=8, decimal_places=2
    )
    month_cap = models.DecimalField(
        _("monthly cap (EUR)"), default=Decimal("400.00"), max_digits=12, decimal_places=2
    )
    person_cap = models.DecimalField(
        _("per-person cap (EUR)"), default=Decimal("2000.00"), max_digits=12, decimal_places=2
    )
    min_attendance_ratio = models.DecimalField(
        _("minimum attendance share per month"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        default=Decimal("0.750"),
        help_text=_("E.g. 0.75 for 75% of the scheduled hours; empty for no threshold."),
    )

    class Meta:
        ordering = ["measure", "valid_from"]
        verbose_name = _("allowance rule")
        verbose_name_plural = _("allowance rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="allowance_rule_valid_range",
            ),
            models.UniqueConstraint(
                fields=["measure", "valid_from"], name="allowance_rule_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.valid_from}"


class AccreditedOperator(TimeStampedModel):
    """An accredited training organisation working for a lab: staff enter registers,
    responsibles validate them."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="training_operators",
    )
    lab = models.ForeignKey(
        "accounts.Lab",
        verbose_name=_("lab"),
        on_delete=models.PROTECT,
        related_name="training_operators",
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff entering registers"),
        blank=True,
        related_name="training_operator_staff",
    )
    responsibles = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsibles validating registers"),
        blank=True,
        related_name="training_operator_responsible",
    )

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("accredited operator")
        verbose_name_plural = _("accredited operators")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "lab"], name="accredited_operator_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class TrainingPath(TimeStampedModel):
    """A training path run by an accredited operator within a measure."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.PROTECT, related_name="paths"
    )
    lab = models.ForeignKey(
        "accounts.Lab", verbose_name=_("lab"), on_delete=models.PROTECT, related_name="+"
    )
    operator = models.ForeignKey(
        AccreditedOperator,
        verbose_name=_("accredited operator"),
        on_delete=models.PROTECT,
        related_name="paths",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    hours = models.DecimalField(_("total hours"), max_digits=6, decimal_places=2)
    places = models.PositiveSmallIntegerField(_("places"))
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_paths",
    )
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    status = models.CharField(
        _("status"), max_length=20, choices=PathStatus.choices, default=PathStatus.DRAFT
    )

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name = _("training path")
        verbose_name_plural = _("training paths")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="training_path_ends_after_start",
            )
        ]
        indexes = [models.Index(fields=["lab", "status"], name="training_path_lab_status")]

    def __str__(self) -> str:
        return self.title


class TrainingSession(TimeStampedModel):
    """One scheduled session of a path."""

    path = models.ForeignKey(
        TrainingPath, verbose_name=_("path"), on_delete=models.CASCADE, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2)
    location = models.CharField(_("location"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="training_session_ends_after_start",
            )
        ]
        indexes = [
            models.Index(fields=["path", "starts_at"], name="training_session_path_start"),
            models.Index(fields=["starts_at"], name="training_session_start"),
        ]

    def __str__(self) -> str:
        return f"{self.path} {self.starts_at:%Y-%m-%d %H:%M}"


class EligibilityCheck(TimeStampedModel):
    """A snapshot of the evidence and of each gate's result for a resident and a measure."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.PROTECT, related_name="checks"
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        on_delete=models.PROTECT,
        related_name="training_checks",
    )
    lab = models.ForeignKey(
        "accounts.Lab", verbose_name=_("lab"), on_delete=models.PROTECT, related_name="+"
    )
    checked_on = models.DateField(_("checked on"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Evidence.
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    residence_building = models.ForeignKey(
        "territory.Building",
        verbose_name=_("building of residence"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_unemployed = models.BooleanField(_("unemployed"), null=True)
    unemployed_since = models.DateField(_("unemployed since"), null=True, blank=True)
    citizenship = models.CharField(_("citizenship"), max_length=2, blank=True)
    permit_expires_on = models.DateField(_("residence permit expiry"), null=True, blank=True)
    isee_value = models.DecimalField(
        _("ISEE value (EUR)"), null=True, blank=True, max_digits=12, decimal_places=2
    )
    isee_date = models.DateField(_("ISEE certificate date"), null=True, blank=True)
    income_support = models.CharField(
        _("income support received"), max_length=20, choices=IncomeSupport.choices, blank=True
    )
    # Outcome: {gate: {"enabled": bool, "passed": bool|None, "reason": str}}
    results = models.JSONField(_("results"), default=dict)
    passed = models.BooleanField(_("all gates passed"), default=False)

    class Meta:
        ordering = ["-checked_on", "-id"]
        verbose_name = _("eligibility check")
        verbose_name_plural = _("eligibility checks")

    def __str__(self) -> str:
        return f"{self.resident_id} / {self.measure_id} {self.checked_on}"


class Enrolment(TimeStampedModel):
    """A resident enrolled on a path, with a plan, an IBAN in their name and their dates."""

    path = models.ForeignKey(
        TrainingPath, verbose_name=_("path"), on_delete=models.PROTECT, related_name="enrolments"
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="training_enrolments",
    )
    lab = models.ForeignKey(
        "accounts.Lab", verbose_name=_("lab"), on_delete=models.PROTECT, related_name="+"
    )
    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.PROTECT, related_name="enrolments"
    )
    eligibility = models.ForeignKey(
        EligibilityCheck,
        verbose_name=_("eligibility check"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=EnrolmentStatus.choices,
        default=EnrolmentStatus.ENROLLED,
    )
    enrolled_on = models.DateField(_("enrolled on"))
    started_on = models.DateField(_("started on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("withdrawal reason"), blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    planned_hours = models.DecimalField(_("planned hours"), max_digits=6, decimal_places=2)
    objectives = models.TextField(_("objectives"))
    iban = EncryptedTextField(_("IBAN"))
    iban_masked = models.CharField(_("IBAN (masked)"), max_length=40)
    account_holder = models.CharField(_("account holder"), max_length=200)

    class Meta:
        ordering = ["-enrolled_on", "-id"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        permissions = [
            ("export_enrolments", _("Can export enrolments and registers")),
            ("view_own_training", _("Can see one's own training and allowance")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["path", "resident"], name="enrolment_unique"),
        ]
        indexes = [
            models.Index(fields=["lab", "status"], name="enrolment_lab_status"),
            models.Index(fields=["measure", "status"], name="enrolment_measure_status"),
        ]

    def __str__(self) -> str:
        return f"{self.resident} - {self.path}"

    @property
    def left_on(self) -> dt.date | None:
        return self.withdrawn_on or self.completed_on


class AttendanceRegister(TimeStampedModel):
    """The attendance register of one session: draft, submitted, validated (then locked)."""

    session = models.OneToOneField(
        TrainingSession,
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        related_name="register",
    )
    lab = models.ForeignKey(
        "accounts.Lab", verbose_name=_("lab"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RegisterStatus.choices, default=RegisterStatus.DRAFT
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("validated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)

    class Meta:
        ordering = ["-session__starts_at"]
        verbose_name = _("attendance register")
        verbose_name_plural = _("attendance registers")
        permissions = [
            ("enter_register", _("Can enter attendance registers")),
            ("validate_register", _("Can validate attendance registers")),
        ]
        indexes = [models.Index(fields=["lab", "status"], name="register_lab_status")]

    def __str__(self) -> str:
        return str(self.session)


class AttendanceRecord(TimeStampedModel):
    """One participant's attendance at one session.

    ``effective_hours`` is what counts: the hours entered, or those of the latest correction.
    ``lab``, ``month`` (first day of the session's month), ``scheduled_hours`` (the session's
    length) and ``is_validated`` (the register is validated) are copies kept by the services so
    that monthly aggregation reads this table alone.
    """

    register = models.ForeignKey(
        AttendanceRegister,
        verbose_name=_("register"),
        on_delete=models.CASCADE,
        related_name="records",
    )
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("enrolment"),
        on_delete=models.PROTECT,
        related_name="attendance",
    )
    hours_present = models.DecimalField(_("hours present"), max_digits=6, decimal_places=2)
    late_minutes = models.PositiveSmallIntegerField(_("late arrival (minutes)"), default=0)
    early_leave_minutes = models.PositiveSmallIntegerField(_("early leave (minutes)"), default=0)
    justified_absence = models.BooleanField(_("justified absence"), default=False)
    effective_hours = models.DecimalField(_("hours counted"), max_digits=6, decimal_places=2)
    scheduled_hours = models.DecimalField(_("scheduled hours"), max_digits=6, decimal_places=2)
    lab = models.ForeignKey(
        "accounts.Lab", verbose_name=_("lab"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"))
    is_validated = models.BooleanField(_("validated"), default=False)

    class Meta:
        ordering = ["enrolment__resident__last_name", "id"]
        verbose_name = _("attendance record")
        verbose_name_plural = _("attendance records")
        constraints = [
            models.UniqueConstraint(
                fields=["register", "enrolment"], name="attendance_record_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(hours_present__gte=0) & models.Q(effective_hours__gte=0),
                name="attendance_hours_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["enrolment", "month"], name="attendance_enrolment_month"),
            models.Index(
                fields=["lab", "month", "is_validated", "enrolment"],
                name="attendance_lab_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} @ {self.register_id}"


class AttendanceCorrection(models.Model):
    """A correction of a validated record: a new, audited entry with a reason (never an edit)."""

    record = models.ForeignKey(
        AttendanceRecord,
        verbose_name=_("attendance record"),
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    hours_present = models.DecimalField(_("hours present"), max_digits=6, decimal_places=2)
    late_minutes = models.PositiveSmallIntegerField(_("late arrival (minutes)"), default=0)
    early_leave_minutes = models.PositiveSmallIntegerField(_("early leave (minutes)"), default=0)
    justified_absence = models.BooleanField(_("justified absence"), default=False)
    previous_hours = models.DecimalField(_("hours before"), max_digits=6, decimal_places=2)
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("corrected by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("corrected at"), auto_now_add=True)

    class Meta:
        ordering = ["record", "created_at", "id"]
        verbose_name = _("attendance correction")
        verbose_name_plural = _("attendance corrections")
        permissions = [("correct_attendance", _("Can correct validated attendance"))]

    def __str__(self) -> str:
        return f"{self.record_id} {self.created_at:%Y-%m-%d}"
