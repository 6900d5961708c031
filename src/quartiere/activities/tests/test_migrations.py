"""The role capabilities granted by migration 0002_role_permissions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db


def _codenames(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return set(
        group.permissions.filter(content_type__app_label="activities").values_list(
            "codename", flat=True
        )
    )


def test_lab_staff_manage_activities_and_see_figures():
    for role in ("lab_coordinator", "lab_operator"):
        assert {"manage_activity", "view_activity_figures"} <= _codenames(role)


def test_region_official_sees_figures_only():
    assert _codenames("region_official") == {"view_activity_figures"}


def test_training_operator_gets_nothing_on_activities():
    assert _codenames("training_operator") == set()
