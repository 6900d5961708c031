"""The public site: read-only pages built from other contexts' selectors. No personal data."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from quartiere.accounts.selectors import public_lab_get, public_lab_list
from quartiere.core.views import public
from quartiere.portal import sources


@public
def home(request: HttpRequest) -> HttpResponse:
    """List the open labs and highlight the regeneration programmes they communicate."""
    labs = list(public_lab_list())
    return render(
        request,
        "portal/home.html",
        {"labs": labs, "programmes": sources.programme_highlights()},
    )


@public
def lab_list(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/lab_list.html", {"labs": public_lab_list()})


@public
def lab_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A lab's home page: who, where, when, contacts, next activities, news, processes."""
    lab = public_lab_get(slug=slug)
    if lab is None:
        raise Http404
    programme = sources.programme_for_lab(lab_id=lab.pk)
    context: dict[str, Any] = {
        "lab": lab,
        "programme": programme,
        "sessions": sources.upcoming_sessions(lab_id=lab.pk, limit=5),
        "news": sources.lab_news(lab_id=lab.pk, limit=3),
        "processes": sources.processes(lab_id=lab.pk),
        "map_points": sources.lab_map_points(lab=lab),
    }
    return render(request, "portal/lab_detail.html", context)


@public
def lab_news_list(request: HttpRequest, slug: str) -> HttpResponse:
    """All the published news of a lab, newest first."""
    lab = public_lab_get(slug=slug)
    if lab is None:
        raise Http404
    news = sources.lab_news(lab_id=lab.pk, limit=50)
    return render(request, "portal/news_list.html", {"lab": lab, "news": news})


@public
def lab_news_detail(request: HttpRequest, slug: str, news_slug: str) -> HttpResponse:
    """One published news item of a lab."""
    lab = public_lab_get(slug=slug)
    if lab is None:
        raise Http404
    item = sources.lab_news_item(lab_id=lab.pk, slug=news_slug)
    if item is None:
        raise Http404
    return render(request, "portal/news_detail.html", {"lab": lab, "item": item})


@public
def search(request: HttpRequest) -> HttpResponse:
    """Search actions, news, documents, activities and processes (published ones only)."""
    query = (request.GET.get("q") or "").strip()[:100]
    results = sources.search(query) if len(query) >= 2 else None
    return render(
        request,
        "portal/search.html",
        {"search_query": query, "results": results, "too_short": 0 < len(query) < 2},
    )


@public
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/accessibility.html")


@public
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/privacy.html")
