"""Choices of payment batches and their lines."""

from django.db import models
from django.utils.translation import pgettext_lazy


class PaymentBatchState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("payment batch state", "Draft")
    FROZEN = "frozen", pgettext_lazy("payment batch state", "Frozen, awaiting approval")
    APPROVED = "approved", pgettext_lazy("payment batch state", "Approved")
    EXPORTED = "exported", pgettext_lazy("payment batch state", "Exported to the bank")
    PAID = "paid", pgettext_lazy("payment batch state", "Paid")
    PARTLY_FAILED = "partly_failed", pgettext_lazy("payment batch state", "Partly failed")
    CANCELLED = "cancelled", pgettext_lazy("payment batch state", "Cancelled")


# Batches whose lines are frozen and count as due (a cancelled batch voids its lines).
BUILT_STATES = frozenset(
    {
        PaymentBatchState.FROZEN,
        PaymentBatchState.APPROVED,
        PaymentBatchState.EXPORTED,
        PaymentBatchState.PAID,
        PaymentBatchState.PARTLY_FAILED,
    }
)


class PaymentLineKind(models.TextChoices):
    ALLOWANCE = "allowance", pgettext_lazy("payment line kind", "Allowance")
    ADJUSTMENT = "adjustment", pgettext_lazy("payment line kind", "Adjustment")
    CARRY_OVER = "carry_over", pgettext_lazy("payment line kind", "Failed payment carried over")


class PaymentOutcome(models.TextChoices):
    PENDING = "pending", pgettext_lazy("payment outcome", "Pending")
    PAID = "paid", pgettext_lazy("payment outcome", "Paid")
    FAILED = "failed", pgettext_lazy("payment outcome", "Failed")
    NOT_TRANSFERRED = (
        "not_transferred",
        pgettext_lazy("payment outcome", "Not transferred (to recover)"),
    )
