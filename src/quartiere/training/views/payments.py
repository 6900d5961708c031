"""Payment batch pages: list with budgets, detail with review, approval, export and outcomes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quartiere.accounts.selectors import lab_list
from quartiere.core.exceptions import ApplicationError, ImportRejectedError
from quartiere.core.exports import FORMATS, export_response
from quartiere.core.views import apply_service_errors, paginate, scoped_or_404, staff_view
from quartiere.training import payments_forms as forms
from quartiere.training import payments_permissions as permissions
from quartiere.training import payments_selectors as selectors
from quartiere.training.models import Measure, PaymentBatch
from quartiere.training.payments_enums import PaymentOutcome
from quartiere.training.services import payments as services

VIEW = "training.view_paymentbatch"


def _batch(request: HttpRequest, pk: int) -> PaymentBatch:
    return scoped_or_404(
        request, selectors.payment_batch_get(user=request.user, pk=pk), model=PaymentBatch, pk=pk
    )


def _query(request: HttpRequest) -> str:
    data = request.GET.copy()
    data.pop("page", None)
    data.pop("format", None)
    return data.urlencode()


@staff_view(VIEW)
def payment_batch_list(request: HttpRequest) -> HttpResponse:
    """Batches of the user's labs with filters, totals and each measure's budget consumed."""
    labs = [(lab.pk, lab.name) for lab in lab_list(user=request.user)]
    filters = forms.BatchFilterForm(request.GET or None, labs=labs)
    cleaned: dict[str, Any] = filters.cleaned_data if filters.is_valid() else {}
    qs = selectors.payment_batch_list(
        user=request.user,
        lab_id=cleaned.get("lab"),
        month=cleaned.get("month"),
        state=cleaned.get("state") or None,
    )
    measures = selectors.payment_measure_list(user=request.user, lab_id=cleaned.get("lab"))
    create_form = None
    if request.user.has_perm("training.add_paymentbatch"):
        create_form = forms.BatchCreateForm(measures=_measures(request))
    return render(
        request,
        "training/payments/batch_list.html",
        {
            "filters": filters,
            "page": paginate(request, qs),
            "query": _query(request),
            "totals": selectors.payment_batch_totals(qs),
            "measures": list(measures),
            "create_form": create_form,
            "show_lab": len(labs) > 1,
        },
    )


def _measures(request: HttpRequest) -> Any:
    return selectors.payment_measure_list(user=request.user).filter(is_active=True)


@require_POST
@staff_view(VIEW, "training.add_paymentbatch")
def payment_batch_create(request: HttpRequest) -> HttpResponse:
    """Open a draft batch for a measure and month, then show it."""
    form = forms.BatchCreateForm(request.POST, measures=_measures(request))
    if form.is_valid():
        try:
            batch = services.payment_batch_create(
                measure=form.cleaned_data["measure"],
                month=form.cleaned_data["month"],
                actor=request.user,
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Batch opened. Build it to compute the amounts."))
            return redirect("training:payment_batch_detail", pk=batch.pk)
    labs = [(lab.pk, lab.name) for lab in lab_list(user=request.user)]
    qs = selectors.payment_batch_list(user=request.user)
    return render(
        request,
        "training/payments/batch_list.html",
        {
            "filters": forms.BatchFilterForm(None, labs=labs),
            "page": paginate(request, qs),
            "query": "",
            "totals": selectors.payment_batch_totals(qs),
            "measures": list(selectors.payment_measure_list(user=request.user)),
            "create_form": form,
            "show_lab": len(labs) > 1,
        },
        status=400,
    )


def _detail_context(request: HttpRequest, batch: PaymentBatch, **extra: Any) -> dict[str, Any]:
    user = request.user
    line_filters = forms.LineFilterForm(request.GET or None)
    cleaned: dict[str, Any] = line_filters.cleaned_data if line_filters.is_valid() else {}
    lines = selectors.payment_line_list(
        batch=batch,
        kind=cleaned.get("kind") or None,
        outcome=cleaned.get("outcome") or None,
        q=cleaned.get("q", ""),
    )
    context = {
        "batch": batch,
        "line_filters": line_filters,
        "page": paginate(request, lines, per_page=50),
        "query": _query(request),
        "history": selectors.payment_batch_history(batch=batch),
        "can_build": permissions.can_build_payment_batch(user, batch),
        "can_approve": permissions.can_approve_payment_batch(user, batch),
        "is_builder": batch.built_by_id == user.pk,
        "can_export": permissions.can_export_payment_batch(user, batch),
        "can_record": permissions.can_record_outcome(user, batch),
        "can_cancel": permissions.can_cancel_payment_batch(user, batch),
        "approve_form": forms.NoteForm(),
        "export_form": forms.ExportForm(),
        "cancel_form": forms.CancelForm(),
        "outcome_form": forms.OutcomeImportForm(),
        "import_errors": [],
        "pending": PaymentOutcome.PENDING,
    }
    context.update(extra)
    return context


@staff_view(VIEW)
def payment_batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One batch: its frozen lines, totals, history and the next step's controls."""
    batch = _batch(request, pk)
    return render(request, "training/payments/batch_detail.html", _detail_context(request, batch))


def _fail(request: HttpRequest, batch: PaymentBatch, exc: ApplicationError) -> HttpResponse:
    messages.error(request, exc.message)
    return redirect("training:payment_batch_detail", pk=batch.pk)


@require_POST
@staff_view(VIEW, "training.add_paymentbatch")
def payment_batch_build(request: HttpRequest, pk: int) -> HttpResponse:
    """Compute and freeze the batch (or rebuild a frozen one)."""
    batch = _batch(request, pk)
    try:
        batch = services.payment_batch_build(batch=batch, actor=request.user)
    except ApplicationError as exc:
        return _fail(request, batch, exc)
    messages.success(
        request,
        _("Batch frozen: %(count)s lines, %(total)s EUR to transfer.")
        % {"count": batch.line_count, "total": batch.total_amount},
    )
    return redirect("training:payment_batch_detail", pk=batch.pk)


@require_POST
@staff_view(VIEW, "training.approve_paymentbatch")
def payment_batch_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve a frozen batch (never one's own)."""
    batch = _batch(request, pk)
    form = forms.NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.payment_batch_approve(batch=batch, actor=request.user, note=note)
    except ApplicationError as exc:
        return _fail(request, batch, exc)
    messages.success(request, _("Batch approved. It can now be exported to the bank."))
    return redirect("training:payment_batch_detail", pk=batch.pk)


@require_POST
@staff_view(VIEW, "training.export_paymentbatch")
def payment_batch_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Produce the SEPA file once; afterwards the same file is downloaded."""
    batch = _batch(request, pk)
    form = forms.ExportForm(request.POST)
    execution_on = form.cleaned_data["execution_on"] if form.is_valid() else None
    try:
        services.payment_batch_export(batch=batch, actor=request.user, execution_on=execution_on)
    except ApplicationError as exc:
        return _fail(request, batch, exc)
    messages.success(request, _("SEPA file ready. Download it and upload it to the bank."))
    return redirect("training:payment_batch_detail", pk=batch.pk)


@staff_view(VIEW, "training.export_paymentbatch")
def payment_batch_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the stored SEPA file (exactly the bytes written at export)."""
    batch = _batch(request, pk)
    if batch.sepa_file is None:
        raise Http404
    response = HttpResponse(bytes(batch.sepa_file), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{batch.sepa_filename}"'
    return response


@require_POST
@staff_view(VIEW, "training.export_paymentbatch")
def payment_batch_outcome_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the bank's outcome file; a bad row rejects the file and lists every error."""
    batch = _batch(request, pk)
    form = forms.OutcomeImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            summary = services.payment_batch_import_outcome(
                batch=batch, actor=request.user, content=upload.read(), filename=upload.name
            )
        except ImportRejectedError as exc:
            form.add_error("file", exc.message)
            context = _detail_context(request, batch, outcome_form=form, import_errors=exc.errors)
            return render(request, "training/payments/batch_detail.html", context, status=400)
        except ApplicationError as exc:
            return _fail(request, batch, exc)
        messages.success(
            request,
            _("Outcome recorded: %(paid)s paid, %(failed)s failed, %(same)s already recorded.")
            % {"paid": summary.paid, "failed": summary.failed, "same": summary.unchanged},
        )
        return redirect("training:payment_batch_detail", pk=batch.pk)
    context = _detail_context(request, batch, outcome_form=form)
    return render(request, "training/payments/batch_detail.html", context, status=400)


@require_POST
@staff_view(VIEW, "training.export_paymentbatch")
def payment_line_outcome(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    """Mark one transfer paid or failed by hand."""
    batch = _batch(request, pk)
    line = selectors.payment_line_get(batch=batch, pk=line_pk)
    if line is None:
        raise Http404
    form = forms.LineOutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose paid or failed."))
        return redirect("training:payment_batch_detail", pk=batch.pk)
    try:
        services.payment_line_record_outcome(
            line=line,
            actor=request.user,
            paid=form.cleaned_data["outcome"] == PaymentOutcome.PAID,
            reason=form.cleaned_data["reason"],
        )
    except ImportRejectedError as exc:
        messages.error(request, "; ".join(message for _row, message in exc.errors) or exc.message)
    except ApplicationError as exc:
        return _fail(request, batch, exc)
    else:
        messages.success(request, _("Outcome recorded."))
    return redirect("training:payment_batch_detail", pk=batch.pk)


@require_POST
@staff_view(VIEW, "training.export_paymentbatch")
def payment_batch_mark_paid(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark every pending transfer paid (the bank confirmed the whole file)."""
    batch = _batch(request, pk)
    try:
        services.payment_batch_mark_paid(batch=batch, actor=request.user)
    except ApplicationError as exc:
        return _fail(request, batch, exc)
    messages.success(request, _("Batch marked as paid."))
    return redirect("training:payment_batch_detail", pk=batch.pk)


@require_POST
@staff_view(VIEW, "training.add_paymentbatch")
def payment_batch_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a batch that was not exported; its month can then be built again."""
    batch = _batch(request, pk)
    form = forms.CancelForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, batch, cancel_form=form)
        return render(request, "training/payments/batch_detail.html", context, status=400)
    try:
        services.payment_batch_cancel(
            batch=batch, actor=request.user, note=form.cleaned_data["note"]
        )
    except ApplicationError as exc:
        return _fail(request, batch, exc)
    messages.success(request, _("Batch cancelled."))
    return redirect("training:payment_batch_detail", pk=batch.pk)


@staff_view(VIEW)
def payment_batch_lines_export(
    request: HttpRequest, pk: int
) -> HttpResponse | StreamingHttpResponse:
    """The batch's lines as XLSX or CSV (masked IBANs only)."""
    batch = _batch(request, pk)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in FORMATS:
        fmt = "xlsx"
    header = [
        _("End-to-end id"),
        _("Account holder"),
        _("IBAN (masked)"),
        _("Month"),
        _("Kind"),
        _("Validated hours"),
        _("Scheduled hours"),
        _("Before the person cap (EUR)"),
        _("Amount (EUR)"),
        _("Reasons"),
        _("Outcome"),
        _("Failure reason"),
    ]
    rows = selectors.payment_line_export_rows(selectors.payment_line_list(batch=batch))
    return export_response(
        filename=f"batch-{batch.pk}-{batch.month:%Y-%m}", fmt=fmt, header=header, rows=rows
    )


@staff_view(VIEW, "training.change_paymentaccount")
def payment_account_edit(request: HttpRequest, measure_pk: int) -> HttpResponse:
    """Set the bank account a measure's allowances are paid from."""
    measure = scoped_or_404(
        request,
        selectors.payment_measure_list(user=request.user).filter(pk=measure_pk).first(),
        model=Measure,
        pk=measure_pk,
    )
    account = getattr(measure, "payment_account", None)
    initial = (
        {"debtor_name": account.debtor_name, "iban": account.iban, "bic": account.bic}
        if account
        else {"debtor_name": measure.lab.lead_organisation.name[:70]}
    )
    form = forms.PaymentAccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_account_set(measure=measure, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Payment account saved."))
            return redirect(reverse("training:payment_batch_list"))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "training/payments/account_form.html",
        {"form": form, "measure": measure},
        status=status,
    )
