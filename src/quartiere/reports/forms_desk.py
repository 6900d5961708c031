"""Forms for the front desk, the categories, the lab's report settings and the figures filter.

They parse input only: the rules live in ``services`` (which raise ApplicationError with
per-field messages that the views place back on these fields).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from quartiere.core.exceptions import ApplicationError
from quartiere.reports.enums import AttributeDatatype, ReportChannel
from quartiere.reports.form_fields import MultipleFileField, attribute_field
from quartiere.reports.services import CHANNELS_STAFF

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _control(form: forms.Form) -> None:
    """Give every widget Bootstrap Italia classes and link errors for screen readers."""
    errors = getattr(form, "_errors", None)
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        elif isinstance(widget, forms.HiddenInput | forms.RadioSelect):
            pass
        else:
            widget.attrs.setdefault("class", "form-control")
        described = []
        if field.help_text:
            described.append(f"id_{name}_help")
        if form.is_bound and errors and name in errors:
            widget.attrs["aria-invalid"] = "true"
            described.insert(0, f"id_{name}_error")
        else:
            widget.attrs.pop("aria-invalid", None)
        if described:
            widget.attrs["aria-describedby"] = " ".join(described)
        else:
            widget.attrs.pop("aria-describedby", None)


class StyledForm(forms.Form):
    """A form whose widgets carry Bootstrap Italia classes and ARIA links to their errors."""

    # Keys of ApplicationError.fields that have no field of the same name.
    error_aliases: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _control(self)

    def full_clean(self) -> None:
        super().full_clean()
        _control(self)

    def field_for_error(self, key: str) -> str | None:
        """Return the field that shows a service error given under ``key``, if any."""
        name = self.error_aliases.get(key, key)
        return name if name in self.fields else None

    def apply_errors(self, exc: ApplicationError) -> None:
        """Place a service's per-field messages on the fields; the rest on the form."""
        placed = False
        for key, messages in exc.fields.items():
            name = self.field_for_error(key)
            if name is None:
                continue
            for message in messages:
                self.add_error(name, message)
            placed = True
        if not placed:
            self.add_error(None, exc.message)
        _control(self)

    def hide_errors(self) -> None:
        """Keep the input but show no error (a "continue" step that only re-draws the form)."""
        self.full_clean()
        self._errors.clear()  # type: ignore[attr-defined,union-attr]
        _control(self)


# --- Front desk -----------------------------------------------------------------------------


class ResidentLookupForm(StyledForm):
    q = forms.CharField(label=_("Name or codice fiscale"), required=False, max_length=100)


def _set_choices(field: forms.Field, choices: Any) -> None:
    """Set the choices of a choice field built in ``__init__`` from scoped lists."""
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{field!r} has no choices")
    field.choices = choices


def attribute_field_name(code: str) -> str:
    """Return the form field that asks the extra question ``code``."""
    return f"attr_{code}"


class ReportIntakeForm(StyledForm):
    """A report taken at the desk: who, what, where, files.

    The lists (categories, buildings, stairs, units) come from scoped selectors; the chosen
    category's extra questions become fields named ``attr_<code>``.
    """

    error_aliases = {"location": "address_text"}

    resident = forms.IntegerField(required=False, widget=forms.HiddenInput)
    contact_name = forms.CharField(label=_("Name and surname"), max_length=150, required=False)
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("E-mail"), required=False)
    language = forms.ChoiceField(label=_("Language for messages"))
    wants_updates = forms.BooleanField(
        label=_("Send e-mail updates on this report"), required=False, initial=True
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(c.value, c.label) for c in CHANNELS_STAFF],
        initial=ReportChannel.DESK,
    )
    category = forms.TypedChoiceField(label=_("Category"), coerce=int)
    description = forms.CharField(
        label=_("Description of the problem"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    building = forms.TypedChoiceField(
        label=_("Building"), coerce=int, required=False, empty_value=None
    )
    entrance = forms.TypedChoiceField(
        label=_("Stair"), coerce=int, required=False, empty_value=None
    )
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, required=False, empty_value=None)
    latitude = forms.DecimalField(
        label=_("Latitude"),
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        required=False,
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        required=False,
    )
    address_text = forms.CharField(label=_("Address or place"), max_length=250, required=False)
    attachments = MultipleFileField(
        label=_("Photos or PDF documents"),
        required=False,
        help_text=_(
            "Up to 5 files, JPEG, PNG or PDF, 10 MB each. After a correction, choose the files "
            "again."
        ),
    )
    confirm_different = forms.BooleanField(
        label=_("I have checked the reports listed above: this is a different problem"),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        categories: Sequence[Any],
        buildings: Sequence[Any],
        entrances: Sequence[Any] = (),
        units: Sequence[Any] = (),
        category: Any = None,
        resident: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.resident_obj = resident
        self.category_obj = category
        _set_choices(self.fields["language"], list(settings.LANGUAGES))
        groups: dict[str, list[tuple[int, str]]] = {}
        for c in categories:
            groups.setdefault(c.group or "", []).append((c.pk, c.name))
        category_choices: list[Any] = [("", _("Choose a category…"))]
        for group, items in groups.items():
            category_choices += items if not group else [(group, items)]
        _set_choices(self.fields["category"], category_choices)
        _set_choices(
            self.fields["building"],
            [
                ("", _("No building")),
                *((b.pk, b.address) for b in buildings),
            ],
        )
        _set_choices(
            self.fields["entrance"],
            [
                ("", _("Whole building")),
                *((e.pk, e.name) for e in entrances),
            ],
        )
        _set_choices(
            self.fields["unit"],
            [
                ("", _("No particular unit")),
                *(
                    (
                        u.pk,
                        _("%(code)s, %(stair)s, floor %(floor)s")
                        % {
                            "code": u.code,
                            "stair": u.entrance.name,
                            "floor": u.floor,
                        },
                    )
                    for u in units
                ),
            ],
        )
        self.attribute_names: list[str] = []
        for attr in category.attributes.all() if category is not None else []:
            name = attribute_field_name(attr.code)
            self.fields[name] = attribute_field(attr, compact=True)
            self.attribute_names.append(name)
        _control(self)

    @property
    def attribute_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.attribute_names]

    def field_for_error(self, key: str) -> str | None:
        if key == "resident":
            return None  # a hidden field: its message goes on top of the form
        if key.startswith("attribute[") and key.endswith("]"):
            name = attribute_field_name(key[len("attribute[") : -1])
            return name if name in self.fields else None
        return super().field_for_error(key)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.resident_obj is None and not (data.get("contact_name") or "").strip():
            self.add_error(
                "contact_name", _("Enter the person's name, or choose a registered resident.")
            )
        if data.get("wants_updates"):
            email = data.get("contact_email") or (
                self.resident_obj.email if self.resident_obj is not None else ""
            )
            if not email and "contact_email" not in self.errors:
                self.add_error(
                    "contact_email",
                    _("Enter an e-mail address for the updates, or untick the updates box."),
                )
        return data

    def attribute_answers(self) -> dict[str, Any]:
        """Return the answers to the extra questions as the service expects them (by code)."""
        answers: dict[str, Any] = {}
        for attr in self.category_obj.attributes.all() if self.category_obj is not None else []:
            value = self.cleaned_data.get(attribute_field_name(attr.code))
            if value in (None, "", []):
                continue
            if isinstance(value, dt.datetime):
                value = value.isoformat()
            elif isinstance(value, list):
                value = [str(v) for v in value]
            else:
                value = str(value)
            answers[attr.code] = value
        return answers


# --- Categories and settings ----------------------------------------------------------------


class CategoryForm(StyledForm):
    code = forms.SlugField(
        label=_("Service code"),
        max_length=80,
        help_text=_("Stable code used by Open311 clients, e.g. lorenteggio-lift."),
    )
    group = forms.CharField(label=_("Group"), max_length=80, required=False)
    name_it = forms.CharField(label=_("Name (Italian)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120)
    description_it = forms.CharField(
        label=_("Description (Italian)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    responsible_organisation = forms.TypedChoiceField(
        label=_("Responsible organisation"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Empty when the lab itself handles these reports."),
    )
    acknowledge_days = forms.IntegerField(
        label=_("Business days to acknowledge"), min_value=0, max_value=365, initial=2
    )
    resolve_days = forms.IntegerField(
        label=_("Business days to resolve"), min_value=0, max_value=365, initial=20
    )
    is_public = forms.BooleanField(
        label=_("Shown publicly (without personal data) on the portal"), required=False
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    FIELDS = (
        "code",
        "group",
        "name_it",
        "name_en",
        "description_it",
        "description_en",
        "responsible_organisation",
        "acknowledge_days",
        "resolve_days",
        "is_public",
        "is_active",
    )

    def __init__(self, *args: Any, organisations: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = {o.pk: o for o in organisations}
        _set_choices(
            self.fields["responsible_organisation"],
            [
                ("", _("The lab itself")),
                *((o.pk, o.name) for o in organisations),
            ],
        )

    @classmethod
    def initial_from(cls, category: Any) -> dict[str, Any]:
        initial = {name: getattr(category, name) for name in cls.FIELDS}
        initial["responsible_organisation"] = category.responsible_organisation_id
        return initial

    def service_fields(self) -> dict[str, Any]:
        """Return the cleaned values as ``category_create``/``category_update`` take them."""
        data = {name: self.cleaned_data[name] for name in self.FIELDS}
        data["responsible_organisation"] = self.organisations.get(data["responsible_organisation"])
        return data


def parse_choices(text: str) -> list[dict[str, str]]:
    """Read one choice per line, ``key|name`` or just ``name`` (the key is then made from it)."""
    values: list[dict[str, str]] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        key, sep, name = line.partition("|")
        key, name = key.strip(), name.strip()
        if not sep:
            name = key
            key = slugify(name) or str(number)
        if not key or not name:
            raise forms.ValidationError(
                _("Line %(n)s: write “key|name” or just the name.") % {"n": number}
            )
        if key in seen:
            raise forms.ValidationError(
                _("Line %(n)s: the key “%(key)s” is used twice.") % {"n": number, "key": key}
            )
        seen.add(key)
        values.append({"key": key, "name": name})
    return values


class CategoryAttributeForm(StyledForm):
    code = forms.SlugField(label=_("Code"), max_length=60)
    description_it = forms.CharField(label=_("Question (Italian)"), max_length=200)
    description_en = forms.CharField(label=_("Question (English)"), max_length=200)
    datatype = forms.ChoiceField(label=_("Type of answer"), choices=AttributeDatatype.choices)
    values = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For list answers only: one choice per line, as “key|name” or just the name."),
    )
    is_required = forms.BooleanField(label=_("Required"), required=False)
    order = forms.IntegerField(label=_("Order"), min_value=1, max_value=999, initial=1)

    FIELDS = (
        "code",
        "description_it",
        "description_en",
        "datatype",
        "values",
        "is_required",
        "order",
    )

    @classmethod
    def initial_from(cls, attribute: Any) -> dict[str, Any]:
        initial = {name: getattr(attribute, name) for name in cls.FIELDS}
        initial["values"] = "\n".join(
            f"{v.get('key')}|{v.get('name')}" for v in attribute.values or []
        )
        return initial

    def clean_values(self) -> list[dict[str, str]]:
        return parse_choices(self.cleaned_data.get("values") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        is_list = data.get("datatype") in (
            AttributeDatatype.SINGLEVALUELIST,
            AttributeDatatype.MULTIVALUELIST,
        )
        if not is_list and data.get("values"):
            data["values"] = []  # choices only mean something for list answers
        return data


class PolicyForm(StyledForm):
    holiday_subdivision = forms.CharField(
        label=_("Local holidays (province code)"),
        max_length=10,
        required=False,
        help_text=_(
            "Province whose patron saint's day is a holiday (e.g. MI for Sant'Ambrogio); "
            "empty for national holidays only."
        ),
    )
    reopen_days = forms.IntegerField(
        label=_("Days a resident may reopen a resolved report"), min_value=0, max_value=365
    )

    def clean_holiday_subdivision(self) -> str:
        return (self.cleaned_data.get("holiday_subdivision") or "").strip().upper()


# --- Figures --------------------------------------------------------------------------------


class MonthField(forms.CharField):
    """A month as YYYY-MM (``<input type="month">``), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        match = MONTH.match(text)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."))
        return dt.date(int(match.group(1)), int(match.group(2)), 1)


class FiguresFilterForm(StyledForm):
    lab = forms.TypedChoiceField(label=_("Lab"), coerce=int, required=False, empty_value=None)
    category = forms.TypedChoiceField(
        label=_("Category"), coerce=int, required=False, empty_value=None
    )
    start = MonthField(label=_("From (month)"), required=False)
    end = MonthField(label=_("To (month)"), required=False)

    MAX_MONTHS = 60

    def __init__(
        self,
        *args: Any,
        labs: Sequence[Any],
        categories: Sequence[Any],
        all_labs_choice: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        lab_choices: list[Any] = [("", _("All labs"))] if all_labs_choice else []
        _set_choices(self.fields["lab"], lab_choices + [(lab.pk, lab.name) for lab in labs])
        if not all_labs_choice:
            self.fields["lab"].required = True
        _set_choices(
            self.fields["category"],
            [
                ("", _("All categories")),
                *((c.pk, c.name) for c in categories),
            ],
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", _("The last month comes before the first."))
            elif (end.year - start.year) * 12 + end.month - start.month >= self.MAX_MONTHS:
                self.add_error("start", _("Choose at most 60 months."))
        return data
