"""Two-factor authentication with an authenticator app (TOTP)."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from quartiere.accounts import services
from quartiere.accounts.enums import Role
from quartiere.core.exceptions import ApplicationError
from quartiere.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice, offset: int = 0) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset)
    return f"{value:0{device.digits}d}"


def _logged_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_totp_device_confirm_activates_device_when_code_is_right(make_user, lab):
    user = make_user(Role.LAB_OPERATOR, lab)
    device = services.totp_device_start(user=user)
    services.totp_device_confirm(user=user, device=device, token=_code(device))
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="accounts.totp_device_confirm").exists()


def test_totp_device_confirm_refuses_when_code_is_wrong(make_user, lab):
    user = make_user(Role.LAB_OPERATOR, lab)
    device = services.totp_device_start(user=user)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    with pytest.raises(ApplicationError):
        services.totp_device_confirm(user=user, device=device, token=wrong)
    device.refresh_from_db()
    assert not device.confirmed


def test_setup_page_pairs_device_and_shows_qr_when_code_is_right(make_user, lab):
    user = make_user(Role.LAB_COORDINATOR, lab)
    client = _logged_in(user)
    page = client.get("/accounts/2fa/")
    assert page.status_code == 200
    assert b"data:image/svg+xml;base64," in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/accounts/2fa/", {"token": _code(device)})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/backoffice/").status_code == 200  # verified in this session


def test_backoffice_asks_for_code_when_user_has_device_and_session_not_verified(
    make_user, lab, settings
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no back-off wait after the wrong code below
    user = make_user(Role.LAB_OPERATOR, lab)
    device = services.totp_device_start(user=user)
    services.totp_device_confirm(user=user, device=device, token=_code(device))
    client = _logged_in(user)  # password only
    response = client.get("/backoffice/residents/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/verify/")
    refused = client.post(
        "/accounts/2fa/verify/?next=/backoffice/residents/",
        {"token": "000000" if _code(device) != "000000" else "111111"},
    )
    assert refused.status_code == 200
    assert "aria-invalid" in refused.content.decode()
    # the pairing code's time step was used already: the next step's code is accepted
    ok = client.post(
        "/accounts/2fa/verify/?next=/backoffice/residents/", {"token": _code(device, offset=1)}
    )
    assert ok.status_code == 302
    assert ok["Location"] == "/backoffice/residents/"
    assert client.get("/backoffice/residents/").status_code == 200


def test_staff_must_set_up_device_when_two_factor_required(make_user, lab, settings):
    settings.TWO_FACTOR_REQUIRED = True
    staff = make_user(Role.LAB_OPERATOR, lab)
    response = _logged_in(staff).get("/backoffice/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/")
    resident = make_user(Role.RESIDENT, lab)
    assert _logged_in(resident).get("/backoffice/").status_code == 200


def test_totp_device_remove_clears_devices_when_phone_is_lost(make_user, lab):
    user = make_user(Role.LAB_OPERATOR, lab)
    device = services.totp_device_start(user=user)
    services.totp_device_confirm(user=user, device=device, token=_code(device))
    assert services.totp_device_remove(actor=None, user=user) == 1
    assert _logged_in(user).get("/backoffice/").status_code == 200
