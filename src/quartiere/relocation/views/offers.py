"""Offers to households, their letters and answers; moves and returns."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quartiere.core.exceptions import ApplicationError
from quartiere.core.views import apply_service_errors, paginate, scoped_or_404, staff_view
from quartiere.people.enums import Language
from quartiere.relocation import forms, letters, selectors, services
from quartiere.relocation.enums import OfferStatus
from quartiere.relocation.models import Move, Offer, ProposedMatch
from quartiere.relocation.views.plans import get_plan


def _get_offer(request: HttpRequest, pk: int) -> Offer:
    return scoped_or_404(request, selectors.offer_get(user=request.user, pk=pk), model=Offer, pk=pk)


@staff_view("relocation.view_offer")
def offer_list(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = get_plan(request, plan_pk)
    form = forms.OfferFilterForm(request.GET or None)
    cleaned = form.cleaned_data if form.is_valid() else {}
    offers = selectors.offer_list(
        plan=plan, status=cleaned.get("status") or "", q=cleaned.get("q") or ""
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "relocation/offer_list.html",
        {
            "plan": plan,
            "form": form,
            "page": paginate(request, offers, per_page=50),
            "query": query.urlencode(),
        },
    )


@require_POST
@staff_view("relocation.make_offer")
def offer_make(request: HttpRequest, pk: int) -> HttpResponse:
    match = scoped_or_404(
        request, selectors.match_get(user=request.user, pk=pk), model=ProposedMatch, pk=pk
    )
    try:
        offer = services.offer_make(actor=request.user, match=match)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("relocation:version_detail", match.version_id)
    messages.success(request, _("Offer made: print the letter for the household."))
    return redirect("relocation:offer_detail", offer.pk)


def _language(offer: Offer) -> str:
    person = offer.need.household.reference_person
    return getattr(person, "preferred_language", "") or "it"


@staff_view("relocation.view_offer")
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    offer = _get_offer(request, pk)
    lang = _language(offer)
    covered = letters.letter_languages(lang)
    return render(
        request,
        "relocation/offer_detail.html",
        {
            "offer": offer,
            "plan": offer.need.plan,
            "refuse_form": forms.RefuseForm(),
            "move_form": forms.MoveForm(initial={"moved_on": timezone.localdate()}),
            "is_open": offer.status == OfferStatus.MADE,
            "is_accepted": offer.status == OfferStatus.ACCEPTED,
            "has_move": Move.objects.filter(offer=offer).exists(),
            "letter_languages": [str(Language(code).label) for code in covered],
            "missing_language": str(Language(lang).label) if lang not in covered else "",
        },
    )


@staff_view("relocation.view_offer")
def offer_letter(request: HttpRequest, pk: int) -> HttpResponse:
    offer = _get_offer(request, pk)
    entry = selectors.pool_list(plan=offer.need.plan, active=None).filter(unit=offer.unit).first()
    offer.available_from = entry.available_from if entry else None  # type: ignore[attr-defined]
    pdf = letters.offer_letter_pdf(
        offer=offer, preferred_language=_language(offer), today=timezone.localdate()
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="proposta-{offer.pk}.pdf"'
    return response


@require_POST
@staff_view("relocation.answer_offer")
def offer_accept(request: HttpRequest, pk: int) -> HttpResponse:
    offer = _get_offer(request, pk)
    try:
        services.offer_accept(actor=request.user, offer=offer)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Offer accepted: record the move when it happens."))
    return redirect("relocation:offer_detail", offer.pk)


@require_POST
@staff_view("relocation.answer_offer")
def offer_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    offer = _get_offer(request, pk)
    form = forms.RefuseForm(request.POST)
    if form.is_valid():
        try:
            services.offer_refuse(
                actor=request.user, offer=offer, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Refusal recorded."))
            return redirect("relocation:offer_detail", offer.pk)
    return render(
        request,
        "relocation/offer_detail.html",
        {
            "offer": offer,
            "plan": offer.need.plan,
            "refuse_form": form,
            "is_open": offer.status == OfferStatus.MADE,
            "letter_languages": [],
        },
        status=400,
    )


@require_POST
@staff_view("relocation.make_offer")
def offer_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    offer = _get_offer(request, pk)
    try:
        services.offer_withdraw(actor=request.user, offer=offer)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Offer withdrawn."))
    return redirect("relocation:offer_detail", offer.pk)


@require_POST
@staff_view("relocation.record_move")
def move_create(request: HttpRequest, pk: int) -> HttpResponse:
    offer = _get_offer(request, pk)
    form = forms.MoveForm(request.POST)
    if form.is_valid():
        try:
            move = services.move_record(
                actor=request.user,
                offer=offer,
                moved_on=form.cleaned_data["moved_on"],
                cost_amount=form.cleaned_data["cost_amount"],
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Move recorded and tenancy transferred."))
            return redirect("relocation:moves", move.need.plan_id)
    return render(
        request,
        "relocation/offer_detail.html",
        {
            "offer": offer,
            "plan": offer.need.plan,
            "move_form": form,
            "is_accepted": offer.status == OfferStatus.ACCEPTED,
            "letter_languages": [],
        },
        status=400,
    )


@staff_view("relocation.view_move")
def moves(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = get_plan(request, plan_pk)
    return render(
        request,
        "relocation/moves.html",
        {
            "plan": plan,
            "page": paginate(request, selectors.move_list(plan=plan), per_page=50),
            "ready": list(selectors.ready_to_return_list(plan=plan)[:200]),
            "return_form": forms.ReturnForm(initial={"returned_on": timezone.localdate()}),
        },
    )


@require_POST
@staff_view("relocation.record_move")
def move_return(request: HttpRequest, pk: int) -> HttpResponse:
    move = scoped_or_404(request, selectors.move_get(user=request.user, pk=pk), model=Move, pk=pk)
    form = forms.ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the day of the return."))
    else:
        try:
            services.move_return(
                actor=request.user, move=move, returned_on=form.cleaned_data["returned_on"]
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Return recorded."))
    return redirect("relocation:moves", move.need.plan_id)


urlpatterns: list[URLPattern] = [
    path("<int:plan_pk>/offers/", offer_list, name="offers"),
    path("matches/<int:pk>/offer/", offer_make, name="offer_make"),
    path("offers/<int:pk>/", offer_detail, name="offer_detail"),
    path("offers/<int:pk>/letter.pdf", offer_letter, name="offer_letter"),
    path("offers/<int:pk>/accept/", offer_accept, name="offer_accept"),
    path("offers/<int:pk>/refuse/", offer_refuse, name="offer_refuse"),
    path("offers/<int:pk>/withdraw/", offer_withdraw, name="offer_withdraw"),
    path("offers/<int:pk>/move/", move_create, name="move_create"),
    path("<int:plan_pk>/moves/", moves, name="moves"),
    path("moves/<int:pk>/return/", move_return, name="move_return"),
]
