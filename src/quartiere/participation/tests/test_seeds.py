from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from quartiere.participation import services, workflow
from quartiere.participation.enums import PhaseKind, ProposalStatus
from quartiere.participation.models import Process, ProcessWorkshop, Proposal, Support

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def seeded(db):  # type: ignore[no-untyped-def]
    import io

    call_command("seed_demo", scale="tiny", seed=1, stdout=io.StringIO())


def test_seed_creates_the_giambellino_process_with_three_workshops(seeded):
    process = Process.objects.get(slug="giambellino-129")
    assert ProcessWorkshop.objects.filter(process=process).count() == 3
    assert Proposal.objects.filter(process=process, status=ProposalStatus.ACCEPTED).exists()
    assert Support.objects.filter(proposal__process=process).exists()


def test_seed_opens_supports_today_in_lorenteggio_for_the_demo_resident(seeded):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="residente.lorenteggio")
    process = Process.objects.get(slug="cortili-via-segneri")
    assert (
        workflow.phase_closed_reason(process.phases.all(), PhaseKind.SUPPORTS, timezone.localdate())
        is None
    )
    proposal = process.proposals.filter(status=ProposalStatus.PUBLISHED).first()
    services.support_add(proposal=proposal, user=user)


def test_seed_opens_supports_today_in_bollate(seeded):
    process = Process.objects.get(slug="piazza-martesana-bollate")
    phase = process.phases.get(kind=PhaseKind.SUPPORTS)
    assert phase.is_in_force(timezone.localdate())


def test_seed_links_giambellino_to_the_programme_action(seeded):
    from quartiere.programme.selectors import action_by_key

    action = action_by_key(programme_slug="lorenteggio", key="giambellino-129")
    assert action is not None
    process = Process.objects.get(slug="giambellino-129")
    assert process.action == action
    accepted = process.proposals.filter(status=ProposalStatus.ACCEPTED).first()
    assert accepted.outcome_action == action
