"""What the portal reads from the other contexts, in one place (their public selectors only).

Every function returns public data only: titles, dates, places, counts. Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Q
from django.urls import reverse

from quartiere.accounts.models import Lab

SEARCH_LIMIT = 20


def programme_highlights() -> list[Any]:
    """The published programmes, for the site's home page."""
    from quartiere.programme import selectors

    return list(selectors.programme_public_list())


def programme_for_lab(*, lab_id: int) -> Any:
    """The published programme a lab communicates, or None."""
    from quartiere.programme import selectors

    return selectors.programme_for_lab(lab_id=lab_id)


def upcoming_sessions(*, lab_id: int, limit: int = 5) -> list[Any]:
    """The lab's next public activity sessions (activities context)."""
    from quartiere.activities import selectors

    return list(selectors.activity_session_upcoming_public_list(lab_id=lab_id, limit=limit))


def lab_news(*, lab_id: int, limit: int = 3) -> list[Any]:
    """The lab's latest published news (programme context)."""
    from quartiere.programme import selectors

    return selectors.news_public_list(lab_id=lab_id, limit=limit)


def lab_news_item(*, lab_id: int, slug: str) -> Any:
    """One published news item of a lab, or None."""
    from quartiere.programme import selectors
    from quartiere.programme.models import NewsItem

    try:
        return selectors.news_public_get(lab_id=lab_id, slug=slug)
    except NewsItem.DoesNotExist:
        return None


def processes(*, lab_id: int | None = None, action_id: int | None = None) -> list[Any]:
    """The lab's public participatory processes (participation context)."""
    from quartiere.participation import selectors

    return list(selectors.process_public_list(lab_id=lab_id, action_id=action_id))


def lab_map_points(*, lab: Lab) -> list[dict[str, Any]]:
    """Where the lab's neighbourhood is: the middle of its buildings (one aggregate query).

    The lab itself has no coordinates; the page writes the address beside the map.
    """
    from quartiere.reports.selectors import public_building_list

    centre = public_building_list(district_id=lab.district_id).aggregate(
        lat=Avg("latitude"), lon=Avg("longitude")
    )
    if centre["lat"] is None or centre["lon"] is None:
        return []
    return [
        {
            "lat": float(centre["lat"]),
            "lon": float(centre["lon"]),
            "label": f"{lab.district.name}, {lab.district.municipality}",
            "detail": lab.address,
        }
    ]


@dataclass
class SearchHit:
    """One search result: what it is, its title, a short text and its public page."""

    kind: str
    title: str
    url: str
    text: str = ""
    date: Any = None


@dataclass
class SiteSearch:
    query: str
    groups: list[tuple[str, str, list[SearchHit]]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(hits) for _, _, hits in self.groups)


def search(query: str) -> SiteSearch:
    """Search the published actions, news, documents, activities and processes (5 queries)."""
    from django.utils.translation import gettext as _

    from quartiere.activities import selectors as activities
    from quartiere.participation import selectors as participation
    from quartiere.programme import selectors as programme

    words = query.split()
    found = programme.programme_search(q=query, limit=SEARCH_LIMIT)
    actions = [
        SearchHit(
            kind="action",
            title=a.title,
            url=reverse(
                "programme_public:action_detail", args=[a.programme.slug, a.key or str(a.pk)]
            ),
            text=f"{a.programme.name} · {a.get_status_display()}",
        )
        for a in found.actions
    ]
    news_items = found.news
    news = [
        SearchHit(
            kind="news",
            title=n.title,
            url=_news_url(n),
            text=n.summary,
            date=n.published_at,
        )
        for n in news_items
    ]
    documents = [
        SearchHit(
            kind="document",
            title=d.title,
            url=reverse("programme_public:document_file", args=[d.programme.slug, d.pk]),
            text=d.programme.name,
            date=d.published_on,
        )
        for d in found.documents
    ]
    session_filter = Q()
    process_filter = Q()
    for w in words:
        session_filter &= Q(activity__title_it__icontains=w) | Q(activity__title_en__icontains=w)
        process_filter &= (
            Q(title_it__icontains=w)
            | Q(title_en__icontains=w)
            | Q(description_it__icontains=w)
            | Q(description_en__icontains=w)
        )
    seen: set[int] = set()
    sessions = []
    for s in activities.public_session_list().filter(session_filter)[: SEARCH_LIMIT * 3]:
        if s.activity_id in seen:
            continue
        seen.add(s.activity_id)
        sessions.append(
            SearchHit(
                kind="activity",
                title=s.activity.title,
                url=s.activity.get_absolute_url(),
                text=s.activity.lab.name,
                date=s.starts_at,
            )
        )
    process_hits = [
        SearchHit(
            kind="process",
            title=p.title,
            url=reverse("participation_public:process_detail", args=[p.slug]),
            text=p.lab.name,
        )
        for p in participation.process_public_list().filter(process_filter)[:SEARCH_LIMIT]
    ]
    return SiteSearch(
        query=query,
        groups=[
            ("actions", _("Regeneration actions"), actions),
            ("news", _("News"), news),
            ("documents", _("Documents"), documents),
            ("activities", _("Activities"), sessions[:SEARCH_LIMIT]),
            ("processes", _("Participatory processes"), process_hits),
        ],
    )


def _news_url(item: Any) -> str:
    if item.programme_id and item.programme is not None:
        return reverse("programme_public:news_detail", args=[item.programme.slug, item.slug])
    return reverse("portal:lab_news_detail", args=[item.lab.slug, item.slug])


def action_related(programme: Any, detail: Any) -> dict[str, Any]:
    """What other contexts say about a programme action, for its public page.

    ``reports``: public report counts for the action's buildings, aggregated to the building
    (no single report, no person); ``processes``: the co-design processes linked to the action.
    """
    from quartiere.participation import selectors

    linked = selectors.process_public_action_links(action_id=detail.action.pk)
    return {
        "reports": _action_reports(programme, detail.buildings),
        "processes": linked,
        "workshops": _workshops(linked[:MAX_PROCESS_WORKSHOPS]),
    }


MAX_PROCESS_WORKSHOPS = 3


def _workshops(linked: list[Any]) -> list[Any]:
    """The workshops (lab activities) of the first few processes linked to an action."""
    if not linked:
        return []
    from quartiere.participation import selectors

    found: list[Any] = []
    for process in linked:
        found.extend(selectors.workshop_public_list(process=process))
    return sorted(found, key=lambda w: (w.held_on, w.pk))


def _action_reports(programme: Any, buildings: list[Any]) -> dict[str, Any] | None:
    if not buildings:
        return None
    from quartiere.reports.selectors import public_report_building_summary

    ids = {b.pk for b in buildings}
    summary = public_report_building_summary(lab_id=programme.lab_id, building_ids=ids)
    rows = summary["buildings"]
    return {
        "buildings": rows,
        "open_count": sum(r["open_count"] for r in rows),
        "resolved_count": sum(r["resolved_count"] for r in rows),
    }
