"""Plans, phases, the unit pool and the adequacy rules."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quartiere.core.exceptions import ApplicationError
from quartiere.core.views import apply_service_errors, paginate, scoped_or_404, staff_view
from quartiere.relocation import forms, selectors, services
from quartiere.relocation.models import PoolUnit, RelocationPlan
from quartiere.territory import selectors as territory_selectors


def get_plan(request: HttpRequest, pk: int) -> RelocationPlan:
    """The plan ``pk`` if it belongs to one of the user's labs (404 otherwise, logged)."""
    return scoped_or_404(
        request, selectors.plan_get(user=request.user, pk=pk), model=RelocationPlan, pk=pk
    )


def phase_choices(plan: RelocationPlan) -> list[tuple[int, str]]:
    return [(p.pk, f"{p.name} · {p.vacate_by:%d/%m/%Y}") for p in plan.phases.all()]


@staff_view("relocation.view_relocationplan")
def plan_list(request: HttpRequest) -> HttpResponse:
    lab = request.lab  # type: ignore[attr-defined]
    plans = selectors.plan_list(user=request.user, lab_id=lab.pk if lab else None)
    page = paginate(request, plans)
    return render(request, "relocation/plan_list.html", {"page": page, "lab": lab or None})


@staff_view("relocation.add_relocationplan")
def plan_create(request: HttpRequest) -> HttpResponse:
    lab = request.lab  # type: ignore[attr-defined]
    if not lab:
        messages.error(request, _("Choose a lab first: a plan belongs to one lab."))
        return redirect("relocation:plan_list")
    form = forms.PlanForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.relocation_plan_create(
                actor=request.user, lab=lab, **form.plan_fields()
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Plan created with the default adequacy rules."))
            return redirect("relocation:board", plan.pk)
    return render(request, "relocation/plan_form.html", {"form": form, "plan": None})


@staff_view("relocation.change_relocationplan")
def plan_edit(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = get_plan(request, plan_pk)
    form = forms.PlanForm(
        request.POST if request.method == "POST" else None,
        initial=forms.PlanForm.initial_for(plan),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.relocation_plan_update(actor=request.user, plan=plan, **form.plan_fields())
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("Plan saved. The new weights apply from the next plan version.")
            )
            return redirect("relocation:board", plan.pk)
    return render(request, "relocation/plan_form.html", {"form": form, "plan": plan})


@staff_view("relocation.add_relocationphase")
def phase_create(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = get_plan(request, plan_pk)
    buildings = territory_selectors.building_choices(
        user=request.user, district_id=plan.lab.district_id
    )
    form = forms.PhaseForm(
        request.POST if request.method == "POST" else None,
        buildings=buildings,
        units=selectors.phase_unit_choices(plan=plan),
    )
    if request.method == "POST" and form.is_valid():
        chosen = list(
            territory_selectors.building_list(user=request.user).filter(
                pk__in=form.cleaned_data["buildings"]
            )
        )
        units = selectors.phase_units(plan=plan, unit_ids=form.cleaned_data["units"])
        try:
            services.relocation_phase_create(
                actor=request.user,
                plan=plan,
                name=form.cleaned_data["name"],
                vacate_by=form.cleaned_data["vacate_by"],
                buildings=chosen,
                units=units,
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Phase added."))
            return redirect("relocation:board", plan.pk)
    return render(
        request,
        "relocation/phase_form.html",
        {"plan": plan, "form": form, "phases": selectors.phase_list(plan=plan)},
    )


@staff_view("relocation.view_poolunit")
def pool(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = get_plan(request, plan_pk)
    filters = forms.PoolFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    entries = selectors.pool_list(
        plan=plan, move_kind=cleaned.get("move_kind", ""), source=cleaned.get("source", "")
    )
    form = None
    if request.user.has_perm("relocation.add_poolunit"):
        form = forms.PoolUnitForm(
            request.POST if request.method == "POST" else None,
            units=selectors.pool_candidate_units(plan=plan),
        )
        if request.method == "POST" and form.is_valid():
            unit = territory_selectors.unit_get(user=request.user, pk=form.cleaned_data["unit"])
            if unit is None:
                form.add_error("unit", _("Choose a unit of the list."))
            else:
                try:
                    services.pool_unit_add(
                        actor=request.user,
                        plan=plan,
                        unit=unit,
                        available_from=form.cleaned_data["available_from"],
                        move_kind=form.cleaned_data["move_kind"],
                        source=form.cleaned_data["source"],
                    )
                except ApplicationError as exc:
                    apply_service_errors(form, exc)
                else:
                    messages.success(request, _("Unit added to the pool."))
                    return redirect("relocation:pool", plan.pk)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "relocation/pool.html",
        {
            "plan": plan,
            "page": paginate(request, entries, per_page=50),
            "filters": filters,
            "form": form,
            "query": query.urlencode(),
        },
    )


@require_POST
@staff_view("relocation.change_poolunit")
def pool_remove(request: HttpRequest, pk: int) -> HttpResponse:
    entry = scoped_or_404(
        request, selectors.pool_unit_get(user=request.user, pk=pk), model=PoolUnit, pk=pk
    )
    try:
        services.pool_unit_remove(actor=request.user, entry=entry)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Unit taken out of the pool."))
    return redirect("relocation:pool", entry.plan_id)


def _rules_initial(plan: RelocationPlan) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "accessibility_rule": plan.accessibility_rule,
        "refusals_allowed": plan.refusals_allowed,
    }
    for rule in selectors.area_rules(plan=plan):
        initial[f"min_{rule.household_size}"] = rule.min_area_m2
        initial[f"max_{rule.household_size}"] = rule.max_area_m2
    for allowed in selectors.eligibility_rules(plan=plan):
        initial[f"allow_{allowed.situation}_{allowed.move_kind}"] = allowed.is_allowed
    return initial


@staff_view("relocation.view_arearule")
def rules(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = get_plan(request, plan_pk)
    can_edit = request.user.has_perm("relocation.change_arearule")
    data = request.POST if request.method == "POST" and can_edit else None
    form = forms.RulesForm(data, initial=_rules_initial(plan))
    if data is not None and form.is_valid():
        try:
            services.plan_rules_save(
                actor=request.user,
                plan=plan,
                ranges=form.ranges(),
                allowed=form.allowed(),
                accessibility_rule=form.cleaned_data["accessibility_rule"],
                refusals_allowed=form.cleaned_data["refusals_allowed"],
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Adequacy rules saved."))
            return redirect("relocation:rules", plan.pk)
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "relocation/rules.html",
        {"plan": plan, "form": form, "can_edit": can_edit},
    )


urlpatterns: list[URLPattern] = [
    path("", plan_list, name="plan_list"),
    path("new/", plan_create, name="plan_create"),
    path("<int:plan_pk>/edit/", plan_edit, name="plan_edit"),
    path("<int:plan_pk>/phases/new/", phase_create, name="phase_create"),
    path("<int:plan_pk>/pool/", pool, name="pool"),
    path("pool/<int:pk>/remove/", pool_remove, name="pool_remove"),
    path("<int:plan_pk>/rules/", rules, name="rules"),
]
