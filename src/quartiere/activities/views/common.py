"""Helpers shared by the back-office views of activities."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from quartiere.activities import permissions, selectors
from quartiere.activities.models import Activity, ActivitySession, Registration
from quartiere.core.views import scoped_or_404


def current_lab(request: HttpRequest) -> Any:
    """The lab the user works in now, or None (``request.lab`` is lazy: never ``is None``)."""
    lab = getattr(request, "lab", None)
    return lab if lab else None


def activity_or_404(request: HttpRequest, pk: int) -> Activity:
    """The activity of one of the user's labs; 404 (logged) otherwise."""
    activity = selectors.activity_get(user=request.user, pk=pk)
    activity = scoped_or_404(request, activity, model=Activity, pk=pk)
    if not permissions.can_manage_activity(request.user, activity):
        raise PermissionDenied
    return activity


def session_or_404(request: HttpRequest, pk: int) -> ActivitySession:
    session = selectors.session_get(user=request.user, pk=pk)
    return scoped_or_404(request, session, model=ActivitySession, pk=pk)


def registration_or_404(request: HttpRequest, pk: int) -> Registration:
    registration = selectors.registration_get(user=request.user, pk=pk)
    return scoped_or_404(request, registration, model=Registration, pk=pk)


def int_or_404(raw: Any) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise Http404 from None
