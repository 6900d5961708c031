"""Staff forms of the training context: parse input, no rules (the services decide)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartiere.monitoring.enums import EducationLevel, EmploymentStatus, SensitiveAnswer
from quartiere.training.enums import EnrolmentStatus, IncomeSupport, PathStatus, RegisterStatus

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


def _control(form: forms.Form) -> None:
    """Give every widget Bootstrap Italia classes and link errors for screen readers."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            pass
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
        auto_id = f"id_{form.add_prefix(name)}"
        errors = getattr(form, "_errors", None)
        if form.is_bound and errors and name in errors:
            widget.attrs["aria-invalid"] = "true"
            widget.attrs["aria-describedby"] = f"{auto_id}_error"
        elif field.help_text:
            widget.attrs["aria-describedby"] = f"{auto_id}_help"
        else:
            widget.attrs.pop("aria-invalid", None)
            widget.attrs.pop("aria-describedby", None)


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _control(self)

    def full_clean(self) -> None:
        super().full_clean()
        _control(self)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _money(label: Any, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=12, decimal_places=2, min_value=Decimal("0"), **kwargs
    )


# --- Measures -------------------------------------------------------------------------------


class MeasureForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    allowance_budget = _money(_("Allowance budget (EUR)"))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    gate_age = forms.BooleanField(label=_("Check the minimum age"), required=False, initial=True)
    min_age = forms.IntegerField(label=_("Minimum age"), min_value=0, max_value=99, initial=18)
    gate_residence = forms.BooleanField(
        label=_("Check residence in the target area"), required=False, initial=True
    )
    target_buildings = forms.TypedMultipleChoiceField(
        label=_("Target area buildings"),
        required=False,
        coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Leave empty to accept every building of the lab's district."),
    )
    gate_unemployed = forms.BooleanField(
        label=_("Check unemployment"), required=False, initial=True
    )
    min_unemployed_months = forms.IntegerField(
        label=_("Unemployed for at least (months)"), min_value=0, max_value=240, initial=0
    )
    gate_permit = forms.BooleanField(
        label=_("Check the residence permit of non-EU citizens"), required=False, initial=True
    )
    gate_isee = forms.BooleanField(label=_("Check the ISEE threshold"), required=False)
    isee_threshold = _money(_("ISEE threshold (EUR)"), initial=Decimal("18000.00"))
    isee_max_age_months = forms.IntegerField(
        label=_("ISEE certificate valid for (months)"), min_value=1, max_value=36, initial=12
    )
    gate_income_support = forms.BooleanField(
        label=_("Refuse people receiving income support (NASpI, DIS-COLL, CIG...)"),
        required=False,
    )

    def __init__(self, *args: Any, buildings: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target_buildings"].choices = buildings  # type: ignore[attr-defined]


class AllowanceRuleForm(StyledForm):
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    hourly_rate = _money(_("Hourly rate (EUR)"), initial=Decimal("5.00"))
    month_cap = _money(_("Monthly cap (EUR)"), initial=Decimal("400.00"))
    person_cap = _money(_("Per-person cap (EUR)"), initial=Decimal("2000.00"))
    min_attendance_ratio = forms.DecimalField(
        label=_("Minimum attendance share per month"),
        required=False,
        max_digits=4,
        decimal_places=3,
        initial=Decimal("0.75"),
        help_text=_("E.g. 0.75 for 75% of the scheduled hours; leave empty for no threshold."),
    )


# --- Paths ----------------------------------------------------------------------------------


class PathForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    operator = forms.TypedChoiceField(label=_("Accredited operator"), coerce=int)
    trainer = forms.TypedChoiceField(
        label=_("Trainer"), coerce=int, required=False, empty_value=None
    )
    hours = forms.DecimalField(label=_("Total hours"), max_digits=6, decimal_places=2)
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=500)
    starts_on = forms.DateField(label=_("Start date"), widget=DateInput())
    ends_on = forms.DateField(label=_("End date"), widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=PathStatus.choices)

    def __init__(
        self,
        *args: Any,
        operators: list[tuple[int, str]],
        trainers: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operator"].choices = operators  # type: ignore[attr-defined]
        self.fields["trainer"].choices = [("", _("Not chosen yet")), *trainers]  # type: ignore[attr-defined]


class SessionScheduleForm(StyledForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days of the week"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    start_time = forms.TimeField(
        label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    first_day = forms.DateField(label=_("First day"), widget=DateInput())
    last_day = forms.DateField(label=_("Last day"), widget=DateInput())
    location = forms.CharField(label=_("Location"), max_length=200, required=False)


# --- Enrolment ------------------------------------------------------------------------------


class ResidentSearchForm(StyledForm):
    q = forms.CharField(
        label=_("Surname, name or codice fiscale"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class EligibilityForm(StyledForm):
    """The evidence declared at the desk; birth date, citizenship, residence come from the
    resident's record."""

    unemployed_since = forms.DateField(
        label=_("Unemployed since"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty if the person is not unemployed."),
    )
    permit_expires_on = forms.DateField(
        label=_("Residence permit expiry"),
        required=False,
        widget=DateInput(),
        help_text=_("Only for non-EU citizens."),
    )
    isee_value = _money(_("ISEE value (EUR)"), required=False)
    isee_date = forms.DateField(
        label=_("ISEE certificate date"), required=False, widget=DateInput()
    )
    income_support = forms.ChoiceField(
        label=_("Income support received (declaration)"),
        choices=IncomeSupport.choices,
        required=False,
    )


class EnrolmentForm(StyledForm):
    planned_hours = forms.DecimalField(label=_("Planned hours"), max_digits=6, decimal_places=2)
    objectives = forms.CharField(
        label=_("Objectives of the personalised plan"), widget=forms.Textarea(attrs={"rows": 3})
    )
    iban = forms.CharField(
        label=_("IBAN"),
        max_length=42,
        help_text=_("The account must be in the participant's own name."),
    )
    account_holder = forms.CharField(label=_("Account holder"), max_length=200)
    employment_status = forms.ChoiceField(
        label=_("Employment status"), choices=EmploymentStatus.choices, required=False
    )
    education_level = forms.ChoiceField(
        label=_("Education level"), choices=EducationLevel.choices, required=False
    )
    migrant_background = forms.ChoiceField(
        label=_("Migrant, foreign background or minority"),
        choices=SensitiveAnswer.choices,
        required=False,
    )
    disability = forms.ChoiceField(
        label=_("Disability"), choices=SensitiveAnswer.choices, required=False
    )
    other_disadvantage = forms.ChoiceField(
        label=_("Other disadvantage"), choices=SensitiveAnswer.choices, required=False
    )
    is_homeless = forms.BooleanField(
        label=_("Homeless or affected by housing exclusion"), required=False
    )


class BankDetailsForm(StyledForm):
    iban = forms.CharField(
        label=_("New IBAN"),
        max_length=42,
        help_text=_("The account must be in the participant's own name."),
    )
    account_holder = forms.CharField(label=_("Account holder"), max_length=200)


class DateReasonForm(StyledForm):
    on = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EnrolmentFilterForm(StyledForm):
    measure = forms.TypedChoiceField(
        label=_("Measure"), required=False, coerce=int, empty_value=None
    )
    path = forms.TypedChoiceField(label=_("Path"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *EnrolmentStatus.choices]
    )
    q = forms.CharField(
        label=_("Participant"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(
        self,
        *args: Any,
        measures: list[tuple[int, str]],
        paths: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [("", _("Any")), *measures]  # type: ignore[attr-defined]
        self.fields["path"].choices = [("", _("Any")), *paths]  # type: ignore[attr-defined]


class PathFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *PathStatus.choices]
    )
    q = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class RegisterFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *RegisterStatus.choices]
    )


# --- Registers ------------------------------------------------------------------------------


class RegisterForm(StyledForm):
    """One line per participant: hours present, late arrival, early leave, justified absence."""

    def __init__(self, *args: Any, enrolments: list[Any], max_hours: Decimal, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lines: list[dict[str, Any]] = []
        for e in enrolments:
            name = e.resident.full_name
            self.fields[f"hours_{e.pk}"] = forms.DecimalField(
                label=_("Hours present: %(name)s") % {"name": name},
                max_digits=6,
                decimal_places=2,
                min_value=Decimal("0"),
                initial=Decimal("0"),
                widget=forms.NumberInput(attrs={"step": "0.25", "max": str(max_hours)}),
            )
            self.fields[f"late_{e.pk}"] = forms.IntegerField(
                label=_("Late arrival in minutes: %(name)s") % {"name": name},
                min_value=0,
                max_value=1440,
                initial=0,
            )
            self.fields[f"early_{e.pk}"] = forms.IntegerField(
                label=_("Early leave in minutes: %(name)s") % {"name": name},
                min_value=0,
                max_value=1440,
                initial=0,
            )
            self.fields[f"justified_{e.pk}"] = forms.BooleanField(
                label=_("Justified absence: %(name)s") % {"name": name}, required=False
            )
            self.lines.append({"enrolment": e, "pk": e.pk})
        _control(self)

    def line_fields(self) -> list[dict[str, Any]]:
        return [
            {
                "enrolment": line["enrolment"],
                "hours": self[f"hours_{line['pk']}"],
                "late": self[f"late_{line['pk']}"],
                "early": self[f"early_{line['pk']}"],
                "justified": self[f"justified_{line['pk']}"],
            }
            for line in self.lines
        ]


class CorrectionForm(StyledForm):
    hours_present = forms.DecimalField(
        label=_("Hours present"), max_digits=6, decimal_places=2, min_value=Decimal("0")
    )
    late_minutes = forms.IntegerField(
        label=_("Late arrival (minutes)"), min_value=0, max_value=1440, initial=0
    )
    early_leave_minutes = forms.IntegerField(
        label=_("Early leave (minutes)"), min_value=0, max_value=1440, initial=0
    )
    justified_absence = forms.BooleanField(label=_("Justified absence"), required=False)
    reason = forms.CharField(
        label=_("Reason for the correction"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(StyledForm):
    reason = forms.CharField(
        label=_("What must be fixed"), widget=forms.Textarea(attrs={"rows": 2})
    )
