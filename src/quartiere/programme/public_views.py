"""Public pages of the regeneration programmes (mounted at /programma/; no personal data).

The programme page and the action pages are cached whole, per language and address, for
anonymous visitors. Each cached page holds the version number it was rendered under, which the
portal bumps whenever a programme row is saved or deleted (``quartiere.portal.signals``): a page
of an older version is rendered afresh, so an edit shows at once;
a time limit bounds what other contexts add (activities, processes, report counts). A cached
page keeps placeholders where the request's CSP nonce and CSRF token go, filled per request.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from functools import lru_cache, wraps
from types import SimpleNamespace
from typing import Any

from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import get_script_prefix, reverse
from django.utils import dateformat, formats, timezone
from django.utils.html import json_script
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from quartiere.core.lru import BoundedLRU
from quartiere.core.shell import anonymous_without_messages, render_page
from quartiere.core.views import public
from quartiere.programme import presentation, public_html, selectors
from quartiere.programme.enums import ActionStatus
from quartiere.programme.models import Action, NewsItem, Programme

VERSION_KEY = "programme_public:version"
PAGE_CACHE_SECONDS = 600
# What other contexts say about an action (report counts for its buildings, co-design
# processes): the programme context may not read them, so the portal, which sits above every
# context, registers these providers at start-up. Each returns extra template context.
ACTION_PAGE_EXTRAS: list[Callable[[Programme, Any], dict[str, Any]]] = []
NONCE_MARK = b"\x00csp-nonce\x00"
CSRF_MARK = b"\x00csrf-token\x00"
_CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")([^"]+)(")')


# --- Page cache ------------------------------------------------------------------------------


def cache_version() -> int:
    """Return the programme pages' cache version (a new one after every programme edit)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = time.time_ns()
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return int(version)


def cache_version_bump() -> None:
    """Start a new cache version: every cached programme page is stale from now on."""
    version = time.time_ns()
    cache.set(VERSION_KEY, version, None)
    _VERSION_SEEN[:] = [time.monotonic(), version]


# The version as this process last read it, and when: a cached page is served on it for up to
# VERSION_SECONDS, so that a hit costs no round trip to the shared cache. An edit made through
# this process shows at once (the bump updates it); one made through another process within
# that second.
VERSION_SECONDS = 1.0
_VERSION_SEEN: list[Any] = [0.0, None]


def _current_version() -> int:
    seen_at, version = _VERSION_SEEN
    now = time.monotonic()
    if version is None or now - seen_at >= VERSION_SECONDS:
        version = cache_version()
        _VERSION_SEEN[:] = [now, version]
    return int(version)


def page_memo_clear() -> None:
    """Forget the pages and the version this process holds (tests, after clearing the cache)."""
    _VERSION_SEEN[:] = [0.0, None]
    _LOCAL_PAGES.clear()


def _page_key(request: HttpRequest) -> str:
    path = hashlib.sha256(request.path.encode()).hexdigest()[:32]
    return f"programme_public:page:{get_language()}:{path}"


def _fill(body: bytes, request: HttpRequest) -> bytes:
    """Put this request's CSP nonce and CSRF token where the cached page has placeholders."""
    body = body.replace(NONCE_MARK, str(request.csp_nonce).encode())  # type: ignore[attr-defined]
    if CSRF_MARK in body:
        body = body.replace(CSRF_MARK, get_token(request).encode())
    return body


def _hollow(body: bytes, request: HttpRequest) -> bytes:
    """Replace this request's CSP nonce and CSRF token with placeholders, for the cache."""
    body = body.replace(str(request.csp_nonce).encode(), NONCE_MARK)  # type: ignore[attr-defined]
    return _CSRF_INPUT.sub(lambda m: m.group(1) + CSRF_MARK + m.group(3), body)


# Pages last served by this process, with the version they were rendered under: a hit reads
# only the (small) version from the shared cache, not the page. The least recently used go first.
_LOCAL_PAGES: BoundedLRU[str, tuple[int, bytes]] = BoundedLRU(64)


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve an anonymous GET without query string from the page cache, filling it on a miss.

    A cached page is kept with the cache version it was rendered under, in the shared cache
    (under a key that includes the version) and in this process; a page of an older version
    than the current one (``_current_version``) is a miss.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "GET" or request.GET or not anonymous_without_messages(request):
            return view(request, *args, **kwargs)
        key = _page_key(request)
        version = _current_version()
        entry = _LOCAL_PAGES.get(key)
        if entry is None or entry[0] != version:
            # The version is part of the shared key: after an edit the lookup misses at once,
            # without fetching the stale page (older versions expire on their own).
            entry = cache.get(key, version=version)
            if entry is not None and entry[0] == version:
                _LOCAL_PAGES.put(key, entry)
        if entry is not None and entry[0] == version:
            response = HttpResponse(_fill(entry[1], request))
            response["X-Page-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            entry = (version, _hollow(response.content, request))
            cache.set(key, entry, PAGE_CACHE_SECONDS, version=version)
            _LOCAL_PAGES.put(key, entry)
            response["X-Page-Cache"] = "miss"
        return response

    return wrapper


# --- Helpers ---------------------------------------------------------------------------------


def _programme_or_404(slug: str) -> Programme:
    try:
        return selectors.programme_public_get(slug=slug)
    except Programme.DoesNotExist:
        raise Http404 from None


def _page_programme_or_404(slug: str) -> Programme:
    """The programme of the programme and action pages (what they show of it and its lab)."""
    try:
        return selectors.programme_public_page_get(slug=slug)
    except Programme.DoesNotExist:
        raise Http404 from None


def _action_or_404(programme: Programme, ref: str) -> Any:
    try:
        if ref.isdigit():
            return selectors.action_public_get(programme=programme, action_id=int(ref))
        return selectors.action_public_get(programme=programme, key=ref)
    except Action.DoesNotExist:
        raise Http404 from None


def _walk(nodes: list[Any]) -> list[Any]:
    out: list[Any] = []
    for node in nodes:
        out.append(node)
        out.extend(_walk(node.children))
    return out


def _set_urls(programme: Programme, nodes: list[Any]) -> None:
    """Give every node the address of its action page (one ``reverse`` for them all)."""
    mark = "0-action-key-0"
    pattern = reverse("programme_public:action_detail", args=[programme.slug, mark])
    for node in nodes:
        node.url = pattern.replace(mark, node.action.key or str(node.action.pk))


def _action_url(programme: Programme, action: Action) -> str:
    return reverse(
        "programme_public:action_detail", args=[programme.slug, action.key or str(action.pk)]
    )


def _opendata_links(programme: Programme) -> list[tuple[str, str]]:
    """Links to the programme's open data (CSV and JSON datasets, news feed, licence page)."""
    return list(_opendata_links_for(get_script_prefix(), programme.slug, get_language() or "it"))


@lru_cache(maxsize=256)
def _opendata_links_for(prefix: str, slug: str, language: str) -> tuple[tuple[str, str], ...]:
    """The links depend only on the address prefix, the programme and the language: worked
    out once (about ten ``reverse()`` calls) per combination."""
    from quartiere.programme.opendata import DATASETS, FORMATS

    links: list[tuple[str, str]] = []
    for name, spec in DATASETS.items():
        for fmt in FORMATS:
            url = reverse("opendata:dataset", args=[slug, name, fmt])
            links.append((url, f"{spec['title']} ({fmt.upper()})"))
    links.append((reverse("opendata:news_feed", args=[slug]), _("News feed (RSS)")))
    links.append((reverse("opendata:index"), _("All open data, field meanings and licence")))
    return tuple(links)


def _points(
    programme: Programme, nodes: list[Any], statuses: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    statuses = statuses if statuses is not None else _status_labels()
    points = []
    for node in nodes:
        action = node.action
        if action.latitude is None or action.longitude is None:
            continue
        points.append(
            {
                "lat": float(action.latitude),
                "lon": float(action.longitude),
                "label": action.title,
                "detail": f"{statuses.get(node.status, node.status)} · {node.progress_percent}%",
                "url": node.url or _action_url(programme, action),
            }
        )
    return points


def _with_paid_percent(row: Any, writer: presentation.Writer) -> SimpleNamespace:
    """A funding row with its figures written out and the share of it already paid."""
    paid = (row.paid_amount / row.allocated_amount) if row.allocated_amount else 0
    percent_paid = presentation.percent(paid)
    return SimpleNamespace(
        code=row.code,
        name=row.name,
        kind=row.kind,
        allocated_amount=row.allocated_amount,
        committed_amount=row.committed_amount,
        paid_amount=row.paid_amount,
        share=row.share,
        percent_paid=percent_paid,
        share_whole=round(row.share * 100),
        allocated_text=writer(row.allocated_amount),
        committed_text=writer(row.committed_amount),
        paid_text=writer(row.paid_amount),
        paid_bar=writer.progress_bar(percent_paid, row.name),
    )


_STATUS_CLASS = {"completed": "bg-success", "suspended": "bg-danger", "planned": "bg-secondary"}


def _status_labels() -> dict[str, str]:
    """The statuses' names in the page's language (looked up once per page)."""
    return {value: str(label) for value, label in ActionStatus.choices}


# A table row of an action (programme page: the actions of a line; action page: its parts).
# Written here rather than in a template: these rows are the pages' longest loop.
_ROW_HTML = (
    '<tr>\n  <th scope="row" class="fw-normal{}">{}<a href="{}">{}</a>{}</th>\n'
    '  <td><span class="badge {}" data-testid="status-badge">{}</span></td>\n'
    '  <td class="text-nowrap">{}</td>\n'
    '  <td class="text-end money">€ {}</td>\n</tr>\n'
)
_INDENT_MARK = mark_safe('<span aria-hidden="true">↳ </span>')


def _row_html(row: dict[str, Any]) -> str:
    escape = presentation.escape
    place = row["place"]
    return _ROW_HTML.format(
        row["indent"],
        _INDENT_MARK if row["depth"] else "",
        escape(row["url"]),
        escape(row["title"]),
        f'<br><span class="small text-muted">{escape(place)}</span>' if place else "",
        row["status_class"],
        escape(row["status_label"]),
        row["bar"],  # already safe: written by Writer.progress_bar
        row["budget"],  # digits and the separator
    )


def rows_html(rows: list[dict[str, Any]]) -> SafeString:
    """The table rows of these actions (see ``_row``)."""
    return mark_safe("".join(_row_html(row) for row in rows))  # noqa: S308 - every value is escaped


def _row(node: Any, writer: presentation.Writer, statuses: dict[str, str]) -> dict[str, Any]:
    """What a table row of an action shows, written out once (no per-row template logic)."""
    action = node.action
    title = action.title
    status = action.status
    return {
        "url": node.url,
        "title": title,
        "place": action.place_label,
        "located": bool(action.place_label or action.latitude),
        "depth": node.depth,
        "indent": f" ps-{node.depth + 2}" if node.depth else "",
        "status_class": _STATUS_CLASS.get(status, "bg-primary"),
        "status_label": statuses.get(status, status),
        "bar": writer.progress_bar(node.progress_percent, title),
        "budget": writer(action.budget_amount),
    }


def _line(line: Any, rows: dict[int, dict[str, Any]], writer: presentation.Writer) -> dict:
    """An action line with its progress, figures and the rows of its actions."""
    name = line.line.name
    return {
        "code": line.line.code,
        "name": name,
        "bar": writer.progress_bar(presentation.percent(line.progress), name),
        "budget": writer(line.budget_amount),
        "paid": writer(line.paid_amount),
        "label": _("Actions of the line %(name)s") % {"name": name},
        "rows": [rows[id(node)] for node in line.rows],
        "rows_html": rows_html([rows[id(node)] for node in line.rows]),
    }


def _funding_by_line(tree: Any) -> list[Any]:
    """Funding per action line, from the tree already loaded (the same allocation rows)."""
    total = tree.allocated_amount
    return [
        selectors.FundingRow(
            code=node.line.code,
            name=node.line.name,
            kind="",
            allocated_amount=node.allocated_amount,
            committed_amount=node.committed_amount,
            paid_amount=node.paid_amount,
            share=float(node.allocated_amount / total) if total else 0.0,
        )
        for node in tree.lines
    ]


def programme_context(programme: Programme, *, for_web: bool = True) -> dict[str, Any]:
    """Everything the programme page, the slides and the PDF show (one set of queries)."""
    tree = selectors.action_tree_public(programme=programme)
    writer = presentation.Writer()
    statuses = _status_labels()
    source_rows = tree.by_source
    line_rows = _funding_by_line(tree)
    nodes = _walk(tree.roots)
    _set_urls(programme, nodes)
    updated = [n.action.last_updated_at for n in nodes if n.action.last_updated_at]
    updated.append(programme.updated_at)
    by_source = [_with_paid_percent(row, writer) for row in source_rows]
    by_line = [_with_paid_percent(row, writer) for row in line_rows]
    rows = {id(node): _row(node, writer, statuses) for node in nodes}
    progress_percent = presentation.percent(tree.progress)
    totals = {
        "budget": writer(tree.budget_amount),
        "allocated": writer(tree.allocated_amount),
        "committed": writer(tree.committed_amount),
        "paid": writer(tree.paid_amount),
    }
    return {
        "programme": programme,
        "tree": tree,
        "nodes": nodes,
        "rows": list(rows.values()),
        "lines": [_line(line, rows, writer) for line in tree.lines],
        "totals": totals,
        "by_source": by_source,
        "by_line": by_line,
        "funding_by_source_table": public_html.funding_table_html(
            by_source, caption=_("Funding by source"), head=_("Source"), totals=totals
        ),
        "funding_by_line_table": public_html.funding_table_html(
            by_line, caption=_("Funding by action line"), head=_("Action line"), totals=totals
        ),
        "source_chart": presentation.funding_chart_svg(
            by_source,
            title=_("Funding by source"),
            chart_id="chart-sources",
            for_web=for_web,
        ),
        "share_chart": presentation.share_chart_svg(
            by_source,
            title=_("Share of each source"),
            chart_id="chart-shares",
            for_web=for_web,
        ),
        "line_chart": presentation.funding_chart_svg(
            by_line,
            title=_("Funding by action line"),
            chart_id="chart-lines",
            for_web=for_web,
        ),
        "statuses": statuses,
        "progress_percent": progress_percent,
        "progress_bar": writer.progress_bar(progress_percent, programme.name),
        "last_updated_at": max(updated),
    }


# --- Pages -----------------------------------------------------------------------------------


@public
def programme_list(request: HttpRequest) -> HttpResponse:
    """List the published programmes with their totals."""
    programmes = selectors.programme_public_list()
    return render(request, "programme/public/programme_list.html", {"programmes": programmes})


@public
@cached_page
def programme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Show a programme: map and list of actions, lines with progress, funding by source."""
    programme = _page_programme_or_404(slug)
    context = programme_context(programme)
    points = _points(programme, context["nodes"], context["statuses"])
    updated = timezone.localtime(context["last_updated_at"])
    news = selectors.news_public_headlines(programme=programme, limit=3)
    page = {
        "name": programme.name,
        "description": programme.description,
        "updated_iso": dateformat.format(updated, "c"),
        "updated_text": formats.date_format(updated, "DATETIME_FORMAT"),
        "total_budget": context["totals"]["budget"],
        "total_allocated": context["totals"]["allocated"],
        "total_paid": context["totals"]["paid"],
        "progress_percent": str(context["progress_percent"]),
        "progress_bar": context["progress_bar"],
        "presentation_url": reverse("programme_public:presentation", args=[programme.slug]),
        "pdf_url": reverse("programme_public:presentation_pdf", args=[programme.slug]),
        "has_points": bool(points),
        "points_json": json_script(points, "programme-points") if points else "",
        "places": public_html.places_html(context["rows"]),
        "lines": public_html.lines_html(context["lines"]),
        "source_chart": SafeString(context["source_chart"]),
        "share_chart": SafeString(context["share_chart"]),
        "line_chart": SafeString(context["line_chart"]),
        "funding_by_source_table": context["funding_by_source_table"],
        "funding_by_line_table": context["funding_by_line_table"],
        "share_rows": public_html.share_rows_html(context["by_source"]),
        "news": public_html.news_html(news, slug=programme.slug),
        "news_list_url": reverse("programme_public:news_list", args=[programme.slug]),
        "documents_url": reverse("programme_public:document_list", args=[programme.slug]),
        "opendata_links": public_html.links_html(_opendata_links(programme)),
    }
    return render_page(
        request,
        "programme/public/programme_detail.html",
        page,
        slots=[name for name in page if name != "has_points"],
    )


@public
@cached_page
def action_detail(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    """Show an action: place, dates, milestones, photos, documents, funding, related items."""
    programme = _page_programme_or_404(slug)
    try:
        detail = selectors.action_public_page(programme=programme, ref=ref)
    except Action.DoesNotExist:
        raise Http404 from None
    action = detail.action
    node = detail.node
    writer = presentation.Writer()
    statuses = _status_labels()
    achieved = sum(1 for m in detail.milestones if m.achieved_on)
    children = _walk(detail.children)
    _set_urls(programme, children)
    progress_percent = presentation.percent(node.progress)
    context: dict[str, Any] = {
        "programme": programme,
        "detail": detail,
        "action": action,
        "node": node,
        "status_class": _STATUS_CLASS.get(action.status, "bg-primary"),
        "status_label": statuses.get(action.status, action.status),
        "child_rows_html": rows_html([_row(child, writer, statuses) for child in children]),
        "progress_percent": progress_percent,
        "progress_bar": writer.progress_bar(progress_percent, action.title),
        "totals": {
            "allocated": writer(node.allocated_amount),
            "committed": writer(node.committed_amount),
            "paid": writer(node.paid_amount),
        },
        "budget": writer(action.budget_amount),
        "milestones_achieved": achieved,
        "point": (
            [
                {
                    "lat": float(action.latitude),
                    "lon": float(action.longitude),
                    "label": action.title,
                    "detail": action.place_label,
                }
            ]
            if action.latitude is not None and action.longitude is not None
            else []
        ),
    }
    for allocation in detail.allocations:
        name = allocation.source.name
        allocation.percent_paid = presentation.percent(
            (allocation.paid_amount / allocation.amount) if allocation.amount else 0
        )
        allocation.name = name
        allocation.amount_text = writer(allocation.amount)
        allocation.committed_text = writer(allocation.committed_amount)
        allocation.paid_text = writer(allocation.paid_amount)
        allocation.paid_bar = writer.progress_bar(allocation.percent_paid, name)
    for extra in ACTION_PAGE_EXTRAS:
        context.update(extra(programme, detail))
    return render(request, "programme/public/action_detail.html", context)


@public
def news_list(request: HttpRequest, slug: str) -> HttpResponse:
    """List the programme's published news, newest first."""
    programme = _programme_or_404(slug)
    news = selectors.news_public_list(programme=programme, limit=50)
    return render(
        request, "programme/public/news_list.html", {"programme": programme, "news": news}
    )


@public
def news_detail(request: HttpRequest, slug: str, news_slug: str) -> HttpResponse:
    """Show one published news item of the programme's lab."""
    programme = _programme_or_404(slug)
    try:
        item = selectors.news_public_get(lab_id=programme.lab_id, slug=news_slug)
    except NewsItem.DoesNotExist:
        raise Http404 from None
    return render(
        request, "programme/public/news_detail.html", {"programme": programme, "item": item}
    )


@public
def document_list(request: HttpRequest, slug: str) -> HttpResponse:
    """List the programme's public documents (PDF), newest first."""
    programme = _programme_or_404(slug)
    documents = selectors.document_public_list(programme=programme)
    return render(
        request,
        "programme/public/document_list.html",
        {"programme": programme, "documents": documents},
    )


@public
def document_file(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """Download a public document of the programme."""
    programme = _programme_or_404(slug)
    document = next(
        (d for d in selectors.document_public_list(programme=programme) if d.pk == pk), None
    )
    if document is None or not document.file:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=False,
        filename=f"{programme.slug}-{document.pk}.pdf",
        content_type="application/pdf",
    )


@public
def photo_file(request: HttpRequest, slug: str, ref: str, pk: int) -> FileResponse:
    """Serve a photo of a published action."""
    programme = _programme_or_404(slug)
    detail = _action_or_404(programme, ref)
    photo = next((p for p in detail.photos if p.pk == pk), None)
    if photo is None or not photo.image:
        raise Http404
    try:
        response = FileResponse(photo.image.open("rb"))
    except FileNotFoundError:
        raise Http404 from None
    response["Cache-Control"] = "public, max-age=86400"
    return response


# --- Presentation mode -----------------------------------------------------------------------


def _presentation_context(programme: Programme, *, for_web: bool) -> dict[str, Any]:
    context = programme_context(programme, for_web=for_web)
    milestones = _programme_milestones(programme)
    context["milestones_achieved"], context["milestones_next"] = presentation.milestones_split(
        milestones, limit=8
    )
    return context


def _programme_milestones(programme: Programme) -> list[Any]:
    """The latest achieved milestones and the next planned ones of the published actions."""
    return [
        *selectors.milestone_public_list(programme=programme, achieved=True, limit=8),
        *selectors.milestone_public_list(programme=programme, achieved=False, limit=8),
    ]


@public
def presentation_slides(request: HttpRequest, slug: str) -> HttpResponse:
    """Show the programme's state as full-screen slides (a long page without JavaScript)."""
    programme = _programme_or_404(slug)
    context = _presentation_context(programme, for_web=True)
    return render(request, "programme/public/presentation/slides.html", context)


@public
def presentation_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """Download the programme's state as a printable PDF."""
    programme = _programme_or_404(slug)
    context = _presentation_context(programme, for_web=False)
    context["language"] = get_language()
    pdf = presentation.programme_pdf(context, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{programme.slug}-presentazione.pdf"'
    return response
