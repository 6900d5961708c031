"""The demo relocation plans: the via Lorenteggio 181 case and a larger phase, solved."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from quartiere.people.models import Tenancy
from quartiere.relocation.enums import NeedStatus, OfferStatus
from quartiere.relocation.models import Move, Offer, PlanVersion, RelocationPlan, UnmatchedNeed

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            call_command("seed_demo", scale="tiny", seed=5, stdout=io.StringIO())
            yield
            transaction.set_rollback(True)


def test_seed_demo_solves_both_plans_when_tiny(seeded) -> None:
    plans = {p.name: p for p in RelocationPlan.objects.all()}

    assert set(plans) == {"Via Lorenteggio 181", "Quadrilatero Lorenteggio, secondo lotto"}
    for plan in plans.values():
        version = PlanVersion.objects.filter(plan=plan).order_by("-number").first()
        assert version is not None
        assert version.matched_count > 0
        assert version.is_optimal


def test_seed_demo_records_every_answer_and_moves_when_tiny(seeded) -> None:
    statuses = set(Offer.objects.values_list("status", flat=True))

    assert {OfferStatus.ACCEPTED, OfferStatus.REFUSED, OfferStatus.MADE} <= statuses
    move = Move.objects.select_related("need__household").first()
    assert move is not None
    assert move.need.status == NeedStatus.MOVED
    open_tenancy = Tenancy.objects.get(household=move.need.household, ends_on__isnull=True)
    assert open_tenancy.unit_id == move.to_unit_id


def test_seed_demo_keeps_unmatched_households_with_a_reason_when_tiny(seeded) -> None:
    for version in PlanVersion.objects.all():
        stored = version.matches.count() + UnmatchedNeed.objects.filter(version=version).count()
        assert stored == version.need_count
    assert not UnmatchedNeed.objects.filter(binding_constraint="").exists()
