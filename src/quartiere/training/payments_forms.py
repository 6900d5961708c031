"""Forms of the payment batch pages: filters, new batch, account, outcomes, approval."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from quartiere.training.models import Measure
from quartiere.training.payments_enums import PaymentBatchState, PaymentLineKind, PaymentOutcome

MAX_OUTCOME_BYTES = 5 * 1024 * 1024


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"class": "form-control", **(attrs or {})}, format="%Y-%m")


def month_field(*, required: bool, label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=["%Y-%m", "%Y-%m-%d", "%m/%Y"],
        widget=MonthInput(),
        help_text=_("Month and year, e.g. 2025-03."),
        error_messages={"invalid": _("Enter a month as year and month, e.g. 2025-03.")},
    )


class BatchFilterForm(forms.Form):
    lab = forms.TypedChoiceField(label=_("Lab"), required=False, coerce=int, empty_value=None)
    month = month_field(required=False, label=_("Month"))
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Any state")), *PaymentBatchState.choices],
    )

    def __init__(self, *args: Any, labs: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lab_field = self.fields["lab"]
        assert isinstance(lab_field, forms.TypedChoiceField)  # noqa: S101 - narrows the type
        lab_field.choices = [("", _("All my labs")), *labs]
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select"


def _measure_label(measure: Measure) -> str:
    return f"{measure.name} ({measure.lab.name})"


class BatchCreateForm(forms.Form):
    measure = forms.ModelChoiceField(label=_("Measure"), queryset=Measure.objects.none())
    month = month_field(required=True, label=_("Month to pay"))

    def __init__(self, *args: Any, measures: QuerySet[Measure], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["measure"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrows the type
        field.queryset = measures
        field.label_from_instance = _measure_label  # type: ignore[method-assign,assignment]
        field.widget.attrs["class"] = "form-select"


class PaymentAccountForm(forms.Form):
    debtor_name = forms.CharField(
        label=_("Account holder (who pays)"),
        max_length=70,
        help_text=_("The lab's or lead partner's name as the bank knows it."),
    )
    iban = forms.CharField(label=_("IBAN"), max_length=42)
    bic = forms.CharField(label=_("BIC"), max_length=11, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"
        self.fields["iban"].widget.attrs["autocomplete"] = "off"


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CancelForm(forms.Form):
    note = forms.CharField(
        label=_("Why is the batch cancelled?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExportForm(forms.Form):
    execution_on = forms.DateField(
        label=_("Requested execution date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
        help_text=_("Leave empty for two days from today."),
    )


class OutcomeImportForm(forms.Form):
    file = forms.FileField(
        label=_("Bank outcome file"),
        help_text=_(
            "The bank's pain.002 status report (XML), or a CSV with the columns "
            "end_to_end_id, status (ACSC = paid, RJCT = failed) and an optional reason."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_OUTCOME_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class LineOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(PaymentOutcome.PAID, _("Paid")), (PaymentOutcome.FAILED, _("Failed"))],
    )
    reason = forms.CharField(label=_("Reason (if failed)"), required=False, max_length=200)


class LineFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or end-to-end id"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *PaymentLineKind.choices]
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", _("Any outcome")), *PaymentOutcome.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["class"] = "form-control"
        self.fields["kind"].widget.attrs["class"] = "form-select"
        self.fields["outcome"].widget.attrs["class"] = "form-select"
