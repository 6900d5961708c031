"""Writes on users, organisations, labs and memberships."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from quartiere.accounts.enums import REGION_WIDE_ROLES, LabModality, LabStatus, Role
from quartiere.accounts.models import Lab, Membership, Organisation, User
from quartiere.core import audit
from quartiere.core.exceptions import ApplicationError


@transaction.atomic
def organisation_create(*, actor: Any, name: str, kind: str, **fields: Any) -> Organisation:
    """Create an organisation; its name must be unique."""
    if Organisation.objects.filter(name=name).exists():
        raise ApplicationError(f"An organisation named {name!r} already exists.")
    org = Organisation.objects.create(name=name, kind=kind, **fields)
    audit.record(actor=actor, action="accounts.organisation_create", target=org)
    return org


@transaction.atomic
def lab_create(
    *,
    actor: Any,
    name: str,
    slug: str,
    district: Any,
    lead_organisation: Organisation,
    starts_on: dt.date,
    ends_on: dt.date,
    address: str,
    modality: str = LabModality.REGIONAL_CALL,
    partners: list[Organisation] | None = None,
    status: str = LabStatus.ACTIVE,
    **fields: Any,
) -> Lab:
    """Create a lab; the lead partner must be a Comune or an ALER and it lasts at most 24 months."""
    if lead_organisation.kind not in {"municipality", "aler"}:
        raise ApplicationError(_("The lead partner of a lab must be a Comune or an ALER."))
    if ends_on < starts_on:
        raise ApplicationError(_("A lab cannot end before it starts."))
    lab = Lab.objects.create(
        name=name,
        slug=slug,
        district=district,
        lead_organisation=lead_organisation,
        starts_on=starts_on,
        ends_on=ends_on,
        address=address,
        modality=modality,
        status=status,
        **fields,
    )
    if partners:
        lab.partners.set(partners)
    audit.record(actor=actor, action="accounts.lab_create", target=lab, lab_id=lab.pk)
    return lab


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str | None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    is_staff: bool = False,
) -> User:
    """Create a user account; the user name must be free."""
    if User.objects.filter(username=username).exists():
        raise ApplicationError(f"The user name {username!r} is taken.")
    user = User.objects.create_user(
        username=username,
        password=password,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=is_staff,
    )
    audit.record(actor=actor, action="accounts.user_create", target=user, label=username)
    return user


@transaction.atomic
def membership_grant(
    *,
    actor: Any,
    user: User,
    role: str,
    lab: Lab | None = None,
    organisation: Organisation | None = None,
) -> Membership:
    """Give a user a role (in a lab unless region-wide) and the matching group's capabilities."""
    if role not in Role.values:
        raise ApplicationError(f"Unknown role {role!r}.")
    if role in REGION_WIDE_ROLES and lab is not None:
        raise ApplicationError(_("A region-wide role is not tied to one lab."))
    if role not in REGION_WIDE_ROLES and lab is None:
        raise ApplicationError(_("This role needs a lab."))
    membership, _created = Membership.objects.update_or_create(
        user=user, role=role, lab=lab, defaults={"organisation": organisation, "is_active": True}
    )
    user.groups.add(Group.objects.get(name=role))
    if hasattr(user, "_quartiere_scope"):
        del user._quartiere_scope
    audit.record(
        actor=actor,
        action="accounts.membership_grant",
        target=membership,
        lab_id=lab.pk if lab else None,
        changes={"role": role, "user": user.pk},
    )
    return membership


@transaction.atomic
def membership_revoke(*, actor: Any, membership: Membership) -> None:
    """End a membership; the group goes when no other active membership has that role."""
    membership.is_active = False
    membership.save(update_fields=["is_active", "updated_at"])
    still = Membership.objects.filter(
        user=membership.user, role=membership.role, is_active=True
    ).exists()
    if not still:
        membership.user.groups.remove(Group.objects.get(name=membership.role))
    audit.record(
        actor=actor,
        action="accounts.membership_revoke",
        target=membership,
        lab_id=membership.lab_id,
    )


# --- Two-factor authentication (TOTP) -----------------------------------------------------


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """Create a new, unconfirmed authenticator for the user (replacing an unconfirmed one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, user: User, device: TOTPDevice, token: str) -> TOTPDevice:
    """Confirm an authenticator with a code it shows; raise ApplicationError if wrong."""
    if device.user_id != user.pk or device.confirmed:
        raise ApplicationError(_("This authenticator cannot be confirmed."))
    if not token.strip().isdigit() or not device.verify_token(token.strip()):
        raise ApplicationError(_("The code is not valid: check the time on your phone and retry."))
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(actor=user, action="accounts.totp_device_confirm", target=user)
    return device


@transaction.atomic
def totp_device_remove(*, actor: Any, user: User) -> int:
    """Remove the user's authenticators (after losing a phone); returns how many."""
    removed, _by_model = TOTPDevice.objects.filter(user=user).delete()
    audit.record(actor=actor, action="accounts.totp_device_remove", target=user)
    return removed
