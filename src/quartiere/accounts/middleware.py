"""Puts the lab the user is working in on ``request.lab`` (chosen in the header switcher)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from quartiere.accounts.models import Lab
from quartiere.accounts.selectors import user_scope

SESSION_KEY = "quartiere_lab_id"


def _current_lab(request: HttpRequest) -> Lab | None:
    scope = user_scope(request.user)
    if not scope.lab_ids:
        return None
    wanted = request.session.get(SESSION_KEY)
    if wanted not in scope.lab_ids:
        wanted = min(scope.lab_ids)
    return Lab.objects.select_related("district").filter(pk=wanted).first()


class CurrentLabMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.lab = SimpleLazyObject(lambda: _current_lab(request))  # type: ignore[attr-defined]
        return self.get_response(request)
