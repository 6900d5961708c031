"""The public site: read-only pages built from other contexts' selectors. No personal data."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from quartiere.accounts.selectors import public_lab_get, public_lab_list
from quartiere.core.views import public


@public
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"labs": public_lab_list()})


@public
def lab_list(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/lab_list.html", {"labs": public_lab_list()})


@public
def lab_detail(request: HttpRequest, slug: str) -> HttpResponse:
    lab = public_lab_get(slug=slug)
    if lab is None:
        raise Http404
    return render(request, "portal/lab_detail.html", {"lab": lab})


@public
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/accessibility.html")


@public
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/privacy.html")
