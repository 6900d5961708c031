"""Reads about users, labs and what each user may see (the scope every selector starts from)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from quartiere.accounts import authcache
from quartiere.accounts.enums import REGION_WIDE_ROLES, LabStatus, Role
from quartiere.accounts.models import Lab, Membership, Organisation
from quartiere.core import compiled


@dataclass(frozen=True)
class Scope:
    """The labs and districts a user works in; ``all_labs`` for region-wide roles; the
    organisations the user acts for (housing staff: their queue of forwarded reports)."""

    all_labs: bool
    lab_ids: frozenset[int]
    district_ids: frozenset[int]
    roles: frozenset[str]
    organisation_ids: frozenset[int] = frozenset()

    @property
    def lab_filter(self) -> frozenset[int] | None:
        """Lab ids to filter on, or None when every lab is visible."""
        return None if self.all_labs else self.lab_ids

    def sees_lab(self, lab_id: int | None) -> bool:
        return self.all_labs or (lab_id is not None and lab_id in self.lab_ids)

    def sees_district(self, district_id: int | None) -> bool:
        return self.all_labs or (district_id is not None and district_id in self.district_ids)


EMPTY_SCOPE = Scope(False, frozenset(), frozenset(), frozenset())


def user_scope(user: Any) -> Scope:
    """Return the labs a user belongs to through active memberships (cached per request)."""
    if not getattr(user, "is_authenticated", False):
        return EMPTY_SCOPE
    cached = getattr(user, "_quartiere_scope", None)
    if cached is not None:
        return cached
    scope = authcache.cached(user.pk, "scope", lambda: _build_scope(user))
    user._quartiere_scope = scope
    return scope


def _build_scope(user: Any) -> Scope:
    rows = list(
        Membership.objects.filter(user=user, is_active=True).values_list(
            "role", "lab_id", "lab__district_id", "organisation_id"
        )
    )
    roles = frozenset(row[0] for row in rows)
    organisation_ids = frozenset(row[3] for row in rows if row[3] is not None)
    all_labs = bool(getattr(user, "is_superuser", False)) or bool(roles & REGION_WIDE_ROLES)
    if all_labs:
        labs = list(Lab.objects.values_list("id", "district_id"))
        scope = Scope(
            True,
            frozenset(i for i, _ in labs),
            frozenset(d for _, d in labs),
            roles,
            organisation_ids,
        )
    else:
        scope = Scope(
            False,
            frozenset(row[1] for row in rows if row[1] is not None),
            frozenset(row[2] for row in rows if row[2] is not None),
            roles,
            organisation_ids,
        )
    return scope


def lab_list(*, user: Any) -> QuerySet[Lab]:
    """List the labs the user may see, with their district and lead partner."""
    qs = Lab.objects.select_related("district", "lead_organisation")
    scope = user_scope(user)
    if not scope.all_labs:
        qs = qs.filter(pk__in=scope.lab_ids)
    return qs.order_by("name")


def lab_get(*, user: Any, pk: int) -> Lab | None:
    """Return one visible lab, or None when it does not exist or is outside the user's scope."""
    return lab_list(user=user).filter(pk=pk).first()


def public_lab_list() -> QuerySet[Lab]:
    """List the labs shown on the public portal (not closed), with public fields only."""
    return (
        Lab.objects.exclude(status=LabStatus.CLOSED)
        .select_related("district", "lead_organisation")
        .only(
            "id",
            "name",
            "slug",
            "modality",
            "address",
            "opening_hours",
            "phone",
            "email",
            "status",
            "district__name",
            "district__municipality",
            "lead_organisation__name",
        )
        .order_by("name")
    )


def public_lab_get(*, slug: str) -> Lab | None:
    """Return a public lab by its short name."""
    return public_lab_list().filter(slug=slug).first()


def organisation_list() -> QuerySet[Organisation]:
    """List every organisation (reference data, no personal data)."""
    return Organisation.objects.order_by("name")


def membership_list(*, user: Any) -> QuerySet[Membership]:
    """List the user's own active memberships, with their labs."""
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("lab", "organisation")
        .order_by("lab__name", "role")
    )


def user_organisation_ids(user: Any) -> frozenset[int]:
    """Return the organisations the user acts for through active memberships (part of the
    user's scope, read with it)."""
    return user_scope(user).organisation_ids


def lab_staff_list(*, lab_id: int) -> QuerySet[Any]:
    """List the users with an active staff membership in a lab (to assign work to)."""
    from django.contrib.auth import get_user_model

    staff_roles = [Role.LAB_COORDINATOR, Role.LAB_OPERATOR, Role.HOUSING_STAFF]
    return (
        get_user_model()
        .objects.filter(
            memberships__lab_id=lab_id,
            memberships__is_active=True,
            memberships__role__in=staff_roles,
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def lab_staff_choices(*, lab_id: int) -> list[tuple[int, str, str, str]]:
    """(id, first name, last name, username) of ``lab_staff_list``, in its order, for a select
    box (compiled once: core/compiled.py)."""
    return compiled.rows("accounts.lab_staff_choices", _lab_staff_choice_qs, lab_id=lab_id)


def _lab_staff_choice_qs(*, lab_id: int) -> QuerySet[Any]:
    return lab_staff_list(lab_id=lab_id).values_list("pk", "first_name", "last_name", "username")
