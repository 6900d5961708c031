"""Front-desk intake, categories and the lab's report settings.

Every page works without JavaScript: choosing a category, a building or a stair is a
"continue" submit that re-draws the same form with the questions or lists that follow;
``reports/intake.js`` only submits it on change and adds a map to pick a point.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quartiere.accounts.selectors import organisation_list
from quartiere.core.exceptions import ApplicationError, NoCurrentLabError
from quartiere.core.views import scoped_or_404, staff_view
from quartiere.people import selectors as people_selectors
from quartiere.reports import selectors, services, sla
from quartiere.reports.forms_desk import (
    CategoryAttributeForm,
    CategoryForm,
    PolicyForm,
    ReportIntakeForm,
    ResidentLookupForm,
)
from quartiere.reports.models import Category, CategoryAttribute
from quartiere.territory import selectors as territory_selectors

View = Callable[..., HttpResponse | StreamingHttpResponse]
T = TypeVar("T")


def current_lab(request: HttpRequest) -> Any:
    """The lab the user works in now, or None (``request.lab`` is lazy: never ``is None``)."""
    lab = request.lab  # type: ignore[attr-defined]
    return lab if lab else None


def _pick(items: Iterable[T], raw: Any) -> T | None:
    """Return the item of an already scoped list whose pk is ``raw``, else None."""
    wanted = str(raw or "").strip()
    if not wanted:
        return None
    return next((item for item in items if str(item.pk) == wanted), None)  # type: ignore[attr-defined]


def _lab_or_refuse(request: HttpRequest) -> Any:
    lab = current_lab(request)
    if lab is None:
        raise NoCurrentLabError("no lab chosen")
    return lab


# --- Front-desk intake ----------------------------------------------------------------------


@staff_view("reports.add_report")
def report_create(request: HttpRequest) -> HttpResponse:
    """Record a report for a resident or an unregistered person at the desk."""
    lab = _lab_or_refuse(request)
    user = request.user
    raw = request.POST if request.method == "POST" else request.GET
    can_search = user.has_perm("people.view_resident")

    resident = None
    resident_id = raw.get("resident") or request.GET.get("resident")
    if can_search and resident_id and str(resident_id).isdigit():
        resident = people_selectors.resident_get(user=user, pk=int(resident_id))
        if resident is not None and resident.lab_id != lab.pk:
            resident = None
    lookup = ResidentLookupForm(request.GET or None)
    query = lookup.cleaned_data.get("q", "") if lookup.is_valid() else ""
    matches = None
    if can_search and query.strip():
        found = people_selectors.resident_list(
            user=user, lab_id=lab.pk, q=query, with_address=False
        )
        matches = list(found[:10])

    categories = list(selectors.category_list(user=user, lab_id=lab.pk, active_only=True))
    category = _pick(categories, raw.get("category"))
    buildings = list(territory_selectors.building_list(user=user, district_id=lab.district_id))
    building = _pick(buildings, raw.get("building"))
    entrances = list(territory_selectors.entrance_list(building=building)) if building else []
    entrance = _pick(entrances, raw.get("entrance"))
    units = (
        list(
            territory_selectors.unit_list(
                user=user,
                building_id=building.pk,
                entrance_id=entrance.pk if entrance else None,
            )
        )
        if building
        else []
    )
    duplicates = (
        selectors.report_duplicates(
            user=user, lab_id=lab.pk, category_id=category.pk, building_id=building.pk
        )
        if category and building
        else []
    )
    form_kwargs: dict[str, Any] = {
        "categories": categories,
        "buildings": buildings,
        "entrances": entrances,
        "units": units,
        "category": category,
        "resident": resident,
    }

    if request.method == "POST":
        form = ReportIntakeForm(request.POST, request.FILES, **form_kwargs)
        if "refresh" in request.POST:
            form.hide_errors()
        elif form.is_valid() and category is not None:  # a valid form has a category
            data = form.cleaned_data
            if duplicates and not data["confirm_different"]:
                form.add_error(
                    "confirm_different",
                    _(
                        "Open reports of this category exist for this building: check them "
                        "and tick this box if the problem is a different one."
                    ),
                )
            else:
                try:
                    report = services.report_submit(
                        lab=lab,
                        category=category,
                        description=data["description"],
                        channel=data["channel"],
                        actor=user,
                        building=building,
                        entrance=entrance,
                        unit=_pick(units, data["unit"]),
                        latitude=data["latitude"],
                        longitude=data["longitude"],
                        address_text=data["address_text"],
                        resident=resident,
                        contact_name="" if resident else data["contact_name"],
                        contact_email="" if resident else data["contact_email"],
                        contact_phone="" if resident else data["contact_phone"],
                        wants_updates=data["wants_updates"],
                        language=data["language"],
                        attributes=form.attribute_answers(),
                        uploads=[(f.name or "file", f.read()) for f in data["attachments"]],
                    )
                except ApplicationError as exc:
                    form.apply_errors(exc)
                else:
                    messages.success(
                        request,
                        _("Report recorded. Its tracking code is %(code)s.")
                        % {"code": report.tracking_code},
                    )
                    return redirect("reports:detail", pk=report.pk)
    else:
        form = ReportIntakeForm(
            initial={
                "resident": resident.pk if resident else None,
                "language": (resident.preferred_language if resident else "")
                or (get_language() or "it")[:2],
                "category": category.pk if category else None,
            },
            **form_kwargs,
        )
    return render(
        request,
        "reports/report_form.html",
        {
            "form": form,
            "lab": lab,
            "resident": resident,
            "lookup": lookup,
            "query": query,
            "matches": matches,
            "can_search": can_search,
            "category": category,
            "building": building,
            "duplicates": duplicates,
            "map_points": [
                {"label": b.address, "lat": float(b.latitude), "lon": float(b.longitude)}
                for b in buildings
                if b.latitude is not None and b.longitude is not None
            ],
        },
    )


# --- Categories -----------------------------------------------------------------------------


@staff_view("reports.view_category")
def category_list(request: HttpRequest) -> HttpResponse:
    """The current lab's categories (every lab's for region-wide roles without a lab)."""
    lab = current_lab(request)
    categories = selectors.category_list(user=request.user, lab_id=lab.pk if lab else None)
    return render(
        request,
        "reports/category_list.html",
        {"categories": categories, "lab": lab},
    )


def _category_or_404(request: HttpRequest, pk: int) -> Category:
    category = scoped_or_404(
        request,
        selectors.category_get(user=request.user, pk=pk),
        model=Category,
        pk=pk,
    )
    lab = current_lab(request)
    if lab is not None and category.lab_id != lab.pk:
        # Categories of another lab of the same user: edited from that lab.
        raise PermissionDenied
    return category


@staff_view("reports.add_category")
def category_create(request: HttpRequest) -> HttpResponse:
    lab = _lab_or_refuse(request)
    organisations = list(organisation_list())
    if request.method == "POST":
        form = CategoryForm(request.POST, organisations=organisations)
        if form.is_valid():
            try:
                category = services.category_create(
                    actor=request.user, lab=lab, **form.service_fields()
                )
            except ApplicationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, _("Category created. You can now add its questions."))
                return redirect("reports:category_edit", pk=category.pk)
    else:
        form = CategoryForm(organisations=organisations)
    return render(request, "reports/category_form.html", {"form": form, "category": None})


@staff_view("reports.change_category")
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    category = _category_or_404(request, pk)
    organisations = list(organisation_list())
    if request.method == "POST":
        form = CategoryForm(request.POST, organisations=organisations)
        if form.is_valid():
            try:
                services.category_update(
                    actor=request.user, category=category, **form.service_fields()
                )
            except ApplicationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("reports:category_list")
    else:
        form = CategoryForm(
            initial=CategoryForm.initial_from(category), organisations=organisations
        )
    return render(
        request,
        "reports/category_form.html",
        {"form": form, "category": category, "attributes": list(category.attributes.all())},
    )


def _attribute_form_view(
    request: HttpRequest, category: Category, attribute: CategoryAttribute | None
) -> HttpResponse:
    if request.method == "POST":
        form = CategoryAttributeForm(request.POST)
        if form.is_valid():
            try:
                services.category_attribute_save(
                    actor=request.user,
                    category=category,
                    attribute=attribute,
                    **form.cleaned_data,
                )
            except ApplicationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, _("Question saved."))
                return redirect("reports:category_edit", pk=category.pk)
    else:
        initial = CategoryAttributeForm.initial_from(attribute) if attribute else None
        form = CategoryAttributeForm(initial=initial)
    return render(
        request,
        "reports/category_attribute_form.html",
        {"form": form, "category": category, "attribute": attribute},
    )


def _attribute_or_404(category: Category, attribute_pk: int) -> CategoryAttribute:
    attribute = _pick(category.attributes.all(), attribute_pk)
    if attribute is None:
        raise Http404
    return attribute


@staff_view("reports.change_category")
def category_attribute_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _attribute_form_view(request, _category_or_404(request, pk), None)


@staff_view("reports.change_category")
def category_attribute_edit(request: HttpRequest, pk: int, attribute_pk: int) -> HttpResponse:
    category = _category_or_404(request, pk)
    return _attribute_form_view(request, category, _attribute_or_404(category, attribute_pk))


@require_POST
@staff_view("reports.change_category")
def category_attribute_delete(request: HttpRequest, pk: int, attribute_pk: int) -> HttpResponse:
    category = _category_or_404(request, pk)
    attribute = _attribute_or_404(category, attribute_pk)
    services.category_attribute_delete(actor=request.user, attribute=attribute)
    messages.success(request, _("Question removed. Answers already given stay on their reports."))
    return redirect("reports:category_edit", pk=category.pk)


# --- The lab's report settings --------------------------------------------------------------


def _upcoming_holidays(subdivision: str, today: dt.date) -> list[dict[str, Any]]:
    language = "en_US" if (get_language() or "it").startswith("en") else "it_IT"
    end = dt.date(today.year, 12, 31)
    return [
        {"day": day, "name": name, "is_weekday": day.weekday() < 5}
        for day, name in sla.holidays_between(today, end, subdivision, language=language)
    ]


@staff_view("reports.change_reportpolicy")
def policy_edit(request: HttpRequest) -> HttpResponse:
    """The lab's holiday calendar and reopen window, with the holidays due dates will skip."""
    lab = _lab_or_refuse(request)
    policy = selectors.report_policy_get(lab_id=lab.pk)
    if request.method == "POST":
        form = PolicyForm(request.POST)
        if form.is_valid():
            try:
                services.report_policy_update(
                    actor=request.user, lab_id=lab.pk, **form.cleaned_data
                )
            except ApplicationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, _("Report settings saved."))
                return redirect("reports:policy")
    else:
        form = PolicyForm(
            initial={
                "holiday_subdivision": policy.holiday_subdivision,
                "reopen_days": policy.reopen_days,
            }
        )
    today = timezone.localdate()
    return render(
        request,
        "reports/policy_form.html",
        {
            "form": form,
            "lab": lab,
            "policy": policy,
            "today": today,
            "holidays": _upcoming_holidays(policy.holiday_subdivision, today),
        },
    )


urlpatterns: list[URLPattern] = [
    path("new/", report_create, name="report_create"),
    path("categories/", category_list, name="category_list"),
    path("categories/new/", category_create, name="category_create"),
    path("categories/<int:pk>/", category_edit, name="category_edit"),
    path(
        "categories/<int:pk>/questions/new/",
        category_attribute_create,
        name="category_attribute_create",
    ),
    path(
        "categories/<int:pk>/questions/<int:attribute_pk>/",
        category_attribute_edit,
        name="category_attribute_edit",
    ),
    path(
        "categories/<int:pk>/questions/<int:attribute_pk>/delete/",
        category_attribute_delete,
        name="category_attribute_delete",
    ),
    path("settings/", policy_edit, name="policy"),
]
