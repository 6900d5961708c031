"""Capabilities granted by the data migration, and the workflow table of payment batches."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from quartiere.core.exceptions import InvalidTransitionError
from quartiere.training import payments_workflow as workflow
from quartiere.training.payments_enums import PaymentBatchState as S


def _codenames(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return set(
        group.permissions.filter(content_type__app_label="training").values_list(
            "codename", flat=True
        )
    )


@pytest.mark.django_db
def test_coordinators_build_approve_and_export():
    assert {"add_paymentbatch", "approve_paymentbatch", "export_paymentbatch"} <= _codenames(
        "lab_coordinator"
    )


@pytest.mark.django_db
def test_region_officials_approve_but_do_not_build_or_export():
    codenames = _codenames("region_official")

    assert "approve_paymentbatch" in codenames
    assert not {"add_paymentbatch", "export_paymentbatch"} & codenames


@pytest.mark.django_db
def test_lab_operators_have_no_payment_capability():
    assert not {c for c in _codenames("lab_operator") if "payment" in c}


def test_workflow_exports_only_approved_batches():
    assert workflow.allowed_targets(S.APPROVED) >= {S.EXPORTED}
    with pytest.raises(InvalidTransitionError):
        workflow.ensure_transition(S.FROZEN, S.EXPORTED)


def test_workflow_exported_batch_cannot_be_cancelled_or_rebuilt():
    assert not workflow.can_transition(S.EXPORTED, S.CANCELLED)
    assert not workflow.can_transition(S.EXPORTED, S.FROZEN)


def test_workflow_refuses_builder_as_approver():
    with pytest.raises(workflow.SelfApprovalError):
        workflow.ensure_not_builder(built_by_id=7, approver_id=7)
