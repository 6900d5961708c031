from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartiere.people import codice_fiscale
from quartiere.people.enums import (
    ConsentPurpose,
    Gender,
    HouseholdRole,
    Language,
    LegalBasis,
    TenancyKind,
)
from quartiere.people.models import Resident
from quartiere.territory.enums import BuildingStatus

CF_ERRORS = {
    "length": _(
        "This codice fiscale is not valid: it must have 16 characters "
        "(or 11 digits for a temporary code)."
    ),
    "format": _("This codice fiscale is not valid: it contains characters in the wrong places."),
    "checksum": _("This codice fiscale is not valid: the last (check) letter does not match."),
    "component": _("This codice fiscale is not valid: the birth date part is impossible."),
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _control(form: forms.Form) -> None:
    """Give every widget Bootstrap Italia classes and link errors for screen readers."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
        errors = getattr(form, "_errors", None)
        if form.is_bound and errors and name in errors:
            widget.attrs["aria-invalid"] = "true"
            widget.attrs["aria-describedby"] = f"id_{name}_error"
        elif field.help_text:
            widget.attrs["aria-describedby"] = f"id_{name}_help"


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _control(self)

    def full_clean(self) -> None:
        super().full_clean()
        _control(self)


class ResidentSearchForm(StyledForm):
    q = forms.CharField(label=_("Name or codice fiscale"), required=False, max_length=100)
    address = forms.CharField(label=_("Street"), required=False, max_length=100)
    gender = forms.ChoiceField(
        label=_("Gender"), required=False, choices=[("", _("Any")), *Gender.choices]
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("Any")), *Language.choices]
    )
    has_household = forms.ChoiceField(
        label=_("Household"),
        required=False,
        choices=[("", _("Any")), ("yes", _("In a household")), ("no", _("No household"))],
    )


class ResidentForm(StyledForm):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    codice_fiscale = forms.CharField(
        label=_("Codice fiscale"),
        max_length=20,
        required=False,
        help_text=_("16 characters (omocodia accepted) or an 11-digit temporary code."),
    )
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    gender = forms.ChoiceField(
        label=_("Gender"), required=False, choices=[("", "—"), *Gender.choices]
    )
    citizenship = forms.CharField(
        label=_("Citizenship"),
        max_length=2,
        required=False,
        help_text=_("Two-letter country code, e.g. IT, MA, EG."),
    )
    residence_permit_expires_on = forms.DateField(
        label=_("Residence permit expiry"),
        required=False,
        widget=DateInput(),
        help_text=_("For non-EU citizens."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=Language.choices, initial=Language.ITALIAN
    )
    confirm_duplicate = forms.BooleanField(
        label=_("I checked: this is a different person, save anyway"),
        required=False,
        widget=forms.HiddenInput(),
    )

    def clean_codice_fiscale(self) -> str:
        value = self.cleaned_data.get("codice_fiscale", "")
        if not value:
            return ""
        try:
            return codice_fiscale.validate(value)
        except codice_fiscale.InvalidCodiceFiscaleError as exc:
            raise forms.ValidationError(CF_ERRORS.get(exc.reason, CF_ERRORS["format"])) from exc

    def clean_birth_date(self) -> dt.date | None:
        value = self.cleaned_data.get("birth_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if value and value.year < 1900:
            raise forms.ValidationError(_("The date of birth is too far in the past."))
        return value

    def clean_citizenship(self) -> str:
        value = self.cleaned_data.get("citizenship", "").strip().upper()
        if value and (len(value) != 2 or not value.isalpha()):
            raise forms.ValidationError(_("Use a two-letter country code, e.g. IT."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        cf, born = data.get("codice_fiscale"), data.get("birth_date")
        if cf and born and not codice_fiscale.matches_birth_date(cf, born):
            self.add_error(
                "birth_date",
                _("The date of birth does not match the one in the codice fiscale."),
            )
        return data

    @classmethod
    def initial_from(cls, resident: Resident) -> dict[str, Any]:
        return {
            name: getattr(resident, name) for name in cls.base_fields if name != "confirm_duplicate"
        }


class SensitiveProfileForm(StyledForm):
    disability = forms.CharField(
        label=_("Disability"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    health_notes = forms.CharField(
        label=_("Health notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    vulnerability = forms.CharField(
        label=_("Vulnerability"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConsentForm(StyledForm):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    legal_basis = forms.ChoiceField(label=_("Legal basis"), choices=LegalBasis.choices)


class HouseholdForm(StyledForm):
    label = forms.CharField(
        label=_("Household name"),
        max_length=150,
        help_text=_("Usually the reference person's surname."),
    )


class HouseholdMemberForm(StyledForm):
    resident = forms.IntegerField(label=_("Resident"), widget=forms.HiddenInput())
    role = forms.ChoiceField(label=_("Role in household"), choices=HouseholdRole.choices)


class TenancyForm(StyledForm):
    unit = forms.IntegerField(label=_("Unit"), widget=forms.Select())
    kind = forms.ChoiceField(label=_("Kind"), choices=TenancyKind.choices)
    starts_on = forms.DateField(label=_("From"), widget=DateInput())


class TenancyEndForm(StyledForm):
    ends_on = forms.DateField(label=_("End date"), widget=DateInput())


class BuildingFilterForm(StyledForm):
    q = forms.CharField(label=_("Street or building code"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *BuildingStatus.choices]
    )


class AuditFilterForm(StyledForm):
    action = forms.ChoiceField(label=_("Action"), required=False)
    target_type = forms.CharField(label=_("Object type"), required=False, max_length=80)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args: Any, actions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["action"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - narrows the type
        field.choices = [("", _("Any")), *((a, a) for a in actions)]


class ImportForm(StyledForm):
    KINDS = [("units", _("Housing units")), ("residents", _("Residents"))]
    kind = forms.ChoiceField(label=_("What the file contains"), choices=KINDS)
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("Up to 10 MB; the first row holds the column names."),
    )
    dry_run = forms.BooleanField(
        label=_("Only check the file, write nothing"), required=False, initial=True
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload
