"""Request middleware: the lab being worked in, and the second authentication factor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.middleware import OTPMiddleware

from quartiere.accounts import authcache
from quartiere.accounts.enums import Role
from quartiere.accounts.models import Lab
from quartiere.accounts.selectors import user_scope
from quartiere.core.exceptions import NoCurrentLabError

SESSION_KEY = "quartiere_lab_id"


def _current_lab(request: HttpRequest) -> Lab | None:
    scope = user_scope(request.user)
    if not scope.lab_ids:
        return None
    wanted = request.session.get(SESSION_KEY)
    if wanted not in scope.lab_ids:
        if scope.all_labs:
            return None  # region-wide roles work on every lab until they pick one
        wanted = min(scope.lab_ids)
    # A part of the user's cached context (read with the rest in one round trip), rebuilt
    # when the user switches lab; a lab or district edit bumps the shared version.
    return authcache.cached(
        request.user.pk,
        "lab",
        lambda: Lab.objects.select_related("district").filter(pk=wanted).first(),
        of=wanted,
    )


class CurrentLabMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.lab = SimpleLazyObject(lambda: _current_lab(request))  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Send users with no lab chosen to the dashboard, where the lab menu is, with a hint."""
        if isinstance(exception, NoCurrentLabError):
            messages.info(request, _("Choose the lab to work in first, in the menu at the top."))
            return redirect("backoffice:dashboard")
        return None


TWO_FACTOR_EXEMPT = ("/accounts/", "/static/", "/i18n/", "/accessibilita/", "/privacy/")


class TwoFactorMiddleware:
    """Ask for the second factor after the password, and enforce it for staff when required.

    A user with a confirmed authenticator who has not entered a code in this session is sent
    to the verification page; with TWO_FACTOR_REQUIRED, staff without one are sent to set it up.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[union-attr,attr-defined]
            and not request.path.startswith(TWO_FACTOR_EXEMPT)
        ):
            # A verified session skips this: no device lookup on most requests.
            if authcache.cached(user.pk, "has_device", lambda: user_has_device(user)):
                return redirect_to_login(
                    request.get_full_path(), reverse("accounts:twofactor_verify")
                )
            if settings.TWO_FACTOR_REQUIRED and _is_staff(request):
                return redirect_to_login(
                    request.get_full_path(), reverse("accounts:twofactor_setup")
                )
        return self.get_response(request)


def _is_staff(request: HttpRequest) -> bool:
    scope = user_scope(request.user)
    return bool(request.user.is_staff or scope.all_labs or scope.roles - {Role.RESIDENT})


class CachedOTPMiddleware(OTPMiddleware):
    """django-otp's middleware, with the verified device read through the auth cache.

    Saving or deleting any device bumps the cache version, so a removed device stops
    verifying the session on the next request.
    """

    def _device_from_persistent_id(self, persistent_id: str) -> Any:
        return authcache.cached_shared(
            f"device:{persistent_id}",
            lambda: super(CachedOTPMiddleware, self)._device_from_persistent_id(persistent_id),
        )
