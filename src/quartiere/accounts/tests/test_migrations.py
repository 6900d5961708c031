"""The data migrations give each role (a Django group) its capabilities."""

import pytest
from django.contrib.auth.models import Group

from quartiere.accounts.enums import Role

pytestmark = pytest.mark.django_db


def _perms(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_role_groups_exist_for_every_role_when_migrated() -> None:
    assert set(Role.values) <= set(Group.objects.values_list("name", flat=True))


@pytest.mark.parametrize(
    ("role", "granted", "refused"),
    [
        (
            Role.LAB_COORDINATOR,
            {
                "people.view_resident",
                "people.add_resident",
                "people.view_sensitive_profile",
                "people.change_sensitive_profile",
                "people.import_residents",
                "territory.import_units",
                "territory.view_building",
                "core.view_auditevent",
                "core.view_accessevent",
                "accounts.view_lab",
            },
            set(),
        ),
        (
            Role.LAB_OPERATOR,
            {
                "people.view_resident",
                "people.add_resident",
                "people.change_resident",
                "people.add_consent",
                "territory.view_unit",
            },
            {
                "people.view_sensitive_profile",
                "people.change_sensitive_profile",
                "people.import_residents",
                "territory.import_units",
                "core.view_auditevent",
            },
        ),
        (
            Role.HOUSING_STAFF,
            {"people.view_resident", "territory.change_unit", "territory.change_building"},
            {"people.add_resident", "people.view_sensitive_profile", "core.view_auditevent"},
        ),
        (
            Role.REGION_OFFICIAL,
            {"core.view_auditevent", "territory.view_building", "accounts.view_lab"},
            {"people.view_resident", "people.view_sensitive_profile", "people.add_resident"},
        ),
        (Role.EVALUATOR, {"accounts.view_lab"}, {"people.view_resident"}),
        (Role.RESIDENT, set(), {"people.view_resident", "accounts.view_lab"}),
    ],
)
def test_role_has_key_capabilities_when_migrated(
    role: str, granted: set[str], refused: set[str]
) -> None:
    perms = _perms(role)

    assert granted <= perms
    assert not (refused & perms)


def test_no_role_may_delete_residents_when_migrated() -> None:
    holders = Group.objects.filter(permissions__codename="delete_resident")

    assert not holders.exists()
