"""The task-force board and the households' needs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from quartiere.core.exceptions import ApplicationError
from quartiere.core.exports import FORMATS, export_response
from quartiere.core.views import apply_service_errors, paginate, scoped_or_404, staff_view
from quartiere.people import selectors as people_selectors
from quartiere.relocation import explain, forms, permissions, selectors, services, workflow
from quartiere.relocation.enums import NeedStatus
from quartiere.relocation.models import RelocationNeed, RelocationPhase, RelocationPlan
from quartiere.relocation.views.plans import get_plan, phase_choices
from quartiere.territory import selectors as territory_selectors

MAX_HOUSEHOLD_CHOICES = 3000


def _board_filters(request: HttpRequest, plan: RelocationPlan) -> tuple[Any, dict[str, Any]]:
    form = forms.BoardFilterForm(request.GET or None, phases=phase_choices(plan))
    cleaned = form.cleaned_data if form.is_valid() else {}
    yes_no = {"yes": True, "no": False}
    return form, {
        "status": cleaned.get("status") or "",
        "phase_id": cleaned.get("phase"),
        "q": cleaned.get("q") or "",
        "flagged": yes_no.get(cleaned.get("flagged") or ""),
        "accessible": yes_no.get(cleaned.get("accessible") or ""),
    }


@staff_view("relocation.view_relocationplan")
def board(request: HttpRequest, plan_pk: int) -> HttpResponse | StreamingHttpResponse:
    plan = get_plan(request, plan_pk)
    form, filters = _board_filters(request, plan)
    needs = selectors.need_board(plan=plan, **filters)
    fmt = request.GET.get("format", "")
    if fmt in FORMATS:
        if not request.user.has_perm("relocation.export_relocation"):
            raise PermissionDenied
        return _board_export(plan, needs, fmt)
    counts = selectors.need_status_counts(plan=plan, phase_id=filters["phase_id"])
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    status_query = query.copy()
    status_query.pop("status", None)
    return render(
        request,
        "relocation/board.html",
        {
            "plan": plan,
            "form": form,
            "page": paginate(request, needs, per_page=50),
            "columns": [(s, NeedStatus(s).label, counts[s]) for s in NeedStatus.values],
            "total": sum(counts.values()),
            "status": filters["status"],
            "query": query.urlencode(),
            "status_query": status_query.urlencode(),
            "phases": selectors.phase_list(plan=plan),
            "latest": selectors.latest_version(plan=plan),
        },
    )


def _board_export(
    plan: RelocationPlan, needs: Any, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    header = [
        _("Household"),
        _("Status"),
        _("Phase"),
        _("Address"),
        _("Unit"),
        _("Members"),
        _("Composition"),
        _("Reduced mobility"),
        _("Tenancy situation"),
        _("Wishes to return"),
        _("Refused offers"),
        _("Flagged"),
    ]
    rows = (
        [
            n.household.label,
            n.get_status_display(),
            n.phase.name if n.phase else "",
            n.origin_unit.building.address if n.origin_unit else "",
            n.origin_unit.code if n.origin_unit else "",
            n.size,
            n.composition,
            _("Yes") if n.needs_accessible else _("No"),
            n.get_situation_display(),
            _("Yes") if n.wishes_to_return else _("No"),
            n.refusal_count,
            _("Yes") if n.is_flagged else _("No"),
        ]
        for n in needs.iterator(chunk_size=2000)
    )
    return export_response(
        filename=f"relocation-board-{plan.pk}", fmt=fmt, header=header, rows=rows
    )


def _need_form(
    request: HttpRequest, plan: RelocationPlan, need: RelocationNeed | None
) -> forms.NeedForm:
    households = None
    if need is None:
        taken = selectors.need_household_ids(plan=plan)
        households = list(
            people_selectors.household_list(user=request.user, lab_id=plan.lab_id)
            .exclude(pk__in=taken)
            .prefetch_related(None)
            .values_list("id", "label")[:MAX_HOUSEHOLD_CHOICES]
        )
    units = [
        (e.unit_id, f"{e.unit.building.address} · {e.unit.code} · {e.unit.floor_area_m2} m²")
        for e in selectors.pool_list(plan=plan)
    ]
    initial: dict[str, Any] = {}
    if need is not None:
        initial = {
            name: getattr(need, f"{name}_id" if name in forms.FK_FIELDS else name)
            for name in services.NEED_FIELDS
        }
        initial["neighbours"] = [n.pk for n in need.neighbours.all()]
    return forms.NeedForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        households=households,
        phases=phase_choices(plan),
        units=units,
        zones=selectors.zone_choices(plan=plan),
        neighbours=selectors.need_choices(plan=plan, exclude_id=need.pk if need else None),
        show_note=permissions.can_view_meeting_note(request.user, plan.lab_id),
    )


def _need_fields(form: forms.NeedForm, plan: RelocationPlan, user: Any) -> dict[str, Any]:
    """Turn the form's ids into rows of the plan (the lists were already scoped)."""
    data = dict(form.cleaned_data)
    data.pop("household", None)
    phase_id = data.pop("phase", None)
    data["phase"] = plan.phases.filter(pk=phase_id).first() if phase_id else None
    pool_units = {e.unit_id: e.unit for e in selectors.pool_list(plan=plan)}
    for name in ("preferred_unit_1", "preferred_unit_2"):
        data[name] = pool_units.get(data.get(name) or 0)
    data["neighbours"] = list(plan.needs.filter(pk__in=data.pop("neighbours", [])))
    if not data.get("situation"):
        data.pop("situation", None)  # keep the one derived from the tenancy
    return data


@staff_view("relocation.add_relocationneed")
def need_create(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = get_plan(request, plan_pk)
    form = _need_form(request, plan, None)
    if request.method == "POST" and form.is_valid():
        household = people_selectors.household_get(
            user=request.user, pk=form.cleaned_data["household"]
        )
        if household is None:
            form.add_error("household", _("Choose a household of the list."))
        else:
            try:
                need = services.need_create(
                    actor=request.user,
                    plan=plan,
                    household=household,
                    **_need_fields(form, plan, request.user),
                )
            except ApplicationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Household added to the plan."))
                return redirect("relocation:need_detail", need.pk)
    return render(request, "relocation/need_form.html", {"plan": plan, "form": form})


def _get_need(request: HttpRequest, pk: int) -> RelocationNeed:
    return scoped_or_404(
        request, selectors.need_get(user=request.user, pk=pk), model=RelocationNeed, pk=pk
    )


@staff_view("relocation.view_relocationneed")
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = _get_need(request, pk)
    latest = selectors.need_latest_result(need=need)
    reasons: list[str] = []
    if latest and latest["match"] is not None:
        reasons = explain.matched_sentences(latest["match"].explanation, {})
    elif latest and latest["unmatched"] is not None:
        reasons = explain.unmatched_sentences(latest["unmatched"].explanation)
    return render(
        request,
        "relocation/need_detail.html",
        {
            "latest": latest,
            "reasons": reasons,
            "need": need,
            "plan": need.plan,
            "show_note": permissions.can_view_meeting_note(request.user, need.plan.lab_id),
            "editable": workflow.is_editable(need.status),
            "can_assess": workflow.can_transition(need.status, NeedStatus.ASSESSED)
            and need.status == NeedStatus.TO_ASSESS,
            "units": territory_selectors.unit_list(user=request.user).filter(
                pk__in=[pk for pk in (need.preferred_unit_1_id, need.preferred_unit_2_id) if pk]
            ),
        },
    )


@staff_view("relocation.change_relocationneed")
def need_edit(request: HttpRequest, pk: int) -> HttpResponse:
    need = _get_need(request, pk)
    if not workflow.is_editable(need.status):
        messages.error(
            request, _("An offer is out for this household: its needs can no longer be changed.")
        )
        return redirect("relocation:need_detail", need.pk)
    form = _need_form(request, need.plan, need)
    if request.method == "POST" and form.is_valid():
        fields = _need_fields(form, need.plan, request.user)
        try:
            services.need_update(actor=request.user, need=need, **fields)
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Needs saved."))
            return redirect("relocation:need_detail", need.pk)
    return render(
        request, "relocation/need_form.html", {"plan": need.plan, "form": form, "need": need}
    )


@require_POST
@staff_view("relocation.change_relocationneed")
def need_assess(request: HttpRequest, pk: int) -> HttpResponse:
    need = _get_need(request, pk)
    try:
        services.need_assess(actor=request.user, need=need)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Needs marked as assessed: the household joins the next solve.")
        )
    return redirect("relocation:need_detail", need.pk)


@require_POST
@staff_view("relocation.add_relocationneed")
def phase_add_households(request: HttpRequest, pk: int) -> HttpResponse:
    phase = scoped_or_404(
        request, selectors.phase_get(user=request.user, pk=pk), model=RelocationPhase, pk=pk
    )
    households = (
        people_selectors.household_list(user=request.user, lab_id=phase.plan.lab_id)
        .filter(tenancies__ends_on__isnull=True)
        .filter(
            Q(tenancies__unit__building__in=phase.buildings.all())
            | Q(tenancies__unit__in=phase.units.all())
        )
        .distinct()
        .prefetch_related("members", "tenancies__unit")
    )
    try:
        added = services.needs_add_from_phase(
            actor=request.user, phase=phase, households=households
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            ngettext(
                "%(n)s household added: assess its needs.",
                "%(n)s households added: assess their needs.",
                added,
            )
            % {"n": added},
        )
    return redirect("relocation:board", phase.plan_id)


urlpatterns: list[URLPattern] = [
    path("phases/<int:pk>/add-households/", phase_add_households, name="phase_add_households"),
    path("<int:plan_pk>/", board, name="board"),
    path("<int:plan_pk>/needs/new/", need_create, name="need_create"),
    path("needs/<int:pk>/", need_detail, name="need_detail"),
    path("needs/<int:pk>/edit/", need_edit, name="need_edit"),
    path("needs/<int:pk>/assess/", need_assess, name="need_assess"),
]
