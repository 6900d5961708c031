import pytest
from django.contrib.auth.models import AnonymousUser

from quartiere.accounts.enums import LabStatus, Role
from quartiere.accounts.selectors import (
    EMPTY_SCOPE,
    lab_get,
    lab_list,
    membership_list,
    public_lab_get,
    public_lab_list,
    user_scope,
)
from quartiere.accounts.services import membership_grant
from quartiere.accounts.tests.factories import LabFactory

pytestmark = pytest.mark.django_db


def test_user_scope_is_empty_when_user_is_anonymous() -> None:
    assert user_scope(AnonymousUser()) == EMPTY_SCOPE


@pytest.mark.parametrize(
    "role",
    [
        Role.LAB_OPERATOR,
        Role.LAB_COORDINATOR,
        Role.HOUSING_STAFF,
        Role.TRAINING_OPERATOR,
        Role.RESIDENT,
    ],
)
def test_user_scope_holds_only_own_lab_when_role_is_lab_bound(
    make_user, lab, other_lab, role: str
) -> None:
    user = make_user(role, lab)

    scope = user_scope(user)

    assert not scope.all_labs
    assert scope.lab_ids == {lab.pk}
    assert scope.district_ids == {lab.district_id}
    assert scope.roles == {role}
    assert scope.lab_filter == {lab.pk}
    assert scope.sees_lab(lab.pk)
    assert not scope.sees_lab(other_lab.pk)
    assert not scope.sees_lab(None)
    assert not scope.sees_district(other_lab.district_id)


@pytest.mark.parametrize("role", [Role.REGION_OFFICIAL, Role.EVALUATOR])
def test_user_scope_sees_every_lab_when_role_is_region_wide(
    make_user, lab, other_lab, role: str
) -> None:
    user = make_user(role)

    scope = user_scope(user)

    assert scope.all_labs
    assert scope.lab_ids == {lab.pk, other_lab.pk}
    assert scope.district_ids == {lab.district_id, other_lab.district_id}
    assert scope.lab_filter is None
    assert scope.sees_lab(other_lab.pk)
    assert scope.sees_district(other_lab.district_id)


def test_user_scope_sees_every_lab_when_user_is_superuser(make_user, lab, other_lab) -> None:
    scope = user_scope(make_user(is_superuser=True))

    assert scope.all_labs
    assert scope.lab_ids == {lab.pk, other_lab.pk}


def test_user_scope_joins_labs_when_user_works_in_several(make_user, lab, other_lab) -> None:
    user = make_user(Role.LAB_OPERATOR, lab)
    membership_grant(actor=None, user=user, role=Role.LAB_COORDINATOR, lab=other_lab)

    scope = user_scope(user)

    assert scope.lab_ids == {lab.pk, other_lab.pk}
    assert scope.roles == {Role.LAB_OPERATOR, Role.LAB_COORDINATOR}


def test_user_scope_ignores_membership_when_inactive(make_user, lab) -> None:
    user = make_user(Role.LAB_OPERATOR, lab)
    user.memberships.update(is_active=False)

    assert user_scope(user).lab_ids == frozenset()


def test_user_scope_is_empty_when_user_has_no_membership(make_user, lab) -> None:
    scope = user_scope(make_user())

    assert scope == EMPTY_SCOPE


def test_user_scope_runs_no_query_when_asked_twice(
    make_user, lab, django_assert_num_queries
) -> None:
    user = make_user(Role.LAB_OPERATOR, lab)
    first = user_scope(user)

    with django_assert_num_queries(0):
        assert user_scope(user) is first


def test_lab_list_returns_only_own_labs_when_lab_staff(operator, lab, other_lab) -> None:
    assert list(lab_list(user=operator)) == [lab]
    assert lab_get(user=operator, pk=other_lab.pk) is None


def test_lab_list_returns_every_lab_when_region_official(region_official, lab, other_lab) -> None:
    assert set(lab_list(user=region_official)) == {lab, other_lab}


def test_public_lab_list_hides_lab_when_closed(lab) -> None:
    LabFactory(status=LabStatus.CLOSED, slug="closed")

    assert list(public_lab_list()) == [lab]
    assert public_lab_get(slug="closed") is None
    assert public_lab_get(slug=lab.slug) == lab


def test_membership_list_drops_membership_when_inactive(operator, lab) -> None:
    assert [m.lab for m in membership_list(user=operator)] == [lab]

    operator.memberships.update(is_active=False)

    assert not membership_list(user=operator).exists()
