from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from quartiere.accounts.enums import Role
from quartiere.core.exceptions import ApplicationError, InvalidTransitionError
from quartiere.core.models import AuditEvent
from quartiere.monitoring.models import Participation
from quartiere.participation import selectors, services
from quartiere.participation.enums import CommentStatus, PhaseKind, ProposalStatus
from quartiere.participation.models import ProposalStatusChange, Support
from quartiere.participation.tests.factories import (
    CommentFactory,
    PhaseFactory,
    ProcessFactory,
    ProposalFactory,
    SupportFactory,
)
from quartiere.people.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def _english():
    return translation.override("en")


# --- Supports -------------------------------------------------------------------------------


def test_support_add_records_a_support_when_phase_open(proposal, verified):
    services.support_add(proposal=proposal, user=verified)
    assert Support.objects.filter(proposal=proposal).count() == 1


def test_support_add_refuses_a_second_support_from_the_same_resident(proposal, verified):
    services.support_add(proposal=proposal, user=verified)
    with _english(), pytest.raises(ApplicationError, match="already support"):
        services.support_add(proposal=proposal, user=verified)
    assert Support.objects.filter(proposal=proposal).count() == 1


def test_support_unique_constraint_holds_in_the_database(proposal, verified):
    resident = verified.resident_record
    SupportFactory(proposal=proposal, resident=resident)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(proposal=proposal, resident=resident)


def test_support_add_refuses_before_the_phase_with_the_opening_date(lab, verified):
    process = ProcessFactory(lab=lab)
    starts = timezone.localdate() + dt.timedelta(days=3)
    PhaseFactory(process=process, starts_on=starts, ends_on=starts + dt.timedelta(days=9))
    proposal = ProposalFactory(process=process)
    with _english(), pytest.raises(ApplicationError, match="Supports open on") as exc:
        services.support_add(proposal=proposal, user=verified)
    assert str(starts.year) in exc.value.message
    assert not Support.objects.exists()


def test_support_add_refuses_after_the_phase_with_the_closing_date(lab, verified):
    process = ProcessFactory(lab=lab)
    ends = timezone.localdate() - dt.timedelta(days=1)
    PhaseFactory(process=process, starts_on=ends - dt.timedelta(days=9), ends_on=ends)
    proposal = ProposalFactory(process=process)
    with _english(), pytest.raises(ApplicationError, match="Supports closed on"):
        services.support_add(proposal=proposal, user=verified)


def test_support_add_refuses_a_resident_not_verified(proposal, make_user, lab):
    user = make_user(Role.RESIDENT, lab, username="unverified")
    ResidentFactory(lab=lab, user=user, verified_at=None)
    with _english(), pytest.raises(ApplicationError, match="verified"):
        services.support_add(proposal=proposal, user=user)


def test_support_add_refuses_a_user_without_resident_record(proposal, operator):
    with pytest.raises(ApplicationError):
        services.support_add(proposal=proposal, user=operator)


def test_support_add_refuses_a_resident_of_another_district(proposal, make_user, other_lab):
    user = make_user(Role.RESIDENT, other_lab, username="elsewhere")
    ResidentFactory(lab=other_lab, user=user, verified_at=timezone.now())
    with _english(), pytest.raises(ApplicationError, match="district"):
        services.support_add(proposal=proposal, user=user)


def test_support_add_refuses_a_proposal_not_published(process, verified):
    proposal = ProposalFactory(process=process, status=ProposalStatus.SUBMITTED)
    with pytest.raises(ApplicationError):
        services.support_add(proposal=proposal, user=verified)


def test_support_add_records_the_resident_as_esf_participant(proposal, verified):
    services.support_add(proposal=proposal, user=verified)
    row = Participation.objects.get()
    assert row.operation_key == f"participation.process:{proposal.process_id}"
    assert row.kind == "participatory"


def test_support_withdraw_removes_the_support_during_the_phase(proposal, verified):
    services.support_add(proposal=proposal, user=verified)
    services.support_withdraw(proposal=proposal, user=verified)
    assert not Support.objects.exists()
    assert AuditEvent.objects.filter(action="participation.support_withdraw").exists()


def test_support_withdraw_refuses_when_no_support_was_given(proposal, verified):
    with pytest.raises(ApplicationError):
        services.support_withdraw(proposal=proposal, user=verified)


def test_support_counts_and_threshold_flag(process, proposal):
    for _ in range(3):
        SupportFactory(proposal=proposal, resident=ResidentFactory(lab=process.lab))
    other = ProposalFactory(process=process)
    rows = {p.pk: p for p in selectors.proposal_public_list(process=process)}
    assert rows[proposal.pk].support_count == 3
    assert rows[proposal.pk].threshold_reached
    assert rows[other.pk].support_count == 0
    assert not rows[other.pk].threshold_reached


# --- Proposals ------------------------------------------------------------------------------


def test_proposal_submit_takes_a_proposal_in_the_proposals_phase(process, verified):
    proposal = services.proposal_submit(
        process=process, user=verified, title="Panchine", description="x" * 30
    )
    assert proposal.status == ProposalStatus.SUBMITTED
    assert proposal.author_public == "Amina E."
    assert proposal.status_changes.count() == 1
    assert Participation.objects.filter(operation_key__endswith=str(process.pk)).exists()


def test_proposal_submit_refuses_outside_the_proposals_phase(lab, verified):
    process = ProcessFactory(lab=lab)
    PhaseFactory(process=process, kind=PhaseKind.SUPPORTS)
    with pytest.raises(ApplicationError):
        services.proposal_submit(
            process=process, user=verified, title="Panchine", description="x" * 30
        )


def test_proposal_submit_gives_field_errors_for_short_texts(process, verified):
    with pytest.raises(ApplicationError) as exc:
        services.proposal_submit(process=process, user=verified, title="", description="corto")
    assert set(exc.value.fields) == {"title", "description"}


def test_proposal_enter_records_who_entered_it_and_for_whom(process, operator):
    proposal = services.proposal_enter(
        actor=operator,
        process=process,
        title="Orti",
        description="Orti condivisi nel cortile della scala B.",
        author_name="Giuseppe Verdi",
    )
    assert proposal.submitted_by == operator
    assert proposal.author_name == "Giuseppe Verdi"
    assert proposal.author_public == "Giuseppe V."


def test_proposal_enter_refuses_without_an_author(process, operator):
    with pytest.raises(ApplicationError) as exc:
        services.proposal_enter(actor=operator, process=process, title="Orti", description="x" * 30)
    assert "resident" in exc.value.fields


def test_proposal_publish_then_decide_records_the_history(proposal, coordinator):
    proposal.status = ProposalStatus.SUBMITTED
    proposal.save()
    services.proposal_publish(proposal=proposal, actor=coordinator)
    services.proposal_evaluate(proposal=proposal, actor=coordinator)
    decided = services.proposal_decide(
        proposal=proposal,
        actor=coordinator,
        outcome=ProposalStatus.PARTLY_ACCEPTED,
        reason="Solo in parte.",
    )
    assert decided.status == ProposalStatus.PARTLY_ACCEPTED
    assert decided.outcome_reason == "Solo in parte."
    assert ProposalStatusChange.objects.filter(proposal=proposal).count() == 3


def test_proposal_decide_requires_a_reason(proposal, coordinator):
    with pytest.raises(ApplicationError) as exc:
        services.proposal_decide(
            proposal=proposal, actor=coordinator, outcome=ProposalStatus.REJECTED, reason=" "
        )
    assert "reason" in exc.value.fields


def test_proposal_decide_refuses_a_second_outcome(proposal, coordinator):
    services.proposal_decide(
        proposal=proposal, actor=coordinator, outcome=ProposalStatus.REJECTED, reason="No."
    )
    with pytest.raises(InvalidTransitionError):
        services.proposal_decide(
            proposal=proposal, actor=coordinator, outcome=ProposalStatus.ACCEPTED, reason="Si."
        )


def test_proposal_refuse_requires_a_reason(process, coordinator):
    proposal = ProposalFactory(process=process, status=ProposalStatus.SUBMITTED)
    with pytest.raises(ApplicationError):
        services.proposal_refuse(proposal=proposal, actor=coordinator, reason="")


# --- Comments and phases --------------------------------------------------------------------


def test_comment_post_waits_for_moderation(proposal, verified):
    comment = services.comment_post(proposal=proposal, user=verified, body="Bella idea")
    assert comment.status == CommentStatus.PENDING
    assert not selectors.comment_public_list(proposal=proposal).exists()


def test_comment_hide_requires_a_reason_and_hides_it(proposal, coordinator):
    comment = CommentFactory(proposal=proposal, status=CommentStatus.APPROVED)
    with pytest.raises(ApplicationError):
        services.comment_hide(comment=comment, actor=coordinator, reason="")
    services.comment_hide(comment=comment, actor=coordinator, reason="Offensivo")
    assert not selectors.comment_public_list(proposal=proposal).exists()
    assert AuditEvent.objects.filter(action="participation.comment_hidden").exists()


def test_phase_save_refuses_a_second_phase_of_the_same_kind(process, coordinator):
    today = timezone.localdate()
    with pytest.raises(ApplicationError) as exc:
        services.phase_save(
            actor=coordinator,
            process=process,
            kind=PhaseKind.SUPPORTS,
            starts_on=today,
            ends_on=today,
        )
    assert "kind" in exc.value.fields


def test_phase_save_refuses_an_end_before_the_start(process, coordinator):
    today = timezone.localdate()
    with pytest.raises(ApplicationError) as exc:
        services.phase_save(
            actor=coordinator,
            process=process,
            kind=PhaseKind.RESULTS,
            starts_on=today,
            ends_on=today - dt.timedelta(days=1),
        )
    assert "ends_on" in exc.value.fields
