import datetime as dt

import pytest

from quartiere.accounts import services
from quartiere.accounts.enums import OrganisationKind, Role
from quartiere.accounts.models import Lab, Membership, Organisation, User
from quartiere.accounts.selectors import user_scope
from quartiere.accounts.tests.factories import OrganisationFactory, UserFactory
from quartiere.core.exceptions import ApplicationError
from quartiere.core.models import AuditEvent
from quartiere.territory.tests.factories import DistrictFactory

pytestmark = pytest.mark.django_db


def _group_names(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_membership_grant_adds_role_group_and_audits_when_lab_role(lab) -> None:
    user = UserFactory()

    membership = services.membership_grant(
        actor=None, user=user, role=Role.LAB_COORDINATOR, lab=lab
    )

    assert membership.is_active
    assert _group_names(user) == {"lab_coordinator"}
    fresh = User.objects.get(pk=user.pk)
    assert fresh.has_perm("people.view_sensitive_profile")
    event = AuditEvent.objects.get(action="accounts.membership_grant")
    assert event.lab_id == lab.pk
    assert event.changes == {"role": "lab_coordinator", "user": user.pk}


def test_membership_grant_refuses_lab_when_role_is_region_wide(lab) -> None:
    user = UserFactory()

    with pytest.raises(ApplicationError):
        services.membership_grant(actor=None, user=user, role=Role.REGION_OFFICIAL, lab=lab)

    assert not Membership.objects.filter(user=user).exists()
    assert _group_names(user) == set()


def test_membership_grant_refuses_missing_lab_when_role_is_lab_bound() -> None:
    with pytest.raises(ApplicationError):
        services.membership_grant(actor=None, user=UserFactory(), role=Role.LAB_OPERATOR)


def test_membership_grant_refuses_role_when_unknown(lab) -> None:
    with pytest.raises(ApplicationError):
        services.membership_grant(actor=None, user=UserFactory(), role="mayor", lab=lab)


def test_membership_grant_reactivates_membership_when_granted_again(lab) -> None:
    user = UserFactory()
    first = services.membership_grant(actor=None, user=user, role=Role.LAB_OPERATOR, lab=lab)
    Membership.objects.filter(pk=first.pk).update(is_active=False)

    again = services.membership_grant(actor=None, user=user, role=Role.LAB_OPERATOR, lab=lab)

    assert again.pk == first.pk
    assert again.is_active


def test_membership_grant_clears_cached_scope_when_user_gets_new_lab(
    make_user, lab, other_lab
) -> None:
    user = make_user(Role.LAB_OPERATOR, lab)
    assert user_scope(user).lab_ids == {lab.pk}

    services.membership_grant(actor=None, user=user, role=Role.LAB_OPERATOR, lab=other_lab)

    assert user_scope(user).lab_ids == {lab.pk, other_lab.pk}


def test_membership_revoke_keeps_group_when_same_role_active_in_another_lab(lab, other_lab) -> None:
    user = UserFactory()
    in_a = services.membership_grant(actor=None, user=user, role=Role.LAB_OPERATOR, lab=lab)
    services.membership_grant(actor=None, user=user, role=Role.LAB_OPERATOR, lab=other_lab)

    services.membership_revoke(actor=None, membership=in_a)

    in_a.refresh_from_db()
    assert not in_a.is_active
    assert _group_names(user) == {"lab_operator"}


def test_membership_revoke_removes_group_when_last_membership_of_role_ends(lab) -> None:
    user = UserFactory()
    membership = services.membership_grant(actor=None, user=user, role=Role.LAB_OPERATOR, lab=lab)

    services.membership_revoke(actor=None, membership=membership)

    assert _group_names(user) == set()
    assert AuditEvent.objects.filter(action="accounts.membership_revoke", lab_id=lab.pk).exists()


@pytest.mark.parametrize("kind", [OrganisationKind.MUNICIPALITY, OrganisationKind.ALER])
def test_lab_create_creates_lab_when_lead_partner_is_comune_or_aler(kind: str) -> None:
    partner = OrganisationFactory(kind=OrganisationKind.THIRD_SECTOR)

    lab = services.lab_create(
        actor=None,
        name="Lab Nuovo",
        slug="lab-nuovo",
        district=DistrictFactory(),
        lead_organisation=OrganisationFactory(kind=kind),
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2026, 6, 30),
        address="Via Roma 1",
        partners=[partner],
    )

    assert list(lab.partners.all()) == [partner]
    assert AuditEvent.objects.filter(action="accounts.lab_create", lab_id=lab.pk).exists()


@pytest.mark.parametrize(
    "kind",
    [
        OrganisationKind.THIRD_SECTOR,
        OrganisationKind.REGION,
        OrganisationKind.SCHOOL,
        OrganisationKind.ACCREDITED_OPERATOR,
    ],
)
def test_lab_create_refuses_lead_partner_when_not_comune_or_aler(kind: str) -> None:
    with pytest.raises(ApplicationError):
        services.lab_create(
            actor=None,
            name="Lab",
            slug="lab",
            district=DistrictFactory(),
            lead_organisation=OrganisationFactory(kind=kind),
            starts_on=dt.date(2025, 1, 1),
            ends_on=dt.date(2026, 1, 1),
            address="Via Roma 1",
        )

    assert not Lab.objects.exists()


def test_lab_create_refuses_end_when_before_start() -> None:
    with pytest.raises(ApplicationError):
        services.lab_create(
            actor=None,
            name="Lab",
            slug="lab",
            district=DistrictFactory(),
            lead_organisation=OrganisationFactory(),
            starts_on=dt.date(2025, 1, 1),
            ends_on=dt.date(2024, 1, 1),
            address="Via Roma 1",
        )


def test_organisation_create_refuses_name_when_taken() -> None:
    OrganisationFactory(name="ALER Milano")

    with pytest.raises(ApplicationError):
        services.organisation_create(actor=None, name="ALER Milano", kind=OrganisationKind.ALER)

    assert Organisation.objects.filter(name="ALER Milano").count() == 1


def test_user_create_refuses_username_when_taken() -> None:
    UserFactory(username="anna")

    with pytest.raises(ApplicationError):
        services.user_create(actor=None, username="anna", password="x")


def test_user_create_sets_password_and_audits_when_username_free() -> None:
    user = services.user_create(actor=None, username="nuovo", password="Una-password-lunga-1")

    assert user.check_password("Una-password-lunga-1")
    assert AuditEvent.objects.filter(action="accounts.user_create", target_id=str(user.pk)).exists()
