"""The auth cache: no per-request queries for the user's context, and every change seen at once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import totp

from quartiere.accounts import services
from quartiere.accounts.enums import Role
from quartiere.accounts.models import Membership
from quartiere.accounts.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

PAGE = "/backoffice/residents/"
CONTEXT_TABLES = (
    '"accounts_user"',
    '"auth_permission"',
    '"accounts_membership"',
    '"accounts_lab"',
    '"otp_totp_totpdevice"',
)


def _context_queries(client) -> list[str]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(PAGE).status_code == 200
    return [
        q["sql"]
        for q in ctx.captured_queries
        if any(f"FROM {t}" in q["sql"] for t in CONTEXT_TABLES)
    ]


def test_second_request_reads_user_permissions_scope_and_lab_from_cache(operator, login):
    client = login(operator)
    first = _context_queries(client)
    assert len(first) >= 4  # user, permissions, memberships, lab, devices: read once
    assert _context_queries(client) == []


def test_without_auth_cache_every_request_reads_the_database(operator, login, settings):
    settings.AUTH_CACHE_SECONDS = 0
    client = login(operator)
    _context_queries(client)
    assert len(_context_queries(client)) >= 4


def test_revoked_membership_takes_effect_on_next_request(operator, login):
    client = login(operator)
    assert client.get(PAGE).status_code == 200
    membership = Membership.objects.get(user=operator)
    services.membership_revoke(actor=None, membership=membership)
    assert client.get(PAGE).status_code == 403


def test_deactivated_user_is_logged_out_on_next_request(operator, login):
    client = login(operator)
    assert client.get(PAGE).status_code == 200
    operator.is_active = False
    operator.save()
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_changed_password_ends_other_sessions_on_next_request(operator, login):
    client = login(operator)
    assert client.get(PAGE).status_code == 200
    operator.set_password("a-new-long-password-2026")
    operator.save()
    assert client.get(PAGE).status_code == 302


def test_permission_withdrawn_from_role_group_takes_effect_for_every_member(operator, login):
    client = login(operator)
    assert client.get(PAGE).status_code == 200
    group = Group.objects.get(name=Role.LAB_OPERATOR)
    group.permissions.remove(Permission.objects.get(codename="view_resident"))
    assert client.get(PAGE).status_code == 403


def test_lab_renamed_shows_new_name_in_header_on_next_request(operator, login, lab):
    client = login(operator)
    assert lab.name in client.get(PAGE).content.decode()
    lab.name = "Laboratorio Rinominato"
    lab.save()
    assert "Laboratorio Rinominato" in client.get(PAGE).content.decode()


def test_switched_lab_is_read_afresh_then_from_cache(make_user, login, lab, other_lab):
    user = make_user(Role.LAB_OPERATOR, lab, other_lab)
    client = login(user)
    assert client.get(PAGE).context["current_lab"] == lab
    client.post(reverse("accounts:lab_switch"), {"lab": other_lab.pk})
    assert client.get(PAGE).context["current_lab"] == other_lab
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(PAGE).context["current_lab"] == other_lab
    # The lab switch's own list of labs is read; the current lab (with its district) is not.
    assert not [q for q in ctx.captured_queries if '"territory_district"' in q["sql"]]


def test_device_paired_elsewhere_asks_for_code_on_next_request(operator, login):
    client = login(operator)
    assert client.get(PAGE).status_code == 200
    device = services.totp_device_start(user=operator)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    services.totp_device_confirm(user=operator, device=device, token=f"{code:06d}")
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/verify/")


def test_removed_device_no_longer_verifies_the_session(operator, login, settings):
    settings.TWO_FACTOR_REQUIRED = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = services.totp_device_start(user=operator)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    services.totp_device_confirm(user=operator, device=device, token=f"{code:06d}")
    client = login(operator)
    nxt = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=1)
    verified = client.post(f"/accounts/2fa/verify/?next={PAGE}", {"token": f"{nxt:06d}"})
    assert verified.status_code == 302
    assert client.get(PAGE).status_code == 200
    assert client.get(PAGE).status_code == 200  # the device now comes from the cache
    services.totp_device_remove(actor=None, user=operator)
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/")


def test_organisation_given_to_membership_is_seen_on_next_request(operator, login):
    client = login(operator)
    link = f'href="{reverse("reports:org_queue")}"'
    assert link not in client.get("/backoffice/reports/").content.decode()
    membership = Membership.objects.get(user=operator)
    membership.organisation = OrganisationFactory(name="ALER Milano")
    membership.save()

    assert link in client.get("/backoffice/reports/").content.decode()
    assert _context_queries(client) == []  # the organisations come with the cached scope
