"""Public pages of participatory processes (under /partecipazione/).

Listing and reading pages are ``@public`` and show no personal data: authors appear as a
first name and an initial. Writing (a proposal, a comment, a support) needs a logged-in
verified resident of the process's district; the services give the reason when refused.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import truncatewords
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext, ngettext
from django.views.decorators.http import require_POST

from quartiere.core.exceptions import ApplicationError
from quartiere.core.views import apply_service_errors, public
from quartiere.participation import selectors, services, workflow
from quartiere.participation.enums import PhaseKind, ProposalStatus
from quartiere.participation.forms import CommentForm, ProposalFilterForm, ProposalPublicForm
from quartiere.participation.models import Process, Proposal
from quartiere.people.selectors import resident_for_user

PAGE_SIZE = 20


def _process_or_404(slug: str) -> Process:
    process = selectors.process_public_get(slug=slug)
    if process is None:
        raise Http404
    return process


def _proposal_or_404(process: Process, pk: int) -> Proposal:
    proposal = selectors.proposal_public_get(process=process, pk=pk)
    if proposal is None:
        raise Http404
    return proposal


def _timeline(process: Process) -> tuple[list[Any], Any]:
    phases = list(process.phases.all())
    today = timezone.localdate()
    current = workflow.phase_in_force(phases, today)
    return phases, current


@public
def process_list(request: HttpRequest) -> HttpResponse:
    """List the public participatory processes with their current phase."""
    today = timezone.localdate()
    processes = list(selectors.process_public_list())
    for p in processes:
        p.current_phase = workflow.phase_in_force(  # type: ignore[attr-defined]
            list(p.phases.all()), today
        )
    return render(request, "participation/public_process_list.html", {"processes": processes})


@lru_cache(maxsize=1024)
def _date(language: str, day: dt.date) -> str:
    """A day as the date filter's DATE_FORMAT writes it in ``language`` (many proposals of a
    page share a day)."""
    return date_format(day, "DATE_FORMAT")


def _proposal_items(process: Process, rows: Any, supported: set[int]) -> SafeString:
    """The page's proposals as list items, built here rather than by a template loop.

    The page lists many proposals: the same markup, texts and translations as a template
    row would give, with one ``reverse`` for the whole page.
    """
    mark = 987654321
    pattern = reverse("participation_public:proposal_detail", args=[process.slug, mark])
    labels = dict(ProposalStatus.choices)
    reached = escape(gettext("threshold reached"))
    yours = escape(gettext("you support it"))
    language = get_language() or "it"
    items = []
    for row in rows:
        pk = row["id"]
        submitted = localtime(row["submitted_at"])
        author = row["author_public"]
        by = (gettext("by %(who)s") % {"who": escape(author)} + " · ") if author else ""
        n = row["support_count"]
        count = ngettext("%(n)s support", "%(n)s supports", n) % {"n": localize(n)}
        badges = ""
        if row["threshold_reached"]:
            badges += f' <span class="badge bg-success">{reached}</span>'
        if pk in supported:
            badges += f' <span class="badge bg-primary">{yours}</span>'
        items.append(
            f'  <li class="border-bottom py-3" id="p{pk}" data-testid="proposal">\n'
            f'    <h3 class="h5 mb-1"><a href="{pattern.replace(str(mark), str(pk))}">'
            f"{escape(row['title'])}</a></h3>\n"
            f'    <p class="mb-1 small">{by}<time datetime="{submitted.isoformat()}">'
            f"{_date(language, submitted.date())}</time> · "
            f"{escape(labels.get(row['status'], row['status']))}</p>\n"
            f'    <p class="mb-1 text-break">{escape(truncatewords(row["description"], 30))}</p>\n'
            '    <p class="mb-0"><strong data-testid="support-count">'
            f"{count}</strong>{badges}</p>\n"
            "  </li>\n"
        )
    return mark_safe("".join(items))  # noqa: S308 - every value above is escaped


@public
def process_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A process: phases, workshops, proposals with support counts (filter, sort, pages)."""
    process = _process_or_404(slug)
    phases, current = _timeline(process)
    today = timezone.localdate()
    form = ProposalFilterForm(request.GET or None)
    cleaned = form.cleaned_data if form.is_valid() else {}
    sort = cleaned.get("sort") or selectors.DEFAULT_SORT
    page = selectors.proposal_public_page(
        process=process,
        q=cleaned.get("q") or "",
        status=cleaned.get("status") or "",
        sort=sort,
        number=request.GET.get("page"),
        per_page=PAGE_SIZE,
    )
    resident = resident_for_user(user=request.user)
    supported = selectors.supported_ids(resident=resident, proposal_ids=[p["id"] for p in page])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "participation/public_process_detail.html",
        {
            "process": process,
            "phases": phases,
            "current_phase": current,
            "today": today,
            "workshops": selectors.workshop_public_list(process=process),
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "supported": supported,
            "proposal_items": _proposal_items(process, page.object_list, supported),
            "proposals_reason": workflow.phase_closed_reason(phases, PhaseKind.PROPOSALS, today),
            "supports_reason": workflow.phase_closed_reason(phases, PhaseKind.SUPPORTS, today),
            "resident": resident,
        },
    )


@public
def proposal_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A proposal: text, support count, support button, approved comments and the outcome."""
    process = _process_or_404(slug)
    proposal = _proposal_or_404(process, pk)
    resident = resident_for_user(user=request.user)
    refusal = None
    if request.user.is_authenticated:
        refusal = services.support_refusal(proposal=proposal, resident=resident)
    return render(
        request,
        "participation/public_proposal_detail.html",
        {
            "process": process,
            "proposal": proposal,
            "comments": selectors.comment_public_list(proposal=proposal),
            "outcome": selectors.outcome_change(proposal=proposal)
            if proposal.has_outcome
            else None,
            "resident": resident,
            "supports": bool(selectors.supported_ids(resident=resident, proposal_ids=[pk])),
            "support_refusal": refusal,
            "supports_reason": workflow.phase_closed_reason(
                process.phases.all(), PhaseKind.SUPPORTS, timezone.localdate()
            ),
            "comment_form": CommentForm(),
        },
    )


@login_required
def proposal_create(request: HttpRequest, slug: str) -> HttpResponse:
    """The proposal form for verified residents of the district while proposals are open."""
    process = _process_or_404(slug)
    phases, _current = _timeline(process)
    reason = workflow.phase_closed_reason(phases, PhaseKind.PROPOSALS, timezone.localdate())
    if reason is None:
        reason = services.resident_refusal(
            process=process, resident=resident_for_user(user=request.user)
        )
    form = ProposalPublicForm(request.POST or None)
    if request.method == "POST" and reason is None and form.is_valid():
        try:
            services.proposal_submit(
                process=process,
                user=request.user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                services.gettext_proposal_received(),
            )
            return redirect("participation_public:process_detail", slug=process.slug)
    return render(
        request,
        "participation/public_proposal_form.html",
        {"process": process, "form": form, "refusal": reason},
    )


def _back_to(process: Process, proposal_pk: int) -> str:
    return reverse("participation_public:proposal_detail", args=[process.slug, proposal_pk])


@login_required
@require_POST
def support(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Support a proposal (or withdraw the support with ``withdraw=1``)."""
    process = _process_or_404(slug)
    proposal = _proposal_or_404(process, pk)
    withdraw = request.POST.get("withdraw") == "1"
    try:
        if withdraw:
            services.support_withdraw(proposal=proposal, user=request.user)
            messages.success(request, services.gettext_support_withdrawn())
        else:
            services.support_add(proposal=proposal, user=request.user)
            messages.success(request, services.gettext_support_added())
    except ApplicationError as exc:
        messages.error(request, exc.message)
    target = request.POST.get("next") or ""
    if target == "process":
        return redirect(reverse("participation_public:process_detail", args=[slug]) + f"#p{pk}")
    return redirect(_back_to(process, pk))


@login_required
@require_POST
def comment(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Post a comment on a proposal; it is shown after moderation."""
    process = _process_or_404(slug)
    proposal = _proposal_or_404(process, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_post(
                proposal=proposal, user=request.user, body=form.cleaned_data["body"]
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, services.gettext_comment_received())
            return redirect(_back_to(process, pk))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(_back_to(process, pk) + "#comment-form")


@public
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """Serve a workshop photo of a public process (stored without metadata)."""
    item = selectors.photo_public_get(pk=pk)
    if item is None:
        raise Http404
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response
