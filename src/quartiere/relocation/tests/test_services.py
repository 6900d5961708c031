"""Services of the relocation context against the database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError

from quartiere.core.exceptions import ApplicationError, InvalidTransitionError
from quartiere.core.models import AuditEvent
from quartiere.people.enums import TenancyKind
from quartiere.people.models import Tenancy
from quartiere.relocation import selectors, services
from quartiere.relocation.enums import (
    BindingConstraint,
    MoveKind,
    NeedStatus,
    OfferStatus,
    TenancySituation,
)
from quartiere.relocation.models import AreaRule, EligibilityRule, Offer, ProposedMatch
from quartiere.relocation.tests import factories as f
from quartiere.territory.enums import BuildingStatus, UnitStatus

pytestmark = pytest.mark.django_db


def _matched(plan, origin, destination, *, area=50, members=2, kind=MoveKind.PERMANENT):
    home = f.make_unit(origin, area=60)
    household = f.make_household(plan.lab, members=members, unit=home)
    unit = f.make_unit(destination, area=area)
    f.add_pool(plan, unit, kind=kind)
    need = f.make_need(plan, household)
    version = services.relocation_plan_solve(plan=plan, actor=None)
    return need, unit, version


def test_plan_create_stores_domain_defaults_when_created(plan) -> None:
    rules = {
        r.household_size: (r.min_area_m2, r.max_area_m2) for r in AreaRule.objects.filter(plan=plan)
    }

    assert rules[1] == (Decimal(28), Decimal(46))
    assert rules[6] == (Decimal(78), None)
    assert not EligibilityRule.objects.get(
        plan=plan, situation=TenancySituation.IRREGULAR_AFTER_2016, move_kind=MoveKind.PERMANENT
    ).is_allowed


def test_need_create_derives_size_unit_and_situation_when_household_has_tenancy(
    plan, origin
) -> None:
    home = f.make_unit(origin)
    household = f.make_household(plan.lab, members=3, unit=home)
    Tenancy.objects.filter(household=household).update(kind=TenancyKind.IRREGULAR_BEFORE_2016)

    need = services.need_create(actor=None, plan=plan, household=household)

    assert need.size == 3
    assert need.origin_unit == home
    assert need.situation == TenancySituation.IRREGULAR_BEFORE_2016
    assert need.status == NeedStatus.TO_ASSESS


def test_need_create_refuses_household_when_it_belongs_to_another_lab(plan, other_lab) -> None:
    household = f.make_household(other_lab)

    with pytest.raises(ApplicationError):
        services.need_create(actor=None, plan=plan, household=household)


def test_need_create_refuses_household_when_already_in_plan(plan) -> None:
    household = f.make_household(plan.lab)
    services.need_create(actor=None, plan=plan, household=household)

    with pytest.raises(ApplicationError):
        services.need_create(actor=None, plan=plan, household=household)


def test_plan_solve_stores_match_and_marks_need_matched_when_unit_is_adequate(
    plan, origin, destination
) -> None:
    need, unit, version = _matched(plan, origin, destination)

    need.refresh_from_db()
    assert version.number == 1
    assert version.matched_count == 1
    assert version.is_optimal
    match = ProposedMatch.objects.get(version=version)
    assert (match.need, match.unit) == (need, unit)
    assert "area_fit" in match.explanation["terms"]
    assert need.status == NeedStatus.MATCHED
    assert AuditEvent.objects.filter(action="relocation.plan_solve").count() == 1


def test_plan_solve_keeps_household_with_binding_constraint_when_no_unit_is_large_enough(
    plan, origin, destination
) -> None:
    household = f.make_household(plan.lab, members=6, unit=f.make_unit(origin))
    f.add_pool(plan, f.make_unit(destination, area=40))
    need = f.make_need(plan, household)

    version = services.relocation_plan_solve(plan=plan, actor=None)

    unmatched = list(selectors.version_unmatched(version=version))
    assert [u.need for u in unmatched] == [need]
    assert unmatched[0].binding_constraint == BindingConstraint.ADEQUACY
    need.refresh_from_db()
    assert need.status == NeedStatus.ASSESSED


def test_plan_solve_refuses_when_no_household_is_assessed(plan) -> None:
    f.make_need(plan, f.make_household(plan.lab), assessed=False)

    with pytest.raises(ApplicationError):
        services.relocation_plan_solve(plan=plan, actor=None)


def test_offer_accept_refuses_second_household_when_unit_already_taken(
    plan, origin, destination
) -> None:
    _need, unit, version = _matched(plan, origin, destination)
    other = f.make_need(plan, f.make_household(plan.lab, unit=f.make_unit(origin)))
    first = services.offer_make(actor=None, match=ProposedMatch.objects.get(version=version))
    # A second offer on the same unit (say, made by hand before the first answer).
    second = Offer.objects.create(need=other, unit=unit, move_kind=MoveKind.PERMANENT)
    services.offer_accept(actor=None, offer=first)

    second.refresh_from_db()
    assert second.status == OfferStatus.WITHDRAWN
    with pytest.raises(InvalidTransitionError):
        services.offer_accept(actor=None, offer=second)


def test_offer_accept_refuses_when_the_unit_has_an_accepted_offer(
    plan, origin, destination
) -> None:
    need, unit, _version = _matched(plan, origin, destination)
    other = f.make_need(plan, f.make_household(plan.lab, unit=f.make_unit(origin)))
    Offer.objects.create(need=need, unit=unit, move_kind="permanent", status="accepted")
    waiting = Offer.objects.create(need=other, unit=unit, move_kind="permanent")

    with pytest.raises(ApplicationError):
        services.offer_accept(actor=None, offer=waiting)
    waiting.refresh_from_db()
    assert waiting.status == OfferStatus.MADE


def test_offer_accept_refuses_when_accepted_twice(plan, origin, destination) -> None:
    _need, _unit, version = _matched(plan, origin, destination)
    offer = services.offer_make(actor=None, match=ProposedMatch.objects.get(version=version))
    services.offer_accept(actor=None, offer=offer)

    with pytest.raises(InvalidTransitionError):
        services.offer_accept(actor=None, offer=offer)
    assert Offer.objects.filter(status=OfferStatus.ACCEPTED).count() == 1


def test_database_refuses_two_accepted_offers_when_on_the_same_unit(
    plan, origin, destination
) -> None:
    need, unit, _version = _matched(plan, origin, destination)
    other = f.make_need(plan, f.make_household(plan.lab, unit=f.make_unit(origin)))
    Offer.objects.create(need=need, unit=unit, move_kind="permanent", status="accepted")

    with pytest.raises(IntegrityError):
        Offer.objects.create(need=other, unit=unit, move_kind="permanent", status="accepted")


def test_offer_make_refuses_unit_when_offered_to_another_household(
    plan, origin, destination
) -> None:
    _need, unit, version = _matched(plan, origin, destination)
    other = f.make_need(plan, f.make_household(plan.lab, unit=f.make_unit(origin)))
    Offer.objects.create(need=other, unit=unit, move_kind="permanent")

    with pytest.raises(ApplicationError):
        services.offer_make(actor=None, match=ProposedMatch.objects.get(version=version))


def test_offer_refuse_flags_household_when_refusals_reach_the_plan_limit(
    plan, origin, destination
) -> None:
    services.relocation_plan_update(actor=None, plan=plan, refusals_allowed=2)
    need, _unit, version = _matched(plan, origin, destination)
    for n in range(2):
        if n:
            version = services.relocation_plan_solve(plan=plan, actor=None)
        offer = services.offer_make(actor=None, match=ProposedMatch.objects.get(version=version))
        services.offer_refuse(actor=None, offer=offer, reason="Troppo lontano dalla scuola")
        need.refresh_from_db()
        assert need.refusal_count == n + 1
        assert need.is_flagged == (n == 1)
    assert need.status == NeedStatus.ASSESSED


def test_offer_refuse_requires_a_reason(plan, origin, destination) -> None:
    _need, _unit, version = _matched(plan, origin, destination)
    offer = services.offer_make(actor=None, match=ProposedMatch.objects.get(version=version))

    with pytest.raises(ApplicationError):
        services.offer_refuse(actor=None, offer=offer, reason="  ")


def test_move_record_transfers_tenancy_when_offer_accepted(plan, origin, destination) -> None:
    need, unit, version = _matched(plan, origin, destination)
    offer = services.offer_make(actor=None, match=ProposedMatch.objects.get(version=version))
    services.offer_accept(actor=None, offer=offer)
    day = dt.date(2026, 3, 1)

    move = services.move_record(actor=None, offer=offer, moved_on=day, cost_amount=Decimal("850"))

    tenancies = Tenancy.objects.filter(household=need.household).order_by("starts_on")
    assert [(t.unit_id, t.ends_on) for t in tenancies] == [
        (need.origin_unit_id, day),
        (unit.pk, None),
    ]
    unit.refresh_from_db()
    assert unit.status == UnitStatus.OCCUPIED
    assert move.payer == origin.owner
    assert move.cost_amount == Decimal("850.00")
    need.refresh_from_db()
    assert need.status == NeedStatus.MOVED


def test_move_record_refuses_when_offer_not_accepted(plan, origin, destination) -> None:
    need, _unit, version = _matched(plan, origin, destination)
    offer = services.offer_make(actor=None, match=ProposedMatch.objects.get(version=version))

    with pytest.raises(ApplicationError):
        services.move_record(actor=None, offer=offer, moved_on=dt.date(2026, 3, 1))
    assert Tenancy.objects.filter(household=need.household, ends_on__isnull=True).count() == 1


def test_plan_solve_keeps_accepted_offer_when_a_better_unit_appears(
    plan, origin, destination
) -> None:
    need, unit, version = _matched(plan, origin, destination, area=40)
    offer = services.offer_make(actor=None, match=ProposedMatch.objects.get(version=version))
    services.offer_accept(actor=None, offer=offer)
    better = f.make_unit(origin, area=46)  # closer to home, better fit
    f.add_pool(plan, better)

    second = services.relocation_plan_solve(plan=plan, actor=None)

    match = ProposedMatch.objects.get(version=second, need=need)
    assert match.unit == unit
    assert match.is_locked
    need.refresh_from_db()
    assert need.status == NeedStatus.ACCEPTED


def test_ready_to_return_lists_temporary_move_when_original_building_inhabited_again(
    plan, origin, destination
) -> None:
    need, _unit, version = _matched(plan, origin, destination, kind=MoveKind.TEMPORARY)
    offer = services.offer_make(actor=None, match=ProposedMatch.objects.get(version=version))
    services.offer_accept(actor=None, offer=offer)
    origin.status = BuildingStatus.UNDER_WORKS
    origin.save()
    move = services.move_record(actor=None, offer=offer, moved_on=dt.date(2026, 3, 1))
    assert move.has_right_to_return
    assert not selectors.ready_to_return_list(plan=plan).exists()

    origin.status = BuildingStatus.INHABITED
    origin.save()

    assert list(selectors.ready_to_return_list(plan=plan)) == [move]
    services.move_return(actor=None, move=move, returned_on=dt.date(2027, 9, 1))
    need.refresh_from_db()
    assert need.status == NeedStatus.RETURNED
    assert (
        Tenancy.objects.get(household=need.household, ends_on__isnull=True).unit == need.origin_unit
    )


def test_area_rules_save_refuses_range_when_maximum_below_minimum(plan) -> None:
    with pytest.raises(ApplicationError):
        services.area_rules_save(actor=None, plan=plan, ranges={1: (Decimal(40), Decimal(30))})


def test_database_refuses_the_same_unit_twice_when_in_one_plan_version(
    plan, origin, destination
) -> None:
    _need, unit, version = _matched(plan, origin, destination)
    other = f.make_need(plan, f.make_household(plan.lab, unit=f.make_unit(origin)))

    with pytest.raises(IntegrityError):
        ProposedMatch.objects.create(version=version, need=other, unit=unit, move_kind="permanent")


def test_role_migration_grants_relocation_capabilities_when_applied() -> None:
    from django.contrib.auth.models import Group

    def perms(role: str) -> set[str]:
        return set(
            Group.objects.get(name=role)
            .permissions.filter(content_type__app_label="relocation")
            .values_list("codename", flat=True)
        )

    assert {"change_arearule", "view_meeting_note", "solve_relocationplan"} <= perms(
        "lab_coordinator"
    )
    assert "view_meeting_note" not in perms("housing_staff")
    assert "change_arearule" not in perms("lab_operator")
    assert not perms("region_official")


def test_need_update_sends_household_back_to_assessed_when_matched_needs_change(
    plan, origin, destination
) -> None:
    need, _unit, _version = _matched(plan, origin, destination)

    services.need_update(actor=None, need=need, needs_accessible=True)

    need.refresh_from_db()
    assert need.status == NeedStatus.ASSESSED


def test_offer_make_refuses_unit_when_it_left_the_pool(plan, origin, destination) -> None:
    _need, _unit, version = _matched(plan, origin, destination)
    services.pool_unit_remove(actor=None, entry=plan.pool.get())

    with pytest.raises(ApplicationError):
        services.offer_make(actor=None, match=ProposedMatch.objects.get(version=version))
