"""Shared view helpers: the public marker, friendly error pages, scoped lookups."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from quartiere.core import audit
from quartiere.core.exceptions import ApplicationError
from quartiere.core.models import AccessOutcome

V = TypeVar("V", bound=Callable[..., Any])
M = TypeVar("M", bound=Model)


def public(view: V) -> V:
    """Mark a view as reachable without logging in (a test checks every unmarked route)."""
    view.quartiere_public = True  # type: ignore[attr-defined]
    return view


def staff_view(*perms: str) -> Callable[[V], V]:
    """Require a logged-in user holding every listed capability (403 otherwise)."""

    def decorator(view: V) -> V:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not all(request.user.has_perm(p) for p in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def apply_service_errors(form: Any, exc: ApplicationError) -> None:
    """Put a service's per-field messages on the form's fields; the rest on the form itself."""
    placed = False
    for field, errs in exc.fields.items():
        if field in form.fields:
            for err in errs:
                form.add_error(field, err)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def scoped_or_404(request: HttpRequest, obj: M | None, *, model: type[M], pk: Any) -> M:
    """Return ``obj`` or raise 404; a miss on an object that exists is logged as refused."""
    if obj is not None:
        return obj
    if model._default_manager.filter(pk=pk).exists():
        audit.access(
            actor=request.user,
            target_type=model._meta.label_lower,
            target_id=pk,
            outcome=AccessOutcome.DENIED,
            purpose="out of scope",
            path=request.path,
        )
    raise Http404


def paginate(request: HttpRequest, qs: Any, per_page: int = 25) -> Page:
    """Page a queryset by ?page=N (out-of-range pages show the last page)."""
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


@public
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(("/api/", "/open311/")):
        return JsonResponse(
            {"code": "not_found", "message": "Not found.", "fields": {}}, status=404
        )
    return render(request, "404.html", status=404)


@public
def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)


@public
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)
