"""Coordinator pages: measures (gates, rule versions, budget), paths and their sessions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quartiere.core.exceptions import ApplicationError
from quartiere.core.views import apply_service_errors, paginate, scoped_or_404, staff_view
from quartiere.territory import selectors as territory_selectors
from quartiere.training import eligibility, forms, permissions, selectors
from quartiere.training.enums import Gate
from quartiere.training.models import Measure, TrainingPath, TrainingSession
from quartiere.training.services import measures as services


def current_lab(request: HttpRequest) -> Any:
    lab = request.lab  # type: ignore[attr-defined]
    return lab if lab else None  # a lazy object: never ``is None``


def _person(user: Any) -> str:
    return user.get_full_name() or user.get_username()


# --- Measures -------------------------------------------------------------------------------


@staff_view("training.view_measure")
def measure_list(request: HttpRequest) -> HttpResponse:
    measures = list(selectors.measure_list(user=request.user))
    ids = [m.pk for m in measures]
    due = selectors.measure_allowance_due(measure_ids=ids) if ids else {}
    paid = selectors.measure_payment_totals(user=request.user, measure_ids=ids) if ids else {}
    rows = []
    for m in measures:
        spent = due.get(m.pk, Decimal("0"))
        share = (spent / m.allowance_budget * 100) if m.allowance_budget else None
        rows.append({"measure": m, "due": spent, "paid": paid.get(m.pk), "share": share})
    return render(
        request,
        "training/measure_list.html",
        {"rows": rows, "can_add": request.user.has_perm("training.add_measure")},
    )


def _building_choices(request: HttpRequest, lab: Any) -> list[tuple[int, str]]:
    return territory_selectors.building_choices(user=request.user, district_id=lab.district_id)


def _measure_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "target_buildings"}


def _buildings(request: HttpRequest, lab: Any, ids: list[int]) -> list[Any]:
    return list(
        territory_selectors.building_list(user=request.user, district_id=lab.district_id).filter(
            pk__in=ids
        )
    )


@staff_view("training.add_measure")
def measure_create(request: HttpRequest) -> HttpResponse:
    lab = current_lab(request)
    if lab is None:
        messages.warning(request, _("Choose a lab first: a measure belongs to one lab."))
        return redirect("training:measure_list")
    form = forms.MeasureForm(request.POST or None, buildings=_building_choices(request, lab))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            measure = services.measure_create(
                actor=request.user,
                lab=lab,
                target_buildings=_buildings(request, lab, data["target_buildings"]),
                **_measure_fields(data),
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Measure created with the default allowance rule."))
            return redirect("training:measure_detail", pk=measure.pk)
    return render(request, "training/measure_form.html", {"form": form, "lab": lab})


def _measure_or_404(request: HttpRequest, pk: int) -> Measure:
    return scoped_or_404(
        request, selectors.measure_get(user=request.user, pk=pk), model=Measure, pk=pk
    )


@staff_view("training.view_measure")
def measure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    measure = _measure_or_404(request, pk)
    due = selectors.measure_allowance_due(measure_ids=[measure.pk])[measure.pk]
    paid = selectors.measure_payment_totals(user=request.user, measure_ids=[measure.pk]).get(
        measure.pk
    )
    gates = [
        {
            "label": g.label,
            "enabled": getattr(measure, f"gate_{g.value}"),
            "rule": _gate_rule(measure, g),
        }
        for g in Gate
    ]
    return render(
        request,
        "training/measure_detail.html",
        {
            "measure": measure,
            "gates": gates,
            "rules": list(measure.rules.all()),
            "paths": selectors.path_list(user=request.user, measure_id=measure.pk),
            "due": due,
            "paid": paid,
            "share": (due / measure.allowance_budget * 100) if measure.allowance_budget else None,
            "can_manage": permissions.can_manage_measure(request.user, measure),
            "rule_form": forms.AllowanceRuleForm(),
        },
    )


def _gate_rule(measure: Measure, gate: Gate) -> str:
    if gate == Gate.AGE:
        return _("At least %(n)s years old") % {"n": measure.min_age}
    if gate == Gate.RESIDENCE:
        n = len(measure.target_buildings.all())
        if n:
            return _("Lives in one of the %(n)s buildings of the target area") % {"n": n}
        return _("Lives in the lab's district")
    if gate == Gate.UNEMPLOYED:
        return _("Unemployed for at least %(n)s months") % {"n": measure.min_unemployed_months}
    if gate == Gate.PERMIT:
        return _("Non-EU citizens hold a valid residence permit")
    if gate == Gate.ISEE:
        return _("ISEE at or under EUR %(v)s, certificate at most %(m)s months old") % {
            "v": eligibility._money(str(measure.isee_threshold)),
            "m": measure.isee_max_age_months,
        }
    return _("Receives no income support (NASpI, DIS-COLL, CIG...)")


@staff_view("training.change_measure")
def measure_update(request: HttpRequest, pk: int) -> HttpResponse:
    measure = _measure_or_404(request, pk)
    if not permissions.can_manage_measure(request.user, measure):
        raise PermissionDenied
    initial = {name: getattr(measure, name) for name in services.MEASURE_FIELDS}
    initial["target_buildings"] = [b.pk for b in measure.target_buildings.all()]
    form = forms.MeasureForm(
        request.POST or None, initial=initial, buildings=_building_choices(request, measure.lab)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.measure_update(
                actor=request.user,
                measure=measure,
                target_buildings=_buildings(request, measure.lab, data["target_buildings"]),
                **_measure_fields(data),
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Measure saved."))
            return redirect("training:measure_detail", pk=measure.pk)
    return render(
        request,
        "training/measure_form.html",
        {"form": form, "measure": measure, "lab": measure.lab},
    )


@staff_view("training.add_allowancerule")
def rule_add(request: HttpRequest, pk: int) -> HttpResponse:
    measure = _measure_or_404(request, pk)
    if not permissions.can_manage_measure(request.user, measure):
        raise PermissionDenied
    form = forms.AllowanceRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.allowance_rule_add(actor=request.user, measure=measure, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("New allowance rule version saved."))
            return redirect("training:measure_detail", pk=measure.pk)
    return render(request, "training/rule_form.html", {"form": form, "measure": measure})


# --- Paths ----------------------------------------------------------------------------------


@staff_view("training.view_trainingpath")
def path_list(request: HttpRequest) -> HttpResponse:
    form = forms.PathFilterForm(request.GET or None)
    cleaned = form.cleaned_data if form.is_valid() else {}
    qs = selectors.path_list(
        user=request.user, status=cleaned.get("status") or "", q=cleaned.get("q") or ""
    )
    page = paginate(request, qs)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "training/path_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_add": request.user.has_perm("training.add_trainingpath"),
        },
    )


def _path_or_404(request: HttpRequest, pk: int) -> TrainingPath:
    return scoped_or_404(
        request, selectors.path_get(user=request.user, pk=pk), model=TrainingPath, pk=pk
    )


def _path_form_choices(request: HttpRequest, lab_id: int) -> dict[str, Any]:
    operators = [
        (o.pk, o.organisation.name)
        for o in selectors.operator_list(user=request.user, lab_id=lab_id)
    ]
    trainers = [(u.pk, _person(u)) for u in selectors.trainer_choices(lab_id=lab_id)]
    return {"operators": operators, "trainers": trainers}


def _path_fields(request: HttpRequest, data: dict[str, Any], lab_id: int) -> dict[str, Any]:
    fields = dict(data)
    fields["operator"] = selectors.operator_list(user=request.user, lab_id=lab_id).get(
        pk=data["operator"]
    )
    fields["trainer"] = (
        selectors.trainer_choices(lab_id=lab_id).filter(pk=data["trainer"]).first()
        if data.get("trainer")
        else None
    )
    return fields


@staff_view("training.add_trainingpath")
def path_create(request: HttpRequest, pk: int) -> HttpResponse:
    measure = _measure_or_404(request, pk)
    if not permissions.can_manage_measure(request.user, measure):
        raise PermissionDenied
    form = forms.PathForm(request.POST or None, **_path_form_choices(request, measure.lab_id))
    if request.method == "POST" and form.is_valid():
        try:
            path = services.training_path_create(
                actor=request.user,
                measure=measure,
                **_path_fields(request, form.cleaned_data, measure.lab_id),
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Path created: now add its sessions."))
            return redirect("training:path_detail", pk=path.pk)
    return render(request, "training/path_form.html", {"form": form, "measure": measure})


@staff_view("training.change_trainingpath")
def path_update(request: HttpRequest, pk: int) -> HttpResponse:
    path = _path_or_404(request, pk)
    if not permissions.can_manage_measure(request.user, path.measure):
        raise PermissionDenied
    initial = {name: getattr(path, name) for name in services.PATH_FIELDS}
    initial["operator"], initial["trainer"] = path.operator_id, path.trainer_id
    form = forms.PathForm(
        request.POST or None, initial=initial, **_path_form_choices(request, path.lab_id)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.training_path_update(
                actor=request.user,
                path=path,
                **_path_fields(request, form.cleaned_data, path.lab_id),
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Path saved."))
            return redirect("training:path_detail", pk=path.pk)
    return render(
        request, "training/path_form.html", {"form": form, "measure": path.measure, "path": path}
    )


@staff_view("training.view_trainingpath")
def path_detail(request: HttpRequest, pk: int) -> HttpResponse:
    path = _path_or_404(request, pk)
    sessions = list(selectors.session_list(path=path))
    staff = permissions.is_lab_training_staff(request.user)
    enrolments = selectors.enrolment_list(user=request.user, path_id=path.pk) if staff else None
    return render(
        request,
        "training/path_detail.html",
        {
            "path": path,
            "sessions": sessions,
            "enrolments": enrolments,
            "active_count": selectors.active_enrolment_count(path=path),
            "can_manage": permissions.can_manage_measure(request.user, path.measure),
            "can_enrol": permissions.can_enrol(request.user, path),
            "can_enter": permissions.can_enter_register(request.user, path),
            "schedule_form": forms.SessionScheduleForm(
                initial={"first_day": path.starts_on, "last_day": path.ends_on}
            ),
        },
    )


@require_POST
@staff_view("training.add_trainingsession")
def session_generate(request: HttpRequest, pk: int) -> HttpResponse:
    path = _path_or_404(request, pk)
    if not permissions.can_manage_measure(request.user, path.measure):
        raise PermissionDenied
    form = forms.SessionScheduleForm(request.POST)
    if form.is_valid():
        try:
            created = services.training_sessions_generate(
                actor=request.user, path=path, **form.cleaned_data
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("%(n)s sessions added to the schedule.") % {"n": len(created)}
            )
            return redirect("training:path_detail", pk=path.pk)
    return render(request, "training/session_schedule.html", {"form": form, "path": path})


@require_POST
@staff_view("training.delete_trainingsession")
def session_delete(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(user=request.user, pk=pk)
    if session is None:
        raise Http404
    session = scoped_or_404(request, session, model=TrainingSession, pk=pk)
    if not permissions.can_manage_measure(request.user, session.path.measure):
        raise PermissionDenied
    try:
        services.training_session_delete(actor=request.user, session=session)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Session deleted."))
    return redirect("training:path_detail", pk=session.path_id)


@staff_view()
def index(request: HttpRequest) -> HttpResponse:
    """Send staff to the paths and residents to their own page."""
    if request.user.has_perm("training.view_trainingpath"):
        return redirect("training:path_list")
    return redirect("training:my_training")
