"""Back-office pages of the regeneration programme (mounted at /backoffice/programme/).

Lab coordinators and operators of the programme's lab edit actions, milestones, funding, news
and documents; region officials read. Views parse input and call services; selectors read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quartiere.accounts.selectors import organisation_list, user_scope
from quartiere.core.exceptions import ApplicationError
from quartiere.core.exports import FORMATS, export_response
from quartiere.core.importing import FileFormatError, read_rows
from quartiere.core.views import paginate, scoped_or_404, staff_view
from quartiere.programme import selectors, services
from quartiere.programme.forms import (
    ActionForm,
    ActionLineForm,
    AllocationForm,
    DocumentForm,
    FundingSourceForm,
    ImportForm,
    MilestoneForm,
    NewsFilterForm,
    NewsForm,
    PaymentForm,
    PhotoForm,
    ProgrammeForm,
)
from quartiere.programme.models import Action, FundingSource, NewsItem, Programme
from quartiere.programme.permissions import can_edit_programme
from quartiere.territory.models import Building

VIEW = "programme.view_programme"


# --- Helpers -------------------------------------------------------------------------------


def _programme(request: HttpRequest, pk: int) -> Programme:
    return scoped_or_404(
        request, selectors.programme_get(user=request.user, pk=pk), model=Programme, pk=pk
    )


def _action(request: HttpRequest, pk: int) -> Action:
    return scoped_or_404(
        request, selectors.action_get(user=request.user, pk=pk), model=Action, pk=pk
    )


def _require_edit(request: HttpRequest, programme: Programme, perm: str = "change_action") -> None:
    if not can_edit_programme(request.user, programme, perm):
        raise PermissionDenied


def _form_page(
    request: HttpRequest,
    *,
    form: Any,
    title: str,
    back_url: str,
    programme: Programme,
    action: Action | None = None,
    multipart: bool = False,
    intro: str = "",
) -> HttpResponse:
    return render(
        request,
        "programme/form.html",
        {
            "form": form,
            "title": title,
            "back_url": back_url,
            "programme": programme,
            "action": action,
            "multipart": multipart,
            "intro": intro,
        },
    )


def _save(request: HttpRequest, form: Any, write: Callable[[], Any], success: str) -> bool:
    """Run a service with the form's data; put its errors on the form; True when saved."""
    try:
        write()
    except ApplicationError as exc:
        form.apply_errors(exc)
        return False
    messages.success(request, success)
    return True


def _action_url(action: Action, anchor: str = "") -> str:
    return reverse("programme:action_detail", args=[action.pk]) + (f"#{anchor}" if anchor else "")


# --- Programme -----------------------------------------------------------------------------


@staff_view(VIEW)
def programme_list(request: HttpRequest) -> HttpResponse:
    programmes = list(selectors.programme_list(user=request.user))
    if len(programmes) == 1 and not request.GET.get("all"):
        return redirect("programme:programme_detail", pk=programmes[0].pk)
    return render(request, "programme/programme_list.html", {"programmes": programmes})


@staff_view(VIEW)
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    tree = selectors.action_tree(programme=programme)
    return render(
        request,
        "programme/programme_detail.html",
        {
            "programme": programme,
            "tree": tree,
            "nodes": list(tree.nodes()),
            "by_source": selectors.funding_by_source(programme=programme, published_only=False),
            "by_line": selectors.funding_by_line(programme=programme, published_only=False),
            "can_edit": can_edit_programme(request.user, programme, "add_action"),
            "can_import": can_edit_programme(request.user, programme, "import_programme_data"),
            "can_edit_programme": can_edit_programme(request.user, programme, "change_programme"),
            "formats": FORMATS,
        },
    )


@staff_view(VIEW, "programme.change_programme")
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    _require_edit(request, programme, "change_programme")
    if request.method == "POST":
        form = ProgrammeForm(request.POST, instance=programme)
        if form.is_valid():
            data = dict(form.cleaned_data)
            if _save(
                request,
                form,
                lambda: services.programme_update(actor=request.user, programme=programme, **data),
                _("Changes saved."),
            ):
                return redirect("programme:programme_detail", pk=programme.pk)
    else:
        form = ProgrammeForm(instance=programme)
    return _form_page(
        request,
        form=form,
        title=_("Edit the programme"),
        back_url=reverse("programme:programme_detail", args=[programme.pk]),
        programme=programme,
    )


@staff_view(VIEW, "programme.add_actionline")
def line_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    _require_edit(request, programme, "add_actionline")
    form = ActionLineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if _save(
            request,
            form,
            lambda: services.action_line_create(actor=request.user, programme=programme, **data),
            _("Action line added."),
        ):
            return redirect("programme:programme_detail", pk=programme.pk)
    return _form_page(
        request,
        form=form,
        title=_("New action line"),
        back_url=reverse("programme:programme_detail", args=[programme.pk]),
        programme=programme,
    )


@staff_view(VIEW, "programme.view_fundingsource")
def source_list(request: HttpRequest) -> HttpResponse:
    """The configurable funding sources; coordinators add and change them."""
    can_edit = (
        request.user.has_perm("programme.add_fundingsource")
        and not user_scope(request.user).all_labs
    )
    form = FundingSourceForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            if _save(
                request,
                form,
                lambda: services.funding_source_create(
                    actor=request.user,
                    code=data["code"],
                    name_it=data["name_it"],
                    name_en=data["name_en"],
                    kind=data["kind"],
                    order=data["order"],
                ),
                _("Funding source added."),
            ):
                return redirect("programme:source_list")
    return render(
        request,
        "programme/source_list.html",
        {
            "sources": list(selectors.funding_source_list(active_only=False)),
            "form": form,
            "can_edit": can_edit,
            "can_change": request.user.has_perm("programme.change_fundingsource")
            and not user_scope(request.user).all_labs,
        },
    )


@staff_view(VIEW, "programme.change_fundingsource")
def source_edit(request: HttpRequest, source_pk: int) -> HttpResponse:
    if user_scope(request.user).all_labs and not request.user.is_superuser:
        raise PermissionDenied
    source = FundingSource.objects.filter(pk=source_pk).first()
    if source is None:
        raise Http404
    if request.method == "POST":
        form = FundingSourceForm(request.POST, instance=source)
        if form.is_valid():
            data = dict(form.cleaned_data)
            if _save(
                request,
                form,
                lambda: services.funding_source_update(actor=request.user, source=source, **data),
                _("Changes saved."),
            ):
                return redirect("programme:source_list")
    else:
        form = FundingSourceForm(instance=source)
    return render(
        request,
        "programme/form.html",
        {
            "form": form,
            "title": _("Edit the funding source"),
            "back_url": reverse("programme:source_list"),
            "programme": None,
            "action": None,
        },
    )


@staff_view(VIEW)
def action_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse | StreamingHttpResponse:
    """The action tree with progress and funding as CSV or XLSX, for the offices."""
    if fmt not in FORMATS:
        raise Http404
    programme = _programme(request, pk)
    tree = selectors.action_tree(programme=programme)
    codes = [s.code for s in tree.sources]
    header = [
        _("Key"),
        _("Action line"),
        _("Part of"),
        _("Title"),
        "CUP",
        _("Status"),
        _("Progress (%)"),
        _("Budget (EUR)"),
        *[f"{c} (EUR)" for c in codes],
        _("Allocated (EUR)"),
        _("Committed (EUR)"),
        _("Paid (EUR)"),
        _("Planned start"),
        _("Planned end"),
        _("Actual start"),
        _("Actual end"),
    ]
    rows = (
        [
            n.action.key,
            n.action.line.code,
            n.action.parent.key if n.action.parent_id and n.action.parent else "",
            n.action.title_it,
            n.action.cup,
            n.status_label,
            n.progress_percent,
            n.action.budget_amount,
            *[n.funding.get(c, 0) for c in codes],
            n.allocated_amount,
            n.committed_amount,
            n.paid_amount,
            n.action.planned_start_on,
            n.action.planned_end_on,
            n.action.actual_start_on,
            n.action.actual_end_on,
        ]
        for n in tree.nodes()
    )
    return export_response(filename=f"{programme.slug}-actions", fmt=fmt, header=header, rows=rows)


# --- Actions -------------------------------------------------------------------------------


def _action_form(
    programme: Programme, *args: Any, exclude_pk: int | None = None, **kwargs: Any
) -> ActionForm:
    parents = selectors.action_choices(programme=programme)
    if exclude_pk is not None:
        parents = parents.exclude(pk=exclude_pk)
    buildings = Building.objects.order_by("street", "number")
    if programme.district_id:
        buildings = buildings.filter(district_id=programme.district_id)
    return ActionForm(
        *args,
        lines=selectors.line_list(programme=programme),
        parents=parents,
        buildings=buildings,
        organisations=organisation_list(),
        **kwargs,
    )


@staff_view(VIEW, "programme.add_action")
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    _require_edit(request, programme, "add_action")
    if request.method == "POST":
        form = _action_form(programme, request.POST)
        if form.is_valid():
            created: list[Action] = []

            def write() -> None:
                data = form.service_fields()
                action = services.action_create(
                    actor=request.user,
                    programme=programme,
                    line=data.pop("line"),
                    title_it=data.pop("title_it"),
                    **data,
                )
                services.action_set_buildings(
                    actor=request.user,
                    action=action,
                    buildings=list(form.cleaned_data.get("buildings") or []),
                )
                created.append(action)

            if _save(request, form, write, _("Action created.")):
                return redirect("programme:action_detail", pk=created[0].pk)
    else:
        form = _action_form(programme, initial={"line": request.GET.get("line")})
    back = reverse("programme:programme_detail", args=[programme.pk])
    return _form_page(request, form=form, title=_("New action"), back_url=back, programme=programme)


@staff_view(VIEW)
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(request, pk)
    programme = action.programme
    detail = selectors.action_detail(action=action)
    can_edit = can_edit_programme(request.user, programme)
    return render(
        request,
        "programme/action_detail.html",
        {
            "programme": programme,
            "action": action,
            "detail": detail,
            "can_edit": can_edit,
            "can_fund": can_edit_programme(request.user, programme, "add_allocation"),
            "can_pay": can_edit_programme(request.user, programme, "add_allocationpayment"),
            "history": list(selectors.action_history(action=action)[:5]),
        },
    )


@staff_view(VIEW, "programme.change_action")
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(request, pk)
    programme = action.programme
    _require_edit(request, programme)
    if request.method == "POST":
        form = _action_form(programme, request.POST, instance=action, exclude_pk=action.pk)
        if form.is_valid():

            def write() -> None:
                services.action_update(actor=request.user, action=action, **form.service_fields())
                services.action_set_buildings(
                    actor=request.user,
                    action=action,
                    buildings=list(form.cleaned_data.get("buildings") or []),
                )

            if _save(request, form, write, _("Changes saved.")):
                return redirect("programme:action_detail", pk=action.pk)
    else:
        form = _action_form(programme, instance=action, exclude_pk=action.pk)
    return _form_page(
        request,
        form=form,
        title=_("Edit the action"),
        back_url=_action_url(action),
        programme=programme,
        action=action,
    )


@require_POST
@staff_view(VIEW, "programme.delete_action")
def action_delete(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(request, pk)
    programme = action.programme
    _require_edit(request, programme, "delete_action")
    try:
        services.action_delete(actor=request.user, action=action)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("programme:action_detail", pk=pk)
    messages.success(request, _("Action deleted."))
    return redirect("programme:programme_detail", pk=programme.pk)


@staff_view(VIEW)
def action_history(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(request, pk)
    page = paginate(request, selectors.action_history(action=action), per_page=30)
    return render(
        request,
        "programme/action_history.html",
        {"programme": action.programme, "action": action, "page": page},
    )


# --- Milestones ----------------------------------------------------------------------------


@staff_view(VIEW, "programme.add_milestone")
def milestone_create(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(request, pk)
    _require_edit(request, action.programme, "add_milestone")
    form = MilestoneForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if _save(
            request,
            form,
            lambda: services.milestone_create(actor=request.user, action=action, **data),
            _("Milestone added."),
        ):
            return redirect(_action_url(action, "milestones"))
    return _form_page(
        request,
        form=form,
        title=_("New milestone"),
        back_url=_action_url(action, "milestones"),
        programme=action.programme,
        action=action,
        multipart=True,
    )


@staff_view(VIEW, "programme.change_milestone")
def milestone_edit(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    action = _action(request, pk)
    _require_edit(request, action.programme, "change_milestone")
    milestone = selectors.milestone_get(action=action, pk=milestone_pk)
    if milestone is None:
        raise Http404
    if request.method == "POST":
        form = MilestoneForm(request.POST, request.FILES, instance=milestone)
        if form.is_valid():
            data = dict(form.cleaned_data)
            if data.get("evidence_file") is False:  # the "clear" box of the file input
                data["evidence_file"] = None
            if _save(
                request,
                form,
                lambda: services.milestone_update(actor=request.user, milestone=milestone, **data),
                _("Milestone saved."),
            ):
                return redirect(_action_url(action, "milestones"))
    else:
        form = MilestoneForm(instance=milestone)
    return _form_page(
        request,
        form=form,
        title=_("Edit the milestone"),
        back_url=_action_url(action, "milestones"),
        programme=action.programme,
        action=action,
        multipart=True,
    )


@require_POST
@staff_view(VIEW, "programme.delete_milestone")
def milestone_delete(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    action = _action(request, pk)
    _require_edit(request, action.programme, "delete_milestone")
    milestone = selectors.milestone_get(action=action, pk=milestone_pk)
    if milestone is None:
        raise Http404
    services.milestone_delete(actor=request.user, milestone=milestone)
    messages.success(request, _("Milestone deleted."))
    return redirect(_action_url(action, "milestones"))


# --- Funding -------------------------------------------------------------------------------


@staff_view(VIEW, "programme.add_allocation")
def allocation_create(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(request, pk)
    _require_edit(request, action.programme, "add_allocation")
    form = AllocationForm(request.POST or None, sources=selectors.funding_source_list())
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if _save(
            request,
            form,
            lambda: services.allocation_create(actor=request.user, action=action, **data),
            _("Allocation added."),
        ):
            return redirect(_action_url(action, "funding"))
    return _form_page(
        request,
        form=form,
        title=_("New allocation"),
        back_url=_action_url(action, "funding"),
        programme=action.programme,
        action=action,
        intro=_("The allocations of an action may not exceed its budget of EUR %(budget)s.")
        % {"budget": action.budget_amount},
    )


@staff_view(VIEW, "programme.change_allocation")
def allocation_edit(request: HttpRequest, pk: int, allocation_pk: int) -> HttpResponse:
    action = _action(request, pk)
    _require_edit(request, action.programme, "change_allocation")
    allocation = selectors.allocation_get(action=action, pk=allocation_pk)
    if allocation is None:
        raise Http404
    sources = selectors.funding_source_list(active_only=False)
    if request.method == "POST":
        form = AllocationForm(request.POST, instance=allocation, sources=sources)
        if form.is_valid():
            data = dict(form.cleaned_data)
            if _save(
                request,
                form,
                lambda: services.allocation_update(
                    actor=request.user, allocation=allocation, **data
                ),
                _("Allocation saved."),
            ):
                return redirect(_action_url(action, "funding"))
    else:
        form = AllocationForm(instance=allocation, sources=sources)
    return _form_page(
        request,
        form=form,
        title=_("Edit the allocation"),
        back_url=_action_url(action, "funding"),
        programme=action.programme,
        action=action,
    )


@require_POST
@staff_view(VIEW, "programme.delete_allocation")
def allocation_delete(request: HttpRequest, pk: int, allocation_pk: int) -> HttpResponse:
    action = _action(request, pk)
    _require_edit(request, action.programme, "delete_allocation")
    allocation = selectors.allocation_get(action=action, pk=allocation_pk)
    if allocation is None:
        raise Http404
    try:
        services.allocation_delete(actor=request.user, allocation=allocation)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Allocation deleted."))
    return redirect(_action_url(action, "funding"))


@staff_view(VIEW, "programme.add_allocationpayment")
def payment_create(request: HttpRequest, pk: int, allocation_pk: int) -> HttpResponse:
    action = _action(request, pk)
    _require_edit(request, action.programme, "add_allocationpayment")
    allocation = selectors.allocation_get(action=action, pk=allocation_pk)
    if allocation is None:
        raise Http404
    form = PaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if _save(
            request,
            form,
            lambda: services.payment_create(actor=request.user, allocation=allocation, **data),
            _("Payment recorded."),
        ):
            return redirect(_action_url(action, "funding"))
    return _form_page(
        request,
        form=form,
        title=_("New payment from %(source)s") % {"source": allocation.source.code},
        back_url=_action_url(action, "funding"),
        programme=action.programme,
        action=action,
        intro=_("Payments may not exceed the committed amount of EUR %(committed)s.")
        % {"committed": allocation.committed_amount},
    )


@require_POST
@staff_view(VIEW, "programme.delete_allocationpayment")
def payment_delete(request: HttpRequest, pk: int, payment_pk: int) -> HttpResponse:
    action = _action(request, pk)
    _require_edit(request, action.programme, "delete_allocationpayment")
    payment = selectors.payment_get(action=action, pk=payment_pk)
    if payment is None:
        raise Http404
    services.payment_delete(actor=request.user, payment=payment)
    messages.success(request, _("Payment deleted."))
    return redirect(_action_url(action, "funding"))


# --- Photos --------------------------------------------------------------------------------


@staff_view(VIEW, "programme.add_actionphoto")
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(request, pk)
    _require_edit(request, action.programme, "add_actionphoto")
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("image")
        if _save(
            request,
            form,
            lambda: services.action_photo_add(
                actor=request.user, action=action, data=upload.read(), **data
            ),
            _("Photo added."),
        ):
            return redirect(_action_url(action, "photos"))
    return _form_page(
        request,
        form=form,
        title=_("New photo"),
        back_url=_action_url(action, "photos"),
        programme=action.programme,
        action=action,
        multipart=True,
    )


@require_POST
@staff_view(VIEW, "programme.delete_actionphoto")
def photo_delete(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    action = _action(request, pk)
    _require_edit(request, action.programme, "delete_actionphoto")
    photo = action.photos.filter(pk=photo_pk).first()
    if photo is None:
        raise Http404
    services.action_photo_delete(actor=request.user, photo=photo)
    messages.success(request, _("Photo deleted."))
    return redirect(_action_url(action, "photos"))


@staff_view(VIEW)
def photo_file(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    action = _action(request, pk)
    photo = action.photos.filter(pk=photo_pk).first()
    if photo is None or not photo.image:
        raise Http404
    return FileResponse(photo.image.open("rb"))


# --- News ----------------------------------------------------------------------------------


@staff_view(VIEW, "programme.view_newsitem")
def news_list(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    form = NewsFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    qs = selectors.news_list(user=request.user, programme=programme, status=status)
    return render(
        request,
        "programme/news_list.html",
        {
            "programme": programme,
            "page": paginate(request, qs),
            "form": form,
            "can_edit": can_edit_programme(request.user, programme, "add_newsitem"),
            "can_publish": can_edit_programme(request.user, programme, "publish_newsitem"),
        },
    )


def _news(request: HttpRequest, programme: Programme, news_pk: int) -> NewsItem:
    item = selectors.news_get(user=request.user, pk=news_pk)
    if item is None or item.lab_id not in {programme.lab_id} | set(
        programme.other_labs.values_list("pk", flat=True)
    ):
        raise Http404
    return item


@staff_view(VIEW, "programme.add_newsitem")
def news_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    _require_edit(request, programme, "add_newsitem")
    actions = selectors.action_choices(programme=programme)
    form = NewsForm(request.POST or None, request.FILES or None, actions=actions)
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        if _save(
            request,
            form,
            lambda: services.news_create(
                actor=request.user,
                lab=programme.lab,
                programme=programme,
                title_it=data.pop("title_it"),
                body_it=data.pop("body_it"),
                **data,
            ),
            _("News item saved as a draft."),
        ):
            return redirect("programme:news_list", pk=programme.pk)
    return _form_page(
        request,
        form=form,
        title=_("New news item"),
        back_url=reverse("programme:news_list", args=[programme.pk]),
        programme=programme,
        multipart=True,
    )


@staff_view(VIEW, "programme.change_newsitem")
def news_edit(request: HttpRequest, pk: int, news_pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    _require_edit(request, programme, "change_newsitem")
    item = _news(request, programme, news_pk)
    actions = selectors.action_choices(programme=programme)
    if request.method == "POST":
        form = NewsForm(request.POST, request.FILES, instance=item, actions=actions)
        if form.is_valid():
            data = form.service_fields()
            if _save(
                request,
                form,
                lambda: services.news_update(actor=request.user, item=item, **data),
                _("Changes saved."),
            ):
                return redirect("programme:news_list", pk=programme.pk)
    else:
        form = NewsForm(instance=item, actions=actions)
    return _form_page(
        request,
        form=form,
        title=_("Edit the news item"),
        back_url=reverse("programme:news_list", args=[programme.pk]),
        programme=programme,
        multipart=True,
    )


@require_POST
@staff_view(VIEW, "programme.publish_newsitem")
def news_publish(request: HttpRequest, pk: int, news_pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    _require_edit(request, programme, "publish_newsitem")
    item = _news(request, programme, news_pk)
    if request.POST.get("unpublish"):
        services.news_unpublish(actor=request.user, item=item)
        messages.success(request, _("News item taken off the portal."))
    else:
        services.news_publish(actor=request.user, item=item)
        messages.success(request, _("News item published."))
    return redirect("programme:news_list", pk=programme.pk)


@require_POST
@staff_view(VIEW, "programme.delete_newsitem")
def news_delete(request: HttpRequest, pk: int, news_pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    _require_edit(request, programme, "delete_newsitem")
    item = _news(request, programme, news_pk)
    services.news_delete(actor=request.user, item=item)
    messages.success(request, _("News item deleted."))
    return redirect("programme:news_list", pk=programme.pk)


# --- Documents -----------------------------------------------------------------------------


@staff_view(VIEW, "programme.view_document")
def document_list(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    can_edit = can_edit_programme(request.user, programme, "add_document")
    actions = selectors.action_choices(programme=programme)
    form = DocumentForm(
        request.POST or None,
        request.FILES or None,
        actions=actions,
        initial={"action": request.GET.get("action")},
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            upload = data.pop("file")
            if _save(
                request,
                form,
                lambda: services.document_create(
                    actor=request.user, programme=programme, data=upload.read(), **data
                ),
                _("Document published."),
            ):
                return redirect("programme:document_list", pk=programme.pk)
    return render(
        request,
        "programme/document_list.html",
        {
            "programme": programme,
            "page": paginate(request, selectors.document_list(programme=programme)),
            "form": form,
            "can_edit": can_edit,
            "can_delete": can_edit_programme(request.user, programme, "delete_document"),
        },
    )


@staff_view(VIEW, "programme.view_document")
def document_file(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    programme = _programme(request, pk)
    document = selectors.document_get(programme=programme, pk=document_pk)
    if document is None or not document.file:
        raise Http404
    return FileResponse(
        document.file.open("rb"), content_type="application/pdf", filename=f"{document.title}.pdf"
    )


@require_POST
@staff_view(VIEW, "programme.delete_document")
def document_delete(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    _require_edit(request, programme, "delete_document")
    document = selectors.document_get(programme=programme, pk=document_pk)
    if document is None:
        raise Http404
    services.document_delete(actor=request.user, document=document)
    messages.success(request, _("Document deleted."))
    return redirect("programme:document_list", pk=programme.pk)


# --- Import --------------------------------------------------------------------------------


@staff_view(VIEW, "programme.import_programme_data")
def import_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload actions or allocations as CSV/XLSX; any bad row writes nothing."""
    programme = _programme(request, pk)
    _require_edit(request, programme, "import_programme_data")
    report = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        importer = (
            services.actions_import
            if form.cleaned_data["kind"] == "actions"
            else services.allocations_import
        )
        try:
            rows = read_rows(upload.read(), upload.name)
            report = importer(
                actor=request.user,
                programme=programme,
                rows=rows,
                dry_run=form.cleaned_data["dry_run"],
            )
        except FileFormatError as exc:
            form.add_error("file", str(exc))
        else:
            if report.errors:
                messages.error(request, _("The file has errors: nothing was written."))
            elif report.dry_run:
                messages.info(request, _("The file is valid. Untick the check box to import it."))
            else:
                messages.success(request, _("Import complete."))
    return render(
        request,
        "programme/import.html",
        {
            "programme": programme,
            "form": form,
            "report": report,
            "sources": list(selectors.funding_source_list()),
            "lines": list(selectors.line_list(programme=programme)),
        },
    )
