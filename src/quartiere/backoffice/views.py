"""Back-office pages for lab staff. Views parse input, call selectors/services, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quartiere.accounts.enums import Role
from quartiere.accounts.selectors import lab_list, user_scope
from quartiere.backoffice import forms
from quartiere.backoffice.imports import run_import
from quartiere.core import selectors as core_selectors
from quartiere.core.exceptions import ApplicationError, NoCurrentLabError
from quartiere.core.exports import FORMATS, export_response
from quartiere.core.formats import short_date
from quartiere.core.importing import FileFormatError
from quartiere.core.links import pk_url
from quartiere.core.lru import rendered_lru
from quartiere.core.views import apply_service_errors, paginate, scoped_or_404, staff_view
from quartiere.people import selectors as people_selectors
from quartiere.people import services as people_services
from quartiere.people.models import Consent, Household, Resident, Tenancy
from quartiere.reports import selectors as reports_selectors
from quartiere.reports.enums import OPEN_STATUSES
from quartiere.territory import selectors as territory_selectors
from quartiere.territory.enums import UnitStatus
from quartiere.territory.models import Building, Unit

View = Callable[..., HttpResponse | StreamingHttpResponse]


# --- Dashboard -----------------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Counts for the current lab (or every lab, for region-wide roles)."""
    scope = user_scope(request.user)
    lab = request.lab  # type: ignore[attr-defined]
    if scope.roles <= {Role.RESIDENT} and not scope.all_labs:
        # Residents have no back-office figures: they see their lab's contacts.
        return render(request, "backoffice/resident_home.html", {"lab": lab})
    if (scope.all_labs and request.GET.get("scope") != "lab") or not lab:
        lab_ids, district_ids = scope.lab_filter, (None if scope.all_labs else scope.district_ids)
        title = _("All labs")
        one_lab_id: int | None = None
    else:
        lab_ids, district_ids = frozenset({lab.pk}), frozenset({lab.district_id})
        title = lab.name
        one_lab_id = lab.pk
    people = people_selectors.resident_summary(lab_ids=lab_ids)
    units = territory_selectors.unit_status_summary(district_ids=district_ids)
    labs = (
        lab_list(user=request.user).annotate(resident_count=Count("residents"))
        if scope.all_labs
        else None
    )
    report_counts = None
    if request.user.has_perm("reports.view_report"):
        counts = reports_selectors.report_status_counts(user=request.user, lab_id=one_lab_id)
        report_counts = {
            "open": sum(counts.get(s, 0) for s in OPEN_STATUSES),
            "overdue": counts.get("overdue", 0),
        }
    return render(
        request,
        "backoffice/dashboard.html",
        {
            "title": title,
            "people": people,
            "units": units,
            "unit_total": sum(units.values()),
            "buildings": territory_selectors.building_count(district_ids=district_ids),
            "labs": labs,
            "memberships": scope.roles,
            "report_counts": report_counts,
        },
    )


# --- Residents ----------------------------------------------------------------------------


# The residents list's search bar by language and query: the bar (with its errors) and the
# valid values are the same for the same key, and building and rendering the form cost more
# than a search by codice fiscale.
_search_bars = rendered_lru(256)


def _resident_search(request: HttpRequest) -> tuple[dict[str, Any], SafeString]:
    """The valid filters of the residents list and its search bar."""
    data = request.GET.copy()
    data.pop("page", None)
    key = (get_language(), tuple((k, tuple(v)) for k, v in sorted(data.lists())))
    found = _search_bars.get(key)
    if found is None:
        form = forms.ResidentSearchForm(data or None)
        filters = form.cleaned_data if form.is_valid() else {}
        html = render_to_string(
            "backoffice/_resident_filters.html",
            {"form": form, "searched": any(filters.values()) if filters else False},
        )
        found = ({k: v for k, v in filters.items() if v}, mark_safe(html))  # noqa: S308
        _search_bars.put(key, found)
    return found


@staff_view("people.view_resident")
def resident_list(request: HttpRequest) -> HttpResponse:
    filters, filters_html = _resident_search(request)
    lab = request.lab  # type: ignore[attr-defined]
    rows = people_selectors.resident_page_rows(
        user=request.user, lab_id=lab.pk if lab else None, **filters
    )
    page = paginate(request, rows)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/resident_list.html",
        {
            "filters_html": filters_html,
            "page": page,
            "rows": _resident_rows(people_selectors.resident_rows_of(list(page.object_list))),
            "query": query.urlencode(),
        },
    )


def _resident_rows(residents: list[people_selectors.ResidentRow]) -> list[dict[str, Any]]:
    """The list's cells, prepared once per row (addresses without a reverse() per link)."""
    resident_url = pk_url("backoffice:resident_detail")
    household_url = pk_url("backoffice:household_detail")
    place = _("%(stair)s, floor %(floor)s")
    return [
        {
            "url": resident_url(r.id),
            "name": f"{r.last_name} {r.first_name}",
            "codice_fiscale": r.codice_fiscale,
            "born": short_date(r.birth_date),
            "address": f"{r.street} {r.number}, " + place % {"stair": r.stair, "floor": r.floor}
            if r.street
            else "",
            "household_url": household_url(r.household_id) if r.household_id else "",
            "household": r.household,
        }
        for r in residents
    ]


@staff_view("people.view_resident", "people.export_residents")
def resident_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Download the filtered residents list as CSV or XLSX; the export itself is audited."""
    form = forms.ResidentSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        fmt = "csv"
    lab = request.lab  # type: ignore[attr-defined]
    qs = people_selectors.resident_list(
        user=request.user, lab_id=lab.pk if lab else None, **{k: v for k, v in filters.items() if v}
    )
    people_services.residents_export_record(
        actor=request.user,
        lab_id=lab.pk if lab else None,
        fmt=fmt,
        filters={k: v for k, v in filters.items() if v},
        rows=qs.count(),
    )
    return export_response(
        filename=f"abitanti-{timezone.localdate():%Y%m%d}",
        fmt=fmt,
        header=people_selectors.EXPORT_HEADER,
        rows=people_selectors.resident_export_rows(qs=qs),
    )


@staff_view("people.view_resident")
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resident = scoped_or_404(
        request, people_selectors.resident_get(user=request.user, pk=pk), model=Resident, pk=pk
    )
    return render(
        request,
        "backoffice/resident_detail.html",
        {
            "resident": resident,
            "tenancy": (getattr(resident.household, "open_tenancies", None) or [None])[0]
            if resident.household
            else None,
            "consents": people_selectors.consent_list(resident=resident),
            "consent_form": forms.ConsentForm(),
            "can_edit": request.user.has_perm("people.change_resident"),
        },
    )


def _resident_form_view(request: HttpRequest, resident: Resident | None) -> HttpResponse:
    lab = request.lab if resident is None else resident.lab  # type: ignore[attr-defined]
    if not lab:  # request.lab is a lazy object: never ``is None``
        messages.error(request, _("You are not a member of any lab."))
        return redirect("backoffice:dashboard")
    duplicates: dict[str, Any] = {}
    if request.method == "POST":
        form = forms.ResidentForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            confirmed = data.pop("confirm_duplicate")
            duplicates = people_selectors.resident_duplicates(
                user=request.user,
                lab_id=lab.pk,
                codice_fiscale_value=data["codice_fiscale"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                birth_date=data["birth_date"],
                exclude_pk=resident.pk if resident else None,
            )
            has_dupes = duplicates["visible"] or duplicates["elsewhere"]
            if has_dupes and not confirmed:
                confirmed_data = request.POST.copy()
                confirmed_data["confirm_duplicate"] = "on"
                form.data = confirmed_data
                form.fields["confirm_duplicate"].widget = forms.forms.CheckboxInput(
                    attrs={"class": "form-check-input"}
                )
            else:
                try:
                    if resident is None:
                        resident = people_services.resident_create(
                            actor=request.user, lab=lab, **data
                        )
                        messages.success(request, _("Resident registered."))
                    else:
                        resident = people_services.resident_update(
                            actor=request.user, resident=resident, **data
                        )
                        messages.success(request, _("Changes saved."))
                    return redirect("backoffice:resident_detail", pk=resident.pk)
                except ApplicationError as exc:
                    apply_service_errors(form, exc)
    else:
        form = forms.ResidentForm(
            initial=forms.ResidentForm.initial_from(resident) if resident else None
        )
    return render(
        request,
        "backoffice/resident_form.html",
        {
            "form": form,
            "resident": resident,
            "duplicates": duplicates,
        },
    )


@staff_view("people.add_resident")
def resident_create(request: HttpRequest) -> HttpResponse:
    return _resident_form_view(request, None)


@staff_view("people.change_resident")
def resident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resident = scoped_or_404(
        request, people_selectors.resident_get(user=request.user, pk=pk), model=Resident, pk=pk
    )
    return _resident_form_view(request, resident)


@staff_view("people.view_resident")
def resident_sensitive(request: HttpRequest, pk: int) -> HttpResponse:
    """Show and edit the encrypted special-category profile; each view (or refusal) is logged."""
    resident = scoped_or_404(
        request, people_selectors.resident_get(user=request.user, pk=pk), model=Resident, pk=pk
    )
    if not request.user.has_perm("people.view_sensitive_profile"):
        people_selectors.sensitive_profile_get(
            user=request.user, resident=resident, path=request.path
        )  # logs the refusal
        raise PermissionDenied
    can_change = request.user.has_perm("people.change_sensitive_profile")
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        form = forms.SensitiveProfileForm(request.POST)
        if form.is_valid():
            people_services.sensitive_profile_save(
                actor=request.user, resident=resident, **form.cleaned_data
            )
            messages.success(request, _("Sensitive profile saved."))
            return redirect("backoffice:resident_sensitive", pk=resident.pk)
    else:
        profile = people_selectors.sensitive_profile_get(
            user=request.user, resident=resident, path=request.path
        )
        initial = (
            {
                "disability": profile.disability,
                "health_notes": profile.health_notes,
                "vulnerability": profile.vulnerability,
            }
            if profile
            else {}
        )
        form = forms.SensitiveProfileForm(initial=initial)
    return render(
        request,
        "backoffice/resident_sensitive.html",
        {
            "resident": resident,
            "form": form,
            "can_change": can_change,
        },
    )


@require_POST
@staff_view("people.add_consent")
def consent_create(request: HttpRequest, pk: int) -> HttpResponse:
    resident = scoped_or_404(
        request, people_selectors.resident_get(user=request.user, pk=pk), model=Resident, pk=pk
    )
    form = forms.ConsentForm(request.POST)
    if form.is_valid():
        try:
            people_services.consent_record(
                actor=request.user, resident=resident, **form.cleaned_data
            )
            messages.success(request, _("Consent recorded."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Choose a purpose and a legal basis."))
    return redirect("backoffice:resident_detail", pk=resident.pk)


@require_POST
@staff_view("people.change_consent")
def consent_withdraw(request: HttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    resident = scoped_or_404(
        request, people_selectors.resident_get(user=request.user, pk=pk), model=Resident, pk=pk
    )
    consent = scoped_or_404(
        request,
        people_selectors.consent_list(resident=resident).filter(pk=consent_pk).first(),
        model=Consent,
        pk=consent_pk,
    )
    try:
        people_services.consent_withdraw(actor=request.user, consent=consent)
        messages.success(request, _("Consent withdrawn."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("backoffice:resident_detail", pk=resident.pk)


# --- Households ---------------------------------------------------------------------------


@staff_view("people.view_household")
def household_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:100]
    lab = request.lab  # type: ignore[attr-defined]
    qs = people_selectors.household_list(user=request.user, q=q, lab_id=lab.pk if lab else None)
    return render(
        request,
        "backoffice/household_list.html",
        {
            "page": paginate(request, qs),
            "q": q,
        },
    )


@staff_view("people.add_household")
def household_create(request: HttpRequest) -> HttpResponse:
    lab = request.lab  # type: ignore[attr-defined]
    if not lab:  # request.lab is a lazy object: never ``is None``
        raise NoCurrentLabError("no lab chosen")
    reference = None
    ref_pk = request.GET.get("reference") or request.POST.get("reference")
    if ref_pk and ref_pk.isdigit():
        reference = people_selectors.resident_get(user=request.user, pk=int(ref_pk))
    if request.method == "POST":
        form = forms.HouseholdForm(request.POST)
        if form.is_valid():
            try:
                household = people_services.household_create(
                    actor=request.user,
                    lab=lab,
                    label=form.cleaned_data["label"],
                    reference_person=reference,
                )
                messages.success(request, _("Household created."))
                return redirect("backoffice:household_detail", pk=household.pk)
            except ApplicationError as exc:
                apply_service_errors(form, exc)
    else:
        form = forms.HouseholdForm(initial={"label": reference.last_name if reference else ""})
    return render(
        request,
        "backoffice/household_form.html",
        {
            "form": form,
            "reference": reference,
        },
    )


@staff_view("people.view_household")
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = scoped_or_404(
        request,
        people_selectors.household_get(user=request.user, pk=pk),
        model=Household,
        pk=pk,
    )
    candidates = None
    q = request.GET.get("q", "")[:100]
    if q:
        candidates = people_selectors.resident_list(
            user=request.user, q=q, lab_id=household.lab_id
        )[:10]
    tenancies = list(household.tenancies.all())
    open_tenancy = next((t for t in tenancies if t.ends_on is None), None)
    units = []
    if open_tenancy is None and request.user.has_perm("people.add_tenancy"):
        units = list(
            territory_selectors.unit_list(user=request.user, status="vacant").filter(
                building__district_id=household.lab.district_id
            )[:200]
        )
    return render(
        request,
        "backoffice/household_detail.html",
        {
            "household": household,
            "candidates": candidates,
            "q": q,
            "tenancies": tenancies,
            "open_tenancy": open_tenancy,
            "member_form": forms.HouseholdMemberForm(),
            "tenancy_form": forms.TenancyForm(),
            "units": units,
            "end_form": forms.TenancyEndForm(),
        },
    )


@require_POST
@staff_view("people.change_household")
def household_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    household = scoped_or_404(
        request,
        people_selectors.household_get(user=request.user, pk=pk),
        model=Household,
        pk=pk,
    )
    form = forms.HouseholdMemberForm(request.POST)
    if form.is_valid():
        resident = people_selectors.resident_get(
            user=request.user, pk=form.cleaned_data["resident"]
        )
        if resident is None:
            messages.error(request, _("Resident not found."))
        else:
            try:
                people_services.household_add_member(
                    actor=request.user,
                    household=household,
                    resident=resident,
                    role=form.cleaned_data["role"],
                )
                messages.success(request, _("Member added."))
            except ApplicationError as exc:
                messages.error(request, exc.message)
    return redirect("backoffice:household_detail", pk=household.pk)


@require_POST
@staff_view("people.change_household")
def household_member_remove(request: HttpRequest, pk: int, resident_pk: int) -> HttpResponse:
    household = scoped_or_404(
        request,
        people_selectors.household_get(user=request.user, pk=pk),
        model=Household,
        pk=pk,
    )
    resident = people_selectors.resident_get(user=request.user, pk=resident_pk)
    if resident is not None:
        try:
            people_services.household_remove_member(
                actor=request.user, household=household, resident=resident
            )
            messages.success(request, _("Member removed."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return redirect("backoffice:household_detail", pk=household.pk)


@require_POST
@staff_view("people.add_tenancy")
def tenancy_start(request: HttpRequest, pk: int) -> HttpResponse:
    household = scoped_or_404(
        request,
        people_selectors.household_get(user=request.user, pk=pk),
        model=Household,
        pk=pk,
    )
    form = forms.TenancyForm(request.POST)
    if form.is_valid():
        unit = territory_selectors.unit_get(user=request.user, pk=form.cleaned_data["unit"])
        if unit is None or unit.building.district_id != household.lab.district_id:
            messages.error(request, _("Choose a unit in the lab's district."))
        else:
            try:
                people_services.tenancy_start(
                    actor=request.user,
                    household=household,
                    unit=unit,
                    kind=form.cleaned_data["kind"],
                    starts_on=form.cleaned_data["starts_on"],
                )
                messages.success(request, _("Tenancy recorded."))
            except ApplicationError as exc:
                messages.error(request, exc.message)
    else:
        messages.error(request, _("Choose a unit, a kind and a start date."))
    return redirect("backoffice:household_detail", pk=household.pk)


@require_POST
@staff_view("people.change_tenancy")
def tenancy_end(request: HttpRequest, pk: int, tenancy_pk: int) -> HttpResponse:
    household = scoped_or_404(
        request,
        people_selectors.household_get(user=request.user, pk=pk),
        model=Household,
        pk=pk,
    )
    tenancy = scoped_or_404(
        request,
        next((t for t in household.tenancies.all() if t.pk == tenancy_pk), None),
        model=Tenancy,
        pk=tenancy_pk,
    )
    form = forms.TenancyEndForm(request.POST)
    if form.is_valid():
        try:
            people_services.tenancy_end(
                actor=request.user, tenancy=tenancy, ends_on=form.cleaned_data["ends_on"]
            )
            messages.success(request, _("Tenancy ended."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Enter a valid end date."))
    return redirect("backoffice:household_detail", pk=household.pk)


# --- Buildings ----------------------------------------------------------------------------


@staff_view("territory.view_building")
def building_list(request: HttpRequest) -> HttpResponse:
    form = forms.BuildingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    lab = request.lab  # type: ignore[attr-defined]
    district_id = lab.district_id if lab else None
    qs = territory_selectors.building_list(
        user=request.user,
        district_id=district_id,
        q=filters.get("q", ""),
        status=filters.get("status", ""),
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/building_list.html",
        {
            "form": form,
            "page": paginate(request, qs),
            "query": query.urlencode(),
        },
    )


@staff_view("territory.view_building")
def building_map(request: HttpRequest) -> HttpResponse:
    lab = request.lab  # type: ignore[attr-defined]
    points = territory_selectors.building_map_points(
        user=request.user, district_id=lab.district_id if lab else None
    )
    return render(
        request,
        "backoffice/building_map.html",
        {
            "points": points,
            "count": len(points),
        },
    )


@staff_view("territory.view_building")
def building_detail(request: HttpRequest, pk: int) -> HttpResponse:
    building = scoped_or_404(
        request,
        territory_selectors.building_get(user=request.user, pk=pk),
        model=Building,
        pk=pk,
    )
    entrances = list(territory_selectors.entrance_list(building=building))
    entrance_id = request.GET.get("stair")
    selected = next((e for e in entrances if str(e.pk) == entrance_id), None)
    units = list(
        territory_selectors.unit_list(
            user=request.user,
            building_id=building.pk,
            entrance_id=selected.pk if selected else None,
        )
    )
    tenants = people_selectors.unit_tenants(user=request.user, unit_ids=[u.pk for u in units])
    for unit in units:
        unit.tenancy = tenants.get(unit.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "backoffice/building_detail.html",
        {
            "building": building,
            "entrances": entrances,
            "selected": selected,
            "units": units,
            "show_tenants": request.user.has_perm("people.view_resident"),
        },
    )


@require_POST
@staff_view("territory.change_unit")
def unit_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a unit's status (vacant, unavailable, reserved); tenancies decide 'occupied'."""
    unit = scoped_or_404(
        request, territory_selectors.unit_get(user=request.user, pk=pk), model=Unit, pk=pk
    )
    status = request.POST.get("status", "")
    if status not in UnitStatus.values:
        messages.error(request, _("Choose a valid status."))
    else:
        lab = request.lab  # type: ignore[attr-defined]
        try:
            people_services.unit_status_change(
                actor=request.user, unit=unit, status=status, lab_id=lab.pk if lab else None
            )
            messages.success(request, _("Status changed."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return redirect("backoffice:unit_detail", pk=unit.pk)


@staff_view("territory.view_unit")
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = scoped_or_404(
        request, territory_selectors.unit_get(user=request.user, pk=pk), model=Unit, pk=pk
    )
    tenancy = people_selectors.unit_tenants(user=request.user, unit_ids=[unit.pk]).get(unit.pk)
    members = list(tenancy.household.members.all()) if tenancy else []
    return render(
        request,
        "backoffice/unit_detail.html",
        {
            "unit": unit,
            "tenancy": tenancy,
            "members": members,
            "status_choices": [c for c in UnitStatus.choices if c[0] != UnitStatus.OCCUPIED],
        },
    )


# --- Audit --------------------------------------------------------------------------------


@staff_view("core.view_auditevent")
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit trail of the user's labs (every lab for region officials), filterable."""
    lab_ids = user_scope(request.user).lab_filter
    actions = core_selectors.audit_action_choices(lab_ids=lab_ids)
    form = forms.AuditFilterForm(request.GET or None, actions=actions)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = core_selectors.audit_event_list(lab_ids=lab_ids, **{k: v for k, v in filters.items() if v})
    access = None
    if request.GET.get("view") == "access":
        access = paginate(request, core_selectors.access_event_list(lab_ids=lab_ids), 50)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/audit_log.html",
        {
            "form": form,
            "page": paginate(request, qs, 50),
            "access": access,
            "query": query.urlencode(),
            # Changes on people carry personal data: only roles that may read residents see them.
            "redact_people": not request.user.has_perm("people.view_resident"),
        },
    )


# --- Imports ------------------------------------------------------------------------------


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Coordinators upload a CSV/XLSX of units or residents; any bad row writes nothing."""
    allowed = {
        "units": request.user.has_perm("territory.import_units"),
        "residents": request.user.has_perm("people.import_residents"),
    }
    if not any(allowed.values()):
        raise PermissionDenied
    lab = request.lab  # type: ignore[attr-defined]
    report = None
    if request.method == "POST":
        form = forms.ImportForm(request.POST, request.FILES)
        if form.is_valid():
            kind = form.cleaned_data["kind"]
            if not allowed[kind] or not lab:
                raise PermissionDenied
            upload = form.cleaned_data["file"]
            try:
                report = run_import(
                    actor=request.user,
                    lab=lab,
                    kind=kind,
                    data=upload.read(),
                    filename=upload.name,
                    dry_run=form.cleaned_data["dry_run"],
                )
            except FileFormatError as exc:
                form.add_error("file", str(exc))
            else:
                if report.errors:
                    messages.error(request, _("The file has errors: nothing was written."))
                elif report.dry_run:
                    messages.info(
                        request, _("The file is valid. Untick the check box to import it.")
                    )
                else:
                    messages.success(request, _("Import complete."))
    else:
        form = forms.ImportForm()
    return render(
        request,
        "backoffice/import.html",
        {
            "form": form,
            "report": report,
            "allowed": allowed,
        },
    )
