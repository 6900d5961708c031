"""Who may do what with payment batches, beyond the capabilities their roles grant."""

from __future__ import annotations

from typing import Any

from quartiere.training import payments_workflow as workflow
from quartiere.training.models import PaymentBatch
from quartiere.training.payments_enums import PaymentBatchState


def can_build_payment_batch(user: Any, batch: PaymentBatch) -> bool:
    """Lab coordinators build and rebuild a batch until it is approved."""
    return bool(user.has_perm("training.add_paymentbatch")) and workflow.can_transition(
        batch.state, PaymentBatchState.FROZEN
    )


def can_approve_payment_batch(user: Any, batch: PaymentBatch) -> bool:
    """A second person holding the capability approves a frozen batch: never its builder."""
    return (
        bool(user.has_perm("training.approve_paymentbatch"))
        and batch.state == PaymentBatchState.FROZEN
        and batch.built_by_id != user.pk
        and batch.line_count > 0
    )


def can_export_payment_batch(user: Any, batch: PaymentBatch) -> bool:
    """The export capability exports an approved batch (once) and downloads its file."""
    return bool(user.has_perm("training.export_paymentbatch")) and batch.state in {
        PaymentBatchState.APPROVED,
        PaymentBatchState.EXPORTED,
        PaymentBatchState.PAID,
        PaymentBatchState.PARTLY_FAILED,
    }


def can_record_outcome(user: Any, batch: PaymentBatch) -> bool:
    """The export capability records the bank's outcome of an exported batch."""
    return bool(user.has_perm("training.export_paymentbatch")) and batch.state in {
        PaymentBatchState.EXPORTED,
        PaymentBatchState.PARTLY_FAILED,
        PaymentBatchState.PAID,
    }


def can_cancel_payment_batch(user: Any, batch: PaymentBatch) -> bool:
    """Builders cancel a batch before it is exported."""
    return bool(user.has_perm("training.add_paymentbatch")) and workflow.can_transition(
        batch.state, PaymentBatchState.CANCELLED
    )
