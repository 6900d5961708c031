"""Forms of the activities context: parse input, no rules (the services decide)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartiere.activities.enums import (
    ActivityAudience,
    ActivityKind,
    ActivityPlaceKind,
    ActivityStatus,
)
from quartiere.core.widgets import QuickSelect


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


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _control(self)

    def full_clean(self) -> None:
        super().full_clean()
        _control(self)


def _choice(form: forms.Form, name: str) -> forms.ChoiceField:
    """The named choice field, typed as such (its choices are set at run time)."""
    return cast(forms.ChoiceField, form.fields[name])


def _blank(choices: Any, label: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class ActivityFilterForm(StyledForm):
    q = forms.CharField(label=_("Title contains"), required=False, max_length=100)
    lab = forms.TypedChoiceField(label=_("Lab"), required=False, coerce=int, widget=QuickSelect)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=_blank(ActivityKind.choices, _("Every kind")),
        widget=QuickSelect,
    )
    audience = forms.ChoiceField(
        label=_("Audience"),
        required=False,
        choices=_blank(ActivityAudience.choices, _("Every audience")),
        widget=QuickSelect,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=_blank(ActivityStatus.choices, _("Every status")),
        widget=QuickSelect,
    )
    date_from = forms.DateField(
        label=_("With sessions from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=_("With sessions until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, labs: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = _choice(self, "lab")
        field.choices = [("", _("Every lab")), *((lab.pk, lab.name) for lab in labs)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the range is before its start."))
        return data


class ActivityForm(StyledForm):
    lab = forms.TypedChoiceField(label=_("Lab"), coerce=int, widget=QuickSelect)
    title_it = forms.CharField(label=_("Title (Italian)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    description_it = forms.CharField(
        label=_("Description (Italian)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices, widget=QuickSelect)
    audience = forms.ChoiceField(
        label=_("Audience"), choices=ActivityAudience.choices, widget=QuickSelect
    )
    place_kind = forms.ChoiceField(
        label=_("Place"), choices=ActivityPlaceKind.choices, widget=QuickSelect
    )
    building = forms.TypedChoiceField(
        label=_("Building (for a common room)"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=QuickSelect,
    )
    place_name = forms.CharField(
        label=_("Name of the place"),
        max_length=200,
        required=False,
        help_text=_("E.g. the school's name or the room."),
    )
    place_address = forms.CharField(label=_("Address of the place"), max_length=200, required=False)
    organiser = forms.TypedChoiceField(
        label=_("Organiser"), required=False, coerce=int, empty_value=None, widget=QuickSelect
    )
    partners = forms.TypedMultipleChoiceField(
        label=_("Partner organisations"),
        required=False,
        coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    capacity = forms.IntegerField(
        label=_("Places"), required=False, min_value=1, help_text=_("Empty for no limit.")
    )
    is_registration_open = forms.BooleanField(
        label=_("Registrations open"), required=False, initial=True
    )
    is_public = forms.BooleanField(
        label=_("Shown on the public calendar"), required=False, initial=True
    )

    def __init__(
        self,
        *args: Any,
        labs: Any = (),
        buildings: Any = (),
        organisations: Any = (),
        fixed_lab: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        lab_field = _choice(self, "lab")
        lab_field.choices = [(lab.pk, lab.name) for lab in labs]
        if fixed_lab:
            del self.fields["lab"]
        b = _choice(self, "building")
        b.choices = [("", _("None")), *buildings]
        orgs = [(o.pk, o.name) for o in organisations]
        o = _choice(self, "organiser")
        o.choices = [("", _("The lab itself")), *orgs]
        p = _choice(self, "partners")
        p.choices = orgs


class ScheduleForm(StyledForm):
    first_day = forms.DateField(
        label=_("Date of the (first) session"), widget=forms.DateInput(attrs={"type": "date"})
    )
    start_time = forms.TimeField(
        label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label=_("End time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    weekly_until = forms.DateField(
        label=_("Repeat every week until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty for a single session."),
    )
    skip_holidays = forms.BooleanField(
        label=_("Skip public holidays"), required=False, initial=True
    )
    capacity = forms.IntegerField(
        label=_("Places for these sessions"),
        required=False,
        min_value=1,
        help_text=_("Empty to use the activity's places."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("The end must be after the start."))
        return data

    def schedule_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        first = dt.datetime.combine(data["first_day"], data["start_time"], tzinfo=tz)
        end = dt.datetime.combine(data["first_day"], data["end_time"], tzinfo=tz)
        return {
            "first_start": first,
            "duration": end - first,
            "weekly_until": data.get("weekly_until"),
            "skip_holidays": bool(data.get("skip_holidays")),
            "capacity": data.get("capacity"),
        }


class ReasonForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class ContactRegistrationForm(StyledForm):
    contact_name = forms.CharField(label=_("Name and surname"), max_length=150)
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("E-mail"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ResidentSearchForm(StyledForm):
    q = forms.CharField(
        label=_("Find a resident (name or codice fiscale)"), max_length=100, required=False
    )


class WalkInForm(StyledForm):
    name = forms.CharField(label=_("Name and surname"), max_length=150)


class FiguresFilterForm(StyledForm):
    lab = forms.TypedChoiceField(label=_("Lab"), required=False, coerce=int, widget=QuickSelect)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, widget=QuickSelect)

    def __init__(self, *args: Any, labs: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = _choice(self, "lab")
        field.choices = [("", _("Every lab")), *((lab.pk, lab.name) for lab in labs)]
        this_year = timezone.localdate().year
        year = _choice(self, "year")
        year.choices = [(y, str(y)) for y in range(this_year, this_year - 6, -1)]


class PublicFilterForm(forms.Form):
    lab = forms.ChoiceField(label=_("Lab"), required=False, widget=QuickSelect)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=_blank(ActivityKind.choices, _("Every kind")),
        widget=QuickSelect,
    )
    audience = forms.ChoiceField(
        label=_("For whom"),
        required=False,
        choices=_blank(ActivityAudience.choices, _("Everyone and every group")),
        widget=QuickSelect,
    )
    day = forms.DateField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, labs: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = _choice(self, "lab")
        field.choices = [("", _("Every lab")), *((lab.slug, lab.name) for lab in labs)]
        for name in ("lab", "kind", "audience"):
            self.fields[name].widget.attrs.setdefault("class", "form-select")
