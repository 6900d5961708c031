"""Payment batches: frozen snapshots of allowances, approval, SEPA export, outcomes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from quartiere.core.fields import EncryptedTextField
from quartiere.core.models import TimeStampedModel
from quartiere.training.payments_enums import (
    PaymentBatchState,
    PaymentLineKind,
    PaymentOutcome,
)

__all__ = [
    "PaymentAccount",
    "PaymentBatch",
    "PaymentBatchStateChange",
    "PaymentLine",
]

MONEY: dict[str, Any] = {"max_digits": 12, "decimal_places": 2}
HOURS: dict[str, Any] = {"max_digits": 8, "decimal_places": 2}


class PaymentAccount(TimeStampedModel):
    """The bank account a measure's allowances are paid from (the lab's or lead partner's)."""

    measure = models.OneToOneField(
        "training.Measure",
        verbose_name=_("measure"),
        on_delete=models.CASCADE,
        related_name="payment_account",
    )
    debtor_name = models.CharField(_("account holder (debtor)"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)

    class Meta:
        ordering = ["measure"]
        verbose_name = _("payment account")
        verbose_name_plural = _("payment accounts")

    def __str__(self) -> str:
        return f"{self.debtor_name} {self.iban[:4]}…{self.iban[-4:]}"


class PaymentBatch(TimeStampedModel):
    """The allowances of one lab's measure for one month: built (frozen), approved, exported.

    The SEPA file is stored in the row itself, written in the same transaction as the state
    change, so an interrupted export leaves neither a file nor an exported batch, and a second
    download returns exactly the same bytes.
    """

    lab = models.ForeignKey(
        "accounts.Lab", verbose_name=_("lab"), on_delete=models.PROTECT, related_name="+"
    )
    measure = models.ForeignKey(
        "training.Measure",
        verbose_name=_("measure"),
        on_delete=models.PROTECT,
        related_name="payment_batches",
    )
    month = models.DateField(_("month"), help_text=_("First day of the month paid."))
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=PaymentBatchState.choices,
        default=PaymentBatchState.DRAFT,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("built by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    built_at = models.DateTimeField(_("built at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("exported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    exported_at = models.DateTimeField(_("exported at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    execution_on = models.DateField(_("requested execution date"), null=True, blank=True)
    # Debtor snapshot, taken at build from the measure's payment account.
    debtor_name = models.CharField(_("debtor"), max_length=70, blank=True)
    debtor_iban = models.CharField(_("debtor IBAN"), max_length=34, blank=True)
    debtor_bic = models.CharField(_("debtor BIC"), max_length=11, blank=True)
    # Totals of the frozen snapshot.
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    transfer_count = models.PositiveIntegerField(_("transfers"), default=0)
    total_amount = models.DecimalField(_("total to transfer (EUR)"), default=Decimal("0"), **MONEY)
    recovery_amount = models.DecimalField(_("to recover (EUR)"), default=Decimal("0"), **MONEY)
    paid_amount = models.DecimalField(_("paid (EUR)"), default=Decimal("0"), **MONEY)
    failed_amount = models.DecimalField(_("failed (EUR)"), default=Decimal("0"), **MONEY)
    # The SEPA file, written once.
    sepa_message_id = models.CharField(_("SEPA message id"), max_length=35, blank=True)
    sepa_file = models.BinaryField(_("SEPA file"), null=True, blank=True, editable=False)
    sepa_checksum = models.CharField(_("SEPA file SHA-256"), max_length=64, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-month", "lab__name", "-id"]
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        permissions = [
            ("approve_paymentbatch", _("Can approve allowance payment batches")),
            ("export_paymentbatch", _("Can export SEPA files and record bank outcomes")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["lab", "measure", "month"],
                condition=~models.Q(state=PaymentBatchState.CANCELLED),
                name="payment_batch_one_per_month",
            ),
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True)
                | ~models.Q(approved_by=models.F("built_by")),
                name="payment_batch_approver_not_builder",
            ),
        ]
        indexes = [models.Index(fields=["lab", "month"], name="payment_batch_lab_month")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.month:%Y-%m}"

    @property
    def sepa_filename(self) -> str:
        return f"sepa-batch-{self.pk}-{self.month:%Y-%m}.xml"


class PaymentBatchStateChange(models.Model):
    """One step of a batch's workflow: from, to, who, when, why."""

    batch = models.ForeignKey(
        PaymentBatch,
        verbose_name=_("batch"),
        on_delete=models.CASCADE,
        related_name="state_changes",
    )
    from_state = models.CharField(_("from"), max_length=20, choices=PaymentBatchState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=PaymentBatchState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["batch", "at", "id"]
        verbose_name = _("payment batch state change")
        verbose_name_plural = _("payment batch state changes")

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.from_state} -> {self.to_state}"


class PaymentLine(models.Model):
    """One frozen amount for one participant: a month's allowance, an adjustment of an earlier
    month, or a failed payment carried over. Never edited after freezing except its outcome.

    ``is_void`` is set when the batch is cancelled, so the database constraint that allows one
    allowance per participant and month counts live batches only.
    """

    batch = models.ForeignKey(
        PaymentBatch, verbose_name=_("batch"), on_delete=models.CASCADE, related_name="lines"
    )
    enrolment = models.ForeignKey(
        "training.Enrolment",
        verbose_name=_("enrolment"),
        on_delete=models.PROTECT,
        related_name="payment_lines",
    )
    lab = models.ForeignKey(
        "accounts.Lab", verbose_name=_("lab"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"))
    kind = models.CharField(_("kind"), max_length=20, choices=PaymentLineKind.choices)
    validated_hours = models.DecimalField(_("validated hours"), default=Decimal("0"), **HOURS)
    scheduled_hours = models.DecimalField(_("scheduled hours"), default=Decimal("0"), **HOURS)
    gross_amount = models.DecimalField(_("before the person cap (EUR)"), **MONEY)
    amount = models.DecimalField(_("amount (EUR)"), **MONEY)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    iban = EncryptedTextField(_("IBAN"), blank=True)
    iban_masked = models.CharField(_("IBAN (masked)"), max_length=40, blank=True)
    holder_name = models.CharField(_("account holder"), max_length=200, blank=True)
    end_to_end_id = models.CharField(_("end-to-end id"), max_length=35, unique=True)
    carried_from = models.ForeignKey(
        "self",
        verbose_name=_("carried over from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="carried_to",
    )
    outcome = models.CharField(
        _("outcome"),
        max_length=20,
        choices=PaymentOutcome.choices,
        default=PaymentOutcome.PENDING,
    )
    failure_reason = models.CharField(_("failure reason"), max_length=200, blank=True)
    outcome_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)
    is_void = models.BooleanField(_("void"), default=False)

    class Meta:
        ordering = ["batch", "holder_name", "month", "id"]
        verbose_name = _("payment line")
        verbose_name_plural = _("payment lines")
        constraints = [
            # Never two live allowances for the same person and month: rebuilding or building
            # another batch for the same month cannot pay twice.
            models.UniqueConstraint(
                fields=["enrolment", "month"],
                condition=models.Q(kind=PaymentLineKind.ALLOWANCE, is_void=False),
                name="payment_line_one_allowance_per_month",
            ),
            models.UniqueConstraint(
                fields=["batch", "enrolment", "month", "kind"],
                condition=~models.Q(kind=PaymentLineKind.CARRY_OVER),
                name="payment_line_unique_in_batch",
            ),
            # A failed payment is carried over once.
            models.UniqueConstraint(
                fields=["carried_from"],
                condition=models.Q(is_void=False),
                name="payment_line_carried_once",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0) | models.Q(kind=PaymentLineKind.ADJUSTMENT),
                name="payment_line_positive_unless_adjustment",
            ),
        ]
        indexes = [
            models.Index(fields=["enrolment", "month"], name="payment_line_enrolment_month"),
            models.Index(fields=["lab", "outcome"], name="payment_line_lab_outcome"),
        ]

    def __str__(self) -> str:
        return self.end_to_end_id

    @property
    def is_transfer(self) -> bool:
        """True when the line is a credit transfer in the SEPA file (positive amount)."""
        return self.amount > 0
