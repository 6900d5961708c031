"""Public pages for reports: the web form, the tracking page, the public list and map.

Every view here is reachable without logging in (``@public``) and shows no personal data:
the tracking page shows a report's category, lab, building, status history and public
comments only; the list and map show counts aggregated to the building.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quartiere.accounts.selectors import public_lab_list
from quartiere.core.exceptions import ApplicationError
from quartiere.core.views import public
from quartiere.reports import selectors, services, workflow
from quartiere.reports.enums import ReportChannel, ReportStatus
from quartiere.reports.forms_public import (
    PublicReportFilterForm,
    ReportPublicForm,
    ReportReopenForm,
    TrackLookupForm,
    initial_from,
    normalise_tracking_code,
)

# At most this many reports (and as many reopen requests) per address per window.
RATE_LIMIT = 5
RATE_WINDOW_SECONDS = 3600
SUMMARY_CACHE_SECONDS = 300
SUBMITTED_SESSION_KEY = "reports_public_submitted"


# --- Helpers --------------------------------------------------------------------------------


def _rate_key(request: HttpRequest, bucket: str) -> str:
    # The address is hashed: no IP address is kept in the cache in clear.
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"reports_public:rate:{bucket}:{digest}"


def _rate_limited(request: HttpRequest, bucket: str) -> bool:
    return int(cache.get(_rate_key(request, bucket), 0)) >= RATE_LIMIT


def _rate_count(request: HttpRequest, bucket: str) -> None:
    key = _rate_key(request, bucket)
    if cache.add(key, 1, RATE_WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, RATE_WINDOW_SECONDS)


def _apply_errors(form: Any, exc: ApplicationError) -> None:
    """Put a service's errors on the form's fields (the place errors on the place fieldset)."""
    placed = False
    for field, errs in exc.fields.items():
        if field == "location":
            form.location_errors.extend(errs)
            placed = True
        elif field in form.fields:
            for err in errs:
                form.add_error(field, err)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _by(items: list[Any], attr: str, value: Any) -> Any:
    if value in (None, ""):
        return None
    return next((item for item in items if str(getattr(item, attr)) == str(value)), None)


def _actor(request: HttpRequest) -> Any:
    return request.user if request.user.is_authenticated else None


# --- The web form ---------------------------------------------------------------------------


def _public_duplicates(category: Any, building: Any, form: Any) -> list[dict[str, Any]]:
    """Open reports of a public category in the chosen building, unless the person confirmed.

    Only public categories: telling anyone that a neighbour conflict was reported in a building
    would reveal too much.
    """
    if building is None or not category.is_public or form.cleaned_data.get("confirm_different"):
        return []
    return selectors.public_report_duplicates(category_id=category.pk, building_id=building.pk)


@public
def create(request: HttpRequest) -> HttpResponse:
    """Show and take the public report form; "continue" re-renders it after a lab, category or
    building change (the page works without JavaScript)."""
    is_post = request.method == "POST"
    source = request.POST if is_post else request.GET
    labs = list(public_lab_list())
    lab = _by(labs, "slug", source.get("lab")) or (labs[0] if len(labs) == 1 else None)
    categories: list[Any] = []
    buildings: list[Any] = []
    entrances: list[Any] = []
    if lab is not None:
        categories = list(selectors.public_category_list(lab_id=lab.pk))
        buildings = list(selectors.public_building_list(district_id=lab.district_id))
        entrances = list(selectors.public_entrance_list(district_id=lab.district_id))
    category = _by(categories, "code", source.get("category"))
    building = _by(buildings, "pk", source.get("building"))
    building_entrances = [e for e in entrances if building and e.building_id == building.pk]
    options = {
        "labs": labs,
        "categories": categories,
        "category": category,
        "buildings": buildings,
        "entrances": building_entrances,
        "anonymous": not request.user.is_authenticated,
    }
    status = 200
    rate_limited = False
    refusal = ""
    duplicates: list[dict[str, Any]] = []
    if is_post and request.POST.get("step") == "submit":
        form = ReportPublicForm(request.POST, request.FILES, **options)
        if request.POST.get("website"):
            # A bot filled the hidden field: nothing is saved, and it counts towards the limit.
            _rate_count(request, "submit")
            form = ReportPublicForm(
                initial=initial_from(ReportPublicForm, request.POST, **options), **options
            )
            refusal = _("The report could not be sent. Please try again.")
            status = 400
        elif _rate_limited(request, "submit"):
            rate_limited = True
            status = 429
            form = ReportPublicForm(
                initial=initial_from(ReportPublicForm, request.POST, **options), **options
            )
        elif (
            form.is_valid()
            and lab is not None
            and category is not None
            and not (duplicates := _public_duplicates(category, building, form))
        ):
            data = form.cleaned_data
            user: Any = request.user
            anonymous = not user.is_authenticated
            try:
                report = services.report_submit(
                    lab=lab,
                    category=category,
                    description=data["description"],
                    channel=ReportChannel.WEB,
                    actor=_actor(request),
                    building=building,
                    entrance=_by(building_entrances, "pk", data.get("entrance")),
                    latitude=data.get("latitude") or None,
                    longitude=data.get("longitude") or None,
                    address_text=data.get("address_text", ""),
                    contact_name=data["contact_name"] if anonymous else user.get_full_name(),
                    contact_email=data["contact_email"] if anonymous else (user.email or ""),
                    contact_phone=data["contact_phone"] if anonymous else "",
                    wants_updates=data.get("wants_updates", False),
                    language=get_language() or "it",
                    attributes=form.attribute_answers(),
                    uploads=[(f.name or "file", f.read()) for f in data.get("attachments") or []],
                )
            except ApplicationError as exc:
                _apply_errors(form, exc)
                status = 400
            else:
                _rate_count(request, "submit")
                request.session[SUBMITTED_SESSION_KEY] = report.tracking_code
                return redirect("reports_public:submitted")
        elif duplicates:
            status = 200  # not an error: the person decides after seeing the open reports
        else:
            status = 400
    elif is_post:
        # "Continue": show the questions of the chosen lab, category or building, no errors yet.
        form = ReportPublicForm(
            initial=initial_from(ReportPublicForm, request.POST, **options), **options
        )
    else:
        form = ReportPublicForm(initial={"lab": lab.slug if lab else ""}, **options)
    stairs: dict[str, list[list[str]]] = {str(b.pk): [] for b in buildings}
    for entrance in entrances:
        stairs.setdefault(str(entrance.building_id), []).append([str(entrance.pk), entrance.name])
    points = [
        {"lat": float(b.latitude), "lon": float(b.longitude)}
        for b in buildings
        if b.latitude is not None and b.longitude is not None
    ]
    return render(
        request,
        "reports/public_create.html",
        {
            "form": form,
            "lab": lab,
            "category": category,
            "building": building,
            "stairs": stairs,
            "points": points,
            "rate_limited": rate_limited,
            "refusal": refusal,
            "duplicates": duplicates,
            "has_errors": bool(form.errors or form.location_errors),
        },
        status=status,
    )


@public
def submitted(request: HttpRequest) -> HttpResponse:
    """Show the tracking code of the report just sent from this browser."""
    code = request.session.get(SUBMITTED_SESSION_KEY)
    if not code:
        return redirect("reports_public:create")
    return render(request, "reports/public_submitted.html", {"code": code})


# --- Tracking -------------------------------------------------------------------------------


def _reopen_state(report: Any) -> dict[str, Any]:
    policy = selectors.report_policy_get(lab_id=report.lab_id)
    status_allows = workflow.can_transition(report.status, ReportStatus.REOPENED)
    deadline = workflow.reopen_deadline(report.resolved_at, policy.reopen_days)
    return {
        "status_allows": status_allows,
        "can_reopen": status_allows and deadline is not None and timezone.now() <= deadline,
        "deadline": deadline,
        "days": policy.reopen_days,
    }


def _render_track(
    request: HttpRequest, report: Any, *, reopen_form: ReportReopenForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "reports/public_track.html",
        {"report": report, "reopen": _reopen_state(report), "reopen_form": reopen_form},
        status=status,
    )


def _not_found(request: HttpRequest, code: str) -> HttpResponse:
    form = TrackLookupForm(initial={"code": code})
    return render(
        request, "reports/public_track_lookup.html", {"form": form, "not_found": True}, status=404
    )


@public
def track_lookup(request: HttpRequest) -> HttpResponse:
    """Find a report by the tracking code typed in (GET ?code=) and open its page."""
    form = TrackLookupForm(request.GET if "code" in request.GET else None)
    not_found = False
    if form.is_bound and form.is_valid():
        code = form.cleaned_data["code"]
        if selectors.report_public_get(tracking_code=code) is not None:
            return redirect("reports_public:track", code=code)
        not_found = True
        form.add_error("code", _("There is no report with this code. Check it and try again."))
    return render(
        request, "reports/public_track_lookup.html", {"form": form, "not_found": not_found}
    )


@public
def track(request: HttpRequest, code: str) -> HttpResponse:
    """Show a report's public history (never personal data) and, when allowed, the reopen form."""
    report = selectors.report_public_get(tracking_code=normalise_tracking_code(code))
    if report is None:
        return _not_found(request, code)
    return _render_track(request, report, reopen_form=ReportReopenForm())


@public
@require_POST
def reopen(request: HttpRequest, code: str) -> HttpResponse:
    """Reopen a resolved or closed report within the lab's window; refuse it otherwise."""
    report = selectors.report_public_get(tracking_code=normalise_tracking_code(code))
    if report is None:
        raise Http404
    form = ReportReopenForm(request.POST)
    if _rate_limited(request, "reopen"):
        messages.error(request, _("Too many requests from this connection: try again in an hour."))
        return redirect("reports_public:track", code=report.tracking_code)
    if not form.is_valid():
        return _render_track(request, report, reopen_form=form, status=400)
    _rate_count(request, "reopen")
    try:
        services.report_reopen(
            report=report, actor=_actor(request), reason=form.cleaned_data["reason"]
        )
    except ApplicationError as exc:
        if "reason" in exc.fields:
            form.add_error("reason", exc.fields["reason"][0])
        else:
            messages.error(request, exc.message)
        return _render_track(request, report, reopen_form=form, status=400)
    messages.success(request, _("The report has been reopened: the lab will look at it again."))
    return redirect("reports_public:track", code=report.tracking_code)


# --- The public list and map ----------------------------------------------------------------


def _summary_context(request: HttpRequest) -> dict[str, Any]:
    labs = list(public_lab_list())
    lab = _by(labs, "slug", request.GET.get("lab"))
    categories = list(selectors.public_map_category_list(lab_id=lab.pk if lab else None))
    category = _by(categories, "code", request.GET.get("category"))
    form = PublicReportFilterForm(
        initial={"lab": lab.slug if lab else "", "category": category.code if category else ""},
        labs=labs,
        categories=categories,
    )
    lab_id = lab.pk if lab else None
    category_id = category.pk if category else None
    key = f"reports_public:summary:{lab_id}:{category_id}:{get_language()}"
    summary = cache.get(key)
    if summary is None:
        summary = selectors.public_report_building_summary(lab_id=lab_id, category_id=category_id)
        cache.set(key, summary, SUMMARY_CACHE_SECONDS)
    query = request.GET.urlencode()
    return {
        "form": form,
        "lab": lab,
        "category": category,
        "summary": summary,
        "query": query,
        "without_coordinates": [b for b in summary["buildings"] if not b["has_coordinates"]],
    }


@public
def report_list(request: HttpRequest) -> HttpResponse:
    """List public-category reports counted per building (the map's non-map alternative)."""
    return render(request, "reports/public_list.html", _summary_context(request))


@public
def report_map(request: HttpRequest) -> HttpResponse:
    """Show one marker per building with its counts; the list page says the same in words."""
    context = _summary_context(request)
    context["points"] = [
        {
            "lat": float(b["latitude"]),
            "lon": float(b["longitude"]),
            "label": b["address"],
            "open": b["open_count"],
            "resolved": b["resolved_count"],
            "categories": [
                [c["name"], c["open_count"], c["resolved_count"]] for c in b["categories"]
            ],
        }
        for b in context["summary"]["buildings"]
        if b["has_coordinates"]
    ]
    context["list_url"] = reverse("reports_public:list") + (
        f"?{context['query']}" if context["query"] else ""
    )
    return render(request, "reports/public_map.html", context)
