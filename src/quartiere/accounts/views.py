from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from quartiere.accounts import services
from quartiere.accounts.middleware import SESSION_KEY
from quartiere.accounts.selectors import user_scope
from quartiere.core.exceptions import ApplicationError
from quartiere.core.views import public

login_view = public(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html", redirect_authenticated_user=True
    )
)
logout_view = public(auth_views.LogoutView.as_view())
password_reset = public(
    auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset_form.html",
        email_template_name="accounts/password_reset_email.txt",
        subject_template_name="accounts/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password_reset_done"),
    )
)
password_reset_done = public(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)
password_reset_confirm = public(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password_reset_complete"),
    )
)
password_reset_complete = public(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"
    )
)


@login_required
@require_POST
def lab_switch(request: HttpRequest) -> HttpResponse:
    """Choose the lab to work in among the user's own labs."""
    try:
        lab_id = int(request.POST.get("lab", ""))
    except ValueError:
        lab_id = 0
    if lab_id in user_scope(request.user).lab_ids:
        request.session[SESSION_KEY] = lab_id
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("backoffice:dashboard")
    return redirect(target)


def _qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


@login_required
def twofactor_setup(request: HttpRequest) -> HttpResponse:
    """Pair an authenticator app: show the QR code and secret, confirm with a first code."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None or request.method == "GET":
        device = services.totp_device_start(user=request.user)  # type: ignore[arg-type]
    error = ""
    if request.method == "POST":
        try:
            services.totp_device_confirm(
                user=request.user,  # type: ignore[arg-type]
                device=device,
                token=request.POST.get("token", "")[:12],
            )
        except ApplicationError as exc:
            error = _("The code is not valid: check the time on your phone and retry.")
            del exc
        else:
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is on."))
            return redirect(_safe_next(request))
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/twofactor_setup.html",
        {
            "qr": _qr_data_uri(device.config_url),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "error": error,
            "next": request.GET.get("next", ""),
            "has_device": user_has_device(request.user),
        },
    )


@login_required
def twofactor_verify(request: HttpRequest) -> HttpResponse:
    """Ask for the code of the user's authenticator after the password."""
    if not user_has_device(request.user):
        return redirect(_safe_next(request))
    error = ""
    if request.method == "POST":
        device = match_token(request.user, request.POST.get("token", "").strip()[:12])
        if device is not None:
            otp_login(request, device)
            return redirect(_safe_next(request))
        error = _("The code is not valid: check the time on your phone and retry.")
    return render(
        request,
        "accounts/twofactor_verify.html",
        {
            "error": error,
            "next": request.GET.get("next", ""),
        },
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("backoffice:dashboard")
