"""Solving, plan versions side by side, and the map of origin and destination buildings."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from quartiere.core.exceptions import ApplicationError
from quartiere.core.exports import FORMATS, export_response
from quartiere.core.views import paginate, scoped_or_404, staff_view
from quartiere.relocation import explain, forms, selectors, services, tasks
from quartiere.relocation.models import PlanVersion
from quartiere.relocation.views.plans import get_plan, phase_choices

# Plans with more households than this are solved by the task worker, not in the request.
TASK_THRESHOLD = 1500


@require_POST
@staff_view("relocation.solve_relocationplan")
def solve(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = get_plan(request, plan_pk)
    form = forms.SolveForm(request.POST, phases=phase_choices(plan))
    if not form.is_valid():
        messages.error(request, _("Choose the whole plan or one of its phases."))
        return redirect("relocation:versions", plan.pk)
    phase_id = form.cleaned_data.get("phase")
    phase = plan.phases.filter(pk=phase_id).first() if phase_id else None
    count = selectors.need_status_counts(plan=plan, phase_id=phase_id)
    size = sum(count.values())
    immediate = "immediate" in settings.TASKS["default"]["BACKEND"].lower()
    if size > TASK_THRESHOLD and not immediate:
        tasks.relocation_plan_solve_task.enqueue(plan.pk, phase_id, request.user.pk)
        messages.info(request, _("The plan is being computed: the new version appears here soon."))
        return redirect("relocation:versions", plan.pk)
    try:
        version = services.relocation_plan_solve(plan=plan, phase=phase, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("relocation:versions", plan.pk)
    messages.success(
        request,
        _("Version %(n)s computed: %(matched)s of %(total)s households matched.")
        % {"n": version.number, "matched": version.matched_count, "total": version.need_count},
    )
    return redirect("relocation:version_detail", version.pk)


@staff_view("relocation.view_planversion")
def versions(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = get_plan(request, plan_pk)
    rows = selectors.version_list(plan=plan)
    return render(
        request,
        "relocation/version_list.html",
        {
            "plan": plan,
            "page": paginate(request, rows),
            "solve_form": forms.SolveForm(phases=phase_choices(plan)),
        },
    )


def _get_version(request: HttpRequest, pk: int) -> PlanVersion:
    return scoped_or_404(
        request, selectors.version_get(user=request.user, pk=pk), model=PlanVersion, pk=pk
    )


@staff_view("relocation.view_planversion")
def version_detail(request: HttpRequest, pk: int) -> HttpResponse | StreamingHttpResponse:
    version = _get_version(request, pk)
    matches = selectors.version_matches(version=version)
    unmatched = list(selectors.version_unmatched(version=version))
    fmt = request.GET.get("format", "")
    if fmt in FORMATS:
        if not request.user.has_perm("relocation.export_relocation"):
            raise PermissionDenied
        return _version_export(version, matches, unmatched, fmt)
    page = paginate(request, matches, per_page=50)
    rows = list(page.object_list)
    wanted = {
        n.get("unit_id")
        for m in rows
        for n in (m.explanation.get("preferences") or [])
        if n.get("unit_id")
    }
    labels = selectors.unit_labels(unit_ids=wanted)
    for m in rows:
        m.reasons = explain.matched_sentences(m.explanation, labels)  # type: ignore[attr-defined]
    for u in unmatched:
        u.reasons = explain.unmatched_sentences(u.explanation)  # type: ignore[attr-defined]
    latest = selectors.latest_version(plan=version.plan)
    return render(
        request,
        "relocation/version_detail.html",
        {
            "plan": version.plan,
            "version": version,
            "page": page,
            "rows": rows,
            "unmatched": unmatched,
            "weights": explain.weight_labels(version.weights or {}),
            "is_latest": latest is not None and latest.pk == version.pk,
            "previous": selectors.version_list(plan=version.plan)
            .filter(number__lt=version.number)
            .first(),
        },
    )


def _version_export(
    version: PlanVersion, matches: Any, unmatched: list[Any], fmt: str
) -> HttpResponse | StreamingHttpResponse:
    header = [
        _("Household"),
        _("From"),
        _("To"),
        _("Unit"),
        _("Move kind"),
        _("Score"),
        _("Kept from an offer"),
        _("Why"),
    ]
    rows: list[list[Any]] = []
    for m in matches:
        rows.append(
            [
                m.need.household.label,
                m.need.origin_unit.building.address if m.need.origin_unit else "",
                m.unit.building.address,
                m.unit.code,
                m.get_move_kind_display(),
                m.score,
                _("Yes") if m.is_locked else _("No"),
                " ".join(explain.matched_sentences(m.explanation, {})),
            ]
        )
    for u in unmatched:
        rows.append(
            [
                u.need.household.label,
                u.need.origin_unit.building.address if u.need.origin_unit else "",
                "",
                "",
                "",
                "",
                "",
                " ".join(explain.unmatched_sentences(u.explanation)),
            ]
        )
    return export_response(
        filename=f"relocation-plan-{version.plan_id}-v{version.number}",
        fmt=fmt,
        header=header,
        rows=rows,
    )


KIND_LABELS = {
    "moved": gettext_lazy("Other unit"),
    "newly_matched": gettext_lazy("Now has a unit"),
    "newly_unmatched": gettext_lazy("Now without a unit"),
}


@staff_view("relocation.view_planversion")
def compare(request: HttpRequest, plan_pk: int) -> HttpResponse:
    from quartiere.relocation import plan_diff

    plan = get_plan(request, plan_pk)
    all_versions = list(selectors.version_list(plan=plan))
    by_number = {v.number: v for v in all_versions}

    def pick(name: str, default: PlanVersion | None) -> PlanVersion | None:
        raw = request.GET.get(name, "")
        return by_number.get(int(raw)) if raw.isdigit() else default

    new = pick("b", all_versions[0] if all_versions else None)
    old = pick("a", all_versions[1] if len(all_versions) > 1 else None)
    rows: list[dict[str, Any]] = []
    if old is not None and new is not None:
        old_map, old_expl = selectors.version_assignment(version=old)
        new_map, new_expl = selectors.version_assignment(version=new)
        changes = plan_diff.compare(
            old_map,
            new_map,
            old_explanations=old_expl,
            new_explanations=new_expl,
            old_pool=selectors.version_pool(version=old),
            new_pool=selectors.version_pool(version=new),
        )
        # Ids went in as primary keys (ints) and come back as such.
        units: dict[Any, str] = dict(
            selectors.unit_labels(
                unit_ids={
                    cast(int, u) for c in changes for u in (c.old_unit_id, c.new_unit_id) if u
                }
            )
        )
        names: dict[Any, str] = dict(
            selectors.need_labels(need_ids={cast(int, c.household_id) for c in changes})
        )
        for c in changes:
            rows.append(
                {
                    "need_id": c.household_id,
                    "household": names.get(c.household_id, ""),
                    "kind": str(KIND_LABELS.get(str(c.kind), c.kind)),
                    "old": units.get(c.old_unit_id, "—") if c.old_unit_id else "—",
                    "new": units.get(c.new_unit_id, "—") if c.new_unit_id else "—",
                    "reasons": [explain.reason_label(r.code, r.params) for r in c.reasons],
                }
            )
    return render(
        request,
        "relocation/compare.html",
        {
            "plan": plan,
            "versions": all_versions,
            "old": old,
            "new": new,
            "rows": rows,
        },
    )


@staff_view("relocation.view_relocationplan")
def plan_map(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = get_plan(request, plan_pk)
    data = selectors.plan_map(plan=plan)
    points = [p for p in data["origins"] + data["destinations"] if p["lat"] is not None]
    return render(
        request,
        "relocation/map.html",
        {"plan": plan, "data": data, "points": points},
    )


urlpatterns: list[URLPattern] = [
    path("<int:plan_pk>/solve/", solve, name="solve"),
    path("<int:plan_pk>/versions/", versions, name="versions"),
    path("versions/<int:pk>/", version_detail, name="version_detail"),
    path("<int:plan_pk>/compare/", compare, name="compare"),
    path("<int:plan_pk>/map/", plan_map, name="map"),
]
