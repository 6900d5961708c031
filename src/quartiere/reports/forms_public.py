"""Forms of the public report pages: the web form, the tracking-code lookup, reopening, filters.

They parse input only: the report's rules (location, answers, files, reopen window) are checked
by the services, whose errors the views put back on these fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from quartiere.reports.form_fields import MultipleFileField, attribute_field

# A tracking code as people type it: any case, with or without the dashes and the prefix.
TRACKING_CODE_RE = re.compile(r"^(?:SG)?-?([A-Z0-9]{4})-?([A-Z0-9]{4})$")


def normalise_tracking_code(raw: str) -> str:
    """Return ``raw`` as SG-XXXX-XXXX when it looks like a tracking code, else upper-cased."""
    text = re.sub(r"\s+", "", raw or "").upper()
    match = TRACKING_CODE_RE.match(text)
    if match:
        return f"SG-{match.group(1)}-{match.group(2)}"
    return text


def _style(form: forms.Form) -> None:
    """Give every widget Bootstrap Italia classes and link its help or error for screen readers."""
    errors = getattr(form, "_errors", None) or {}
    for name, field in form.fields.items():
        widget = field.widget
        checks = forms.RadioSelect | forms.CheckboxSelectMultiple | forms.CheckboxInput
        if isinstance(widget, checks):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        elif not isinstance(widget, forms.HiddenInput):
            widget.attrs.setdefault("class", "form-control")
        auto_id = form[name].auto_id
        described = []
        if field.help_text:
            described.append(f"{auto_id}_help")
        if form.is_bound and name in errors:
            widget.attrs["aria-invalid"] = "true"
            described.append(f"{auto_id}_error")
        else:
            widget.attrs.pop("aria-invalid", None)
        if described:
            widget.attrs["aria-describedby"] = " ".join(described)
        else:
            widget.attrs.pop("aria-describedby", None)


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, Any]]) -> None:
    field = form.fields[name]
    if isinstance(field, forms.ChoiceField):
        field.choices = choices


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)

    def full_clean(self) -> None:
        super().full_clean()
        _style(self)


class ReportPublicForm(StyledForm):
    """The public web form: lab, category and its questions, place, files, contact, consent.

    The choices come from the view (public labs, the lab's categories, its district's buildings
    and the chosen building's stairs); contact fields exist only for visitors not logged in.
    """

    lab = forms.ChoiceField(label=_("Lab of your neighbourhood"))
    category = forms.ChoiceField(
        label=_("What is the problem about?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the problem is about.")},
    )
    description = forms.CharField(
        label=_("Describe the problem"),
        help_text=_(
            "What happens, since when, and anything that helps find it. "
            "Do not write other people's personal data."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": _("Describe the problem.")},
    )
    building = forms.ChoiceField(label=_("Building"), required=False)
    entrance = forms.ChoiceField(label=_("Stair"), required=False)
    latitude = forms.CharField(
        label=_("Latitude"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    longitude = forms.CharField(
        label=_("Longitude"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    address_text = forms.CharField(
        label=_("Address or place"),
        help_text=_("For example: Via Segneri 3, courtyard behind stair B."),
        required=False,
        max_length=250,
    )
    attachments = MultipleFileField(
        label=_("Photos or documents"),
        help_text=_("Up to 5 files: JPEG or PNG photos, or PDF, at most 10 MB each."),
        required=False,
    )
    contact_name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Write your name.")},
    )
    contact_email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    contact_phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    wants_updates = forms.BooleanField(
        label=_("Send me an e-mail at each change of the report"), required=False, initial=True
    )
    privacy = forms.BooleanField(
        label=_("I have read the privacy notice"),
        error_messages={"required": _("Tick the box to confirm you have read the privacy notice.")},
    )
    confirm_different = forms.BooleanField(
        label=_("My problem is a different one: send my report anyway"), required=False
    )
    # Honeypot: hidden from people (and from screen readers); bots fill every field.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)

    def __init__(
        self,
        *args: Any,
        labs: Sequence[Any],
        categories: Sequence[Any],
        category: Any,
        buildings: Sequence[Any],
        entrances: Sequence[Any],
        anonymous: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.categories = list(categories)
        fields = self.fields
        _set_choices(
            self, "lab", [("", _("Choose the lab")), *((lab.slug, lab.name) for lab in labs)]
        )
        _set_choices(self, "category", [(c.code, c.name) for c in self.categories])
        _set_choices(
            self,
            "building",
            [
                ("", _("Not in a listed building, or I don't know")),
                *((str(b.pk), b.address) for b in buildings),
            ],
        )
        _set_choices(
            self,
            "entrance",
            [("", _("Whole building, or I don't know")), *((str(e.pk), e.name) for e in entrances)],
        )
        fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.attribute_names: list[str] = []
        for attr in category.attributes.all() if category is not None else []:
            name = f"attribute[{attr.code}]"
            fields[name] = attribute_field(attr)
            self.attribute_names.append(name)
        if not anonymous:
            for name in ("contact_name", "contact_email", "contact_phone"):
                del fields[name]
        self.anonymous = anonymous
        self.location_errors: list[str] = []
        _style(self)

    @property
    def category_options(self) -> list[dict[str, Any]]:
        """The categories as radio options with their descriptions (rendered by hand)."""
        current = self["category"].value()
        prefix = self["category"].auto_id
        return [
            {
                "id": f"{prefix}_{i}",
                "code": c.code,
                "name": c.name,
                "description": c.description,
                "checked": c.code == current,
            }
            for i, c in enumerate(self.categories)
        ]

    def attribute_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.attribute_names]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        no_contact = not (data.get("contact_email") or data.get("contact_phone"))
        if self.anonymous and no_contact and "contact_email" not in self.errors:
            self.add_error(
                "contact_email",
                _("Give an e-mail address or a phone number, so the lab can answer you."),
            )
        return data

    def attribute_answers(self) -> dict[str, Any]:
        """The answers to the extra questions, keyed by question code, as the service reads them."""
        answers: dict[str, Any] = {}
        for name in self.attribute_names:
            value = self.cleaned_data.get(name)
            if value in (None, "", []):
                continue
            code = name[len("attribute[") : -1]
            if isinstance(value, list):
                answers[code] = [str(v) for v in value]
            elif hasattr(value, "isoformat"):
                answers[code] = value.isoformat()
            else:
                answers[code] = str(value)
        return answers


def initial_from(form_class: type[forms.Form], data: Any, **kwargs: Any) -> dict[str, Any]:
    """Read a POST back as initial values, to re-render a form without showing errors."""
    probe = form_class(**kwargs)
    return {
        name: field.widget.value_from_datadict(data, {}, probe.add_prefix(name))
        for name, field in probe.fields.items()
        if not isinstance(field, forms.FileField)
    }


class TrackLookupForm(StyledForm):
    code = forms.CharField(
        label=_("Tracking code"),
        help_text=_("You find it in the receipt e-mail, e.g. SG-ABCD-2345."),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Write the tracking code.")},
    )

    def clean_code(self) -> str:
        return normalise_tracking_code(self.cleaned_data["code"])


class ReportReopenForm(StyledForm):
    reason = forms.CharField(
        label=_("Why is the problem not solved?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": _("Say why the problem is not solved.")},
    )


class PublicReportFilterForm(StyledForm):
    lab = forms.ChoiceField(label=_("Lab"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(
        self, *args: Any, labs: Iterable[Any], categories: Iterable[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "lab", [("", _("All labs")), *((lab.slug, lab.name) for lab in labs)])
        categories = list(categories)
        several_labs = len({c.lab_id for c in categories}) > 1
        _set_choices(
            self,
            "category",
            [
                ("", _("All categories")),
                *(
                    (c.code, f"{c.name} · {c.lab.name}" if several_labs else c.name)
                    for c in categories
                ),
            ],
        )
        _style(self)
