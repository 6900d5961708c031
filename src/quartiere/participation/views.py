"""Back-office pages of participatory processes (/backoffice/participation/).

Lab coordinators set processes up and record outcomes; lab operators run workshops, enter
proposals for residents who are offline and moderate. Every page shows the user's labs only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quartiere.core.exceptions import ApplicationError
from quartiere.core.exports import FORMATS, export_response
from quartiere.core.views import apply_service_errors, paginate, scoped_or_404, staff_view
from quartiere.participation import selectors, services, workflow
from quartiere.participation.enums import ProposalStatus
from quartiere.participation.forms import (
    OutcomeForm,
    PhaseForm,
    PhotoForm,
    ProcessForm,
    ReasonForm,
    StaffProposalForm,
    WorkshopCreateForm,
    WorkshopForm,
)
from quartiere.participation.models import (
    Process,
    ProcessWorkshop,
    Proposal,
    ProposalComment,
    WorkshopPhoto,
)
from quartiere.people import selectors as people_selectors


def _lab(request: HttpRequest) -> Any:
    lab = request.lab  # type: ignore[attr-defined]
    return lab if lab else None


def _process(request: HttpRequest, pk: int) -> Process:
    return scoped_or_404(
        request, selectors.process_get(user=request.user, pk=pk), model=Process, pk=pk
    )


def _proposal(request: HttpRequest, pk: int) -> Proposal:
    return scoped_or_404(
        request, selectors.proposal_get(user=request.user, pk=pk), model=Proposal, pk=pk
    )


# --- Processes ------------------------------------------------------------------------------


@staff_view("participation.view_process")
def process_list(request: HttpRequest) -> HttpResponse:
    lab = _lab(request)
    qs = selectors.process_list(user=request.user, lab_id=lab.pk if lab else None)
    return render(
        request,
        "participation/process_list.html",
        {"page": paginate(request, qs), "lab": lab},
    )


@staff_view("participation.manage_process")
def process_create(request: HttpRequest) -> HttpResponse:
    lab = _lab(request)
    if lab is None:
        messages.error(request, _("Choose the lab you are working in first."))
        return redirect("participation:process_list")
    form = ProcessForm(request.POST or None, actions=selectors.action_choices(lab_id=lab.pk))
    if request.method == "POST" and form.is_valid():
        try:
            process = services.process_create(actor=request.user, lab=lab, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Process created: now add its phases."))
            return redirect("participation:process_detail", pk=process.pk)
    return render(request, "participation/process_form.html", {"form": form, "process": None})


@staff_view("participation.manage_process")
def process_edit(request: HttpRequest, pk: int) -> HttpResponse:
    process = _process(request, pk)
    form = ProcessForm(
        request.POST or None,
        instance=process,
        actions=selectors.action_choices(lab_id=process.lab_id),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.process_update(actor=request.user, process=process, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Process saved."))
            return redirect("participation:process_detail", pk=process.pk)
    return render(request, "participation/process_form.html", {"form": form, "process": process})


@staff_view("participation.view_process")
def process_detail(request: HttpRequest, pk: int) -> HttpResponse:
    process = _process(request, pk)
    phases = list(process.phases.all())
    status = request.GET.get("status", "")
    q = (request.GET.get("q") or "").strip()[:100]
    proposals = selectors.proposal_list(user=request.user, process=process, status=status, q=q)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "participation/process_detail.html",
        {
            "process": process,
            "phases": phases,
            "current_phase": workflow.phase_in_force(phases, timezone.localdate()),
            "workshops": process.workshops.prefetch_related("photos").order_by("held_on", "id"),
            "page": paginate(request, proposals),
            "statuses": ProposalStatus.choices,
            "status": status,
            "q": q,
            "query": query.urlencode(),
            "formats": FORMATS,
        },
    )


# --- Phases ---------------------------------------------------------------------------------


@staff_view("participation.manage_process")
def phase_edit(request: HttpRequest, pk: int, phase_pk: int | None = None) -> HttpResponse:
    process = _process(request, pk)
    phase = None
    if phase_pk is not None:
        phase = selectors.phase_get(process=process, pk=phase_pk)
        if phase is None:
            raise Http404
    form = PhaseForm(request.POST or None, instance=phase)
    if request.method == "POST" and form.is_valid():
        try:
            services.phase_save(
                actor=request.user, process=process, phase=phase, **form.cleaned_data
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Phase saved."))
            return redirect("participation:process_detail", pk=process.pk)
    return render(
        request,
        "participation/phase_form.html",
        {"form": form, "process": process, "phase": phase},
    )


@staff_view("participation.manage_process")
@require_POST
def phase_delete(request: HttpRequest, pk: int, phase_pk: int) -> HttpResponse:
    process = _process(request, pk)
    phase = selectors.phase_get(process=process, pk=phase_pk)
    if phase is None:
        raise Http404
    services.phase_delete(actor=request.user, phase=phase)
    messages.success(request, _("Phase removed."))
    return redirect("participation:process_detail", pk=process.pk)


# --- Workshops ------------------------------------------------------------------------------


@staff_view("participation.add_processworkshop")
def workshop_create(request: HttpRequest, pk: int) -> HttpResponse:
    process = _process(request, pk)
    form = WorkshopCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        start_time = data.pop("start_time", None)
        minutes = data.pop("duration_minutes", None) or 120
        starts_at = None
        if start_time is not None:
            starts_at = timezone.make_aware(dt.datetime.combine(data["held_on"], start_time))
        try:
            workshop = services.workshop_create(
                actor=request.user,
                process=process,
                starts_at=starts_at,
                duration=dt.timedelta(minutes=minutes),
                **data,
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Workshop saved: you can now add its photos."))
            return redirect("participation:workshop_edit", pk=workshop.pk)
    return render(
        request,
        "participation/workshop_form.html",
        {"form": form, "process": process, "workshop": None},
    )


def _workshop(request: HttpRequest, pk: int) -> ProcessWorkshop:
    return scoped_or_404(
        request,
        selectors.workshop_get(user=request.user, pk=pk),
        model=ProcessWorkshop,
        pk=pk,
    )


@staff_view("participation.change_processworkshop")
def workshop_edit(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _workshop(request, pk)
    form = WorkshopForm(request.POST or None, instance=workshop)
    photo_form = PhotoForm()
    if request.method == "POST" and form.is_valid():
        try:
            services.workshop_update(actor=request.user, workshop=workshop, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Workshop saved."))
            return redirect("participation:workshop_edit", pk=workshop.pk)
    return render(
        request,
        "participation/workshop_form.html",
        {
            "form": form,
            "photo_form": photo_form,
            "process": workshop.process,
            "workshop": workshop,
        },
    )


@staff_view("participation.change_processworkshop")
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _workshop(request, pk)
    photo_form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and photo_form.is_valid():
        try:
            services.workshop_photo_add(
                actor=request.user,
                workshop=workshop,
                data=photo_form.cleaned_data["photo"].read(),
                caption=photo_form.cleaned_data["caption"],
            )
        except ApplicationError as exc:
            apply_service_errors(photo_form, exc)
        else:
            messages.success(request, _("Photo added."))
            return redirect("participation:workshop_edit", pk=workshop.pk)
    return render(
        request,
        "participation/workshop_form.html",
        {
            "form": WorkshopForm(instance=workshop),
            "photo_form": photo_form,
            "process": workshop.process,
            "workshop": workshop,
        },
        status=400 if request.method == "POST" else 200,
    )


@staff_view("participation.change_processworkshop")
@require_POST
def photo_delete(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    workshop = _workshop(request, pk)
    photo = next((p for p in workshop.photos.all() if p.pk == photo_pk), None)
    if photo is None:
        raise Http404
    services.workshop_photo_delete(actor=request.user, photo=photo)
    messages.success(request, _("Photo removed."))
    return redirect("participation:workshop_edit", pk=workshop.pk)


@staff_view("participation.view_process")
def photo_file(request: HttpRequest, pk: int, photo_pk: int) -> Any:
    from django.http import FileResponse

    workshop = _workshop(request, pk)
    photo: WorkshopPhoto | None = next((p for p in workshop.photos.all() if p.pk == photo_pk), None)
    if photo is None:
        raise Http404
    return FileResponse(photo.file.open("rb"), content_type=photo.content_type)


# --- Proposals ------------------------------------------------------------------------------


@staff_view("participation.enter_proposal")
def proposal_enter(request: HttpRequest, pk: int) -> HttpResponse:
    process = _process(request, pk)
    form = StaffProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        resident = None
        if data["resident_code"]:
            found = list(
                people_selectors.resident_list(
                    user=request.user, q=data["resident_code"], with_address=False
                )
                .filter(codice_fiscale=data["resident_code"])
                .select_related("lab")[:2]
            )
            if len(found) != 1:
                form.add_error(
                    "resident_code", _("No resident of your labs has this codice fiscale.")
                )
            else:
                resident = found[0]
        if not form.errors:
            try:
                services.proposal_enter(
                    actor=request.user,
                    process=process,
                    title=data["title"],
                    description=data["description"],
                    resident=resident,
                    author_name=data["author_name"] if resident is None else "",
                )
            except ApplicationError as exc:
                if "resident" in exc.fields:
                    exc.fields["resident_code"] = exc.fields.pop("resident")
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Proposal entered: it waits in the moderation queue."))
                return redirect("participation:process_detail", pk=process.pk)
    return render(request, "participation/proposal_enter.html", {"form": form, "process": process})


@staff_view("participation.view_proposal")
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    return render(
        request,
        "participation/proposal_detail.html",
        {
            "proposal": proposal,
            "process": proposal.process,
            "history": proposal.status_changes.select_related("actor"),
            "comments": selectors.comment_list(proposal=proposal),
            "reason_form": ReasonForm(),
            "outcome_form": OutcomeForm(
                actions=selectors.action_choices(lab_id=proposal.process.lab_id)
            ),
            "targets": workflow.allowed_targets(proposal.status),
            "S": ProposalStatus,
        },
    )


def _step(request: HttpRequest, pk: int, fn: Any, done: str, **kwargs: Any) -> HttpResponse:
    proposal = _proposal(request, pk)
    try:
        fn(proposal=proposal, actor=request.user, **kwargs)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("participation:proposal_detail", pk=pk)


@staff_view("participation.moderate_participation")
@require_POST
def proposal_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.proposal_publish, _("Proposal published."))


@staff_view("participation.moderate_participation")
@require_POST
def proposal_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        services.proposal_refuse,
        _("Proposal not admitted."),
        reason=request.POST.get("reason", ""),
    )


@staff_view("participation.decide_proposal")
@require_POST
def proposal_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.proposal_evaluate, _("Proposal in evaluation."))


@staff_view("participation.decide_proposal")
@require_POST
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    form = OutcomeForm(
        request.POST, actions=selectors.action_choices(lab_id=proposal.process.lab_id)
    )
    if form.is_valid():
        try:
            services.proposal_decide(
                proposal=proposal,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
                action=form.cleaned_data["action"],
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Outcome recorded."))
            return redirect("participation:proposal_detail", pk=pk)
    return render(
        request,
        "participation/proposal_detail.html",
        {
            "proposal": proposal,
            "process": proposal.process,
            "history": proposal.status_changes.select_related("actor"),
            "comments": selectors.comment_list(proposal=proposal),
            "reason_form": ReasonForm(),
            "outcome_form": form,
            "targets": workflow.allowed_targets(proposal.status),
            "S": ProposalStatus,
        },
        status=400,
    )


# --- Moderation -----------------------------------------------------------------------------


@staff_view("participation.moderate_participation")
def moderation(request: HttpRequest) -> HttpResponse:
    lab = _lab(request)
    lab_id = lab.pk if lab else None
    return render(
        request,
        "participation/moderation.html",
        {
            "proposals": selectors.moderation_proposals(user=request.user, lab_id=lab_id)[:100],
            "comments": selectors.moderation_comments(user=request.user, lab_id=lab_id)[:100],
        },
    )


def _comment(request: HttpRequest, pk: int) -> ProposalComment:
    return scoped_or_404(
        request,
        selectors.comment_get(user=request.user, pk=pk),
        model=ProposalComment,
        pk=pk,
    )


@staff_view("participation.moderate_participation")
@require_POST
def comment_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    reason = request.POST.get("reason", "")
    try:
        if request.POST.get("decision") == "hide":
            services.comment_hide(comment=comment, actor=request.user, reason=reason)
            messages.success(request, _("Comment hidden."))
        else:
            services.comment_approve(comment=comment, actor=request.user, reason=reason)
            messages.success(request, _("Comment approved."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    back = request.POST.get("next")
    if back == "proposal":
        return redirect("participation:proposal_detail", pk=comment.proposal_id)
    return redirect("participation:moderation")


# --- Figures and export ---------------------------------------------------------------------


@staff_view("participation.view_participation_figures")
def figures(request: HttpRequest) -> HttpResponse:
    lab = _lab(request)
    rows = selectors.process_figures(user=request.user, lab_id=lab.pk if lab else None)
    return render(request, "participation/figures.html", {"rows": rows, "lab": lab})


@staff_view("participation.export_proposals")
def proposal_export(request: HttpRequest, pk: int) -> HttpResponse | StreamingHttpResponse:
    process = _process(request, pk)
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        raise Http404
    header = [
        _("Number"),
        _("Title"),
        _("Status"),
        _("Channel"),
        _("Author (as shown publicly)"),
        _("Submitted at"),
        _("Supports"),
        _("Threshold reached"),
        _("Reason for the outcome"),
    ]
    return export_response(
        filename=f"proposals-{process.slug}",
        fmt=fmt,
        header=header,
        rows=selectors.proposal_export_rows(process=process),
    )


urlpatterns = [
    path("", process_list, name="process_list"),
    path("new/", process_create, name="process_create"),
    path("moderation/", moderation, name="moderation"),
    path("figures/", figures, name="figures"),
    path("<int:pk>/", process_detail, name="process_detail"),
    path("<int:pk>/edit/", process_edit, name="process_edit"),
    path("<int:pk>/export/", proposal_export, name="proposal_export"),
    path("<int:pk>/phases/new/", phase_edit, name="phase_create"),
    path("<int:pk>/phases/<int:phase_pk>/", phase_edit, name="phase_edit"),
    path("<int:pk>/phases/<int:phase_pk>/delete/", phase_delete, name="phase_delete"),
    path("<int:pk>/workshops/new/", workshop_create, name="workshop_create"),
    path("<int:pk>/proposals/new/", proposal_enter, name="proposal_enter"),
    path("workshops/<int:pk>/", workshop_edit, name="workshop_edit"),
    path("workshops/<int:pk>/photos/", photo_add, name="photo_add"),
    path("workshops/<int:pk>/photos/<int:photo_pk>/", photo_file, name="photo_file"),
    path("workshops/<int:pk>/photos/<int:photo_pk>/delete/", photo_delete, name="photo_delete"),
    path("proposals/<int:pk>/", proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/publish/", proposal_publish, name="proposal_publish"),
    path("proposals/<int:pk>/refuse/", proposal_refuse, name="proposal_refuse"),
    path("proposals/<int:pk>/evaluate/", proposal_evaluate, name="proposal_evaluate"),
    path("proposals/<int:pk>/decide/", proposal_decide, name="proposal_decide"),
    path("comments/<int:pk>/moderate/", comment_moderate, name="comment_moderate"),
]
