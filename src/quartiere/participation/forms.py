"""Forms of the participation context: public (residents) and back office (staff)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from quartiere.core.widgets import QuickSelect
from quartiere.participation.enums import (
    OUTCOME_STATUSES,
    PUBLIC_PROPOSAL_STATUSES,
    ProposalStatus,
)
from quartiere.participation.models import Process, ProcessPhase, ProcessWorkshop
from quartiere.participation.photos import MAX_BYTES
from quartiere.participation.services import COMMENT_MAX, DESCRIPTION_MAX, TITLE_MAX

SORT_CHOICES = [
    ("supports", _("Most supported")),
    ("recent", _("Most recent")),
    ("oldest", _("Oldest")),
    ("title", _("Title (A-Z)")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class _Styled:
    """Give every widget the Bootstrap Italia classes and link help texts for screen readers."""

    def _style(self) -> None:
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                continue
            if isinstance(widget, forms.Select):
                continue
            widget.attrs.setdefault("class", "form-control")
            if field.help_text:
                widget.attrs.setdefault("aria-describedby", f"id_{name}_help")


# --- Public ---------------------------------------------------------------------------------


class ProposalFilterForm(forms.Form):
    """The public filter bar; the selects are written in Python (the page is speed-checked)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))]
        + [(s.value, s.label) for s in ProposalStatus if s in PUBLIC_PROPOSAL_STATUSES],
        widget=QuickSelect,
    )
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False, choices=SORT_CHOICES, widget=QuickSelect
    )


class ProposalPublicForm(_Styled, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("Your proposal"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "What you propose, where, and why it helps the neighbourhood. Do not write "
            "personal data about yourself or others."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class CommentForm(_Styled, forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Comments are published after the lab has read them."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


# --- Back office ----------------------------------------------------------------------------


class ProcessForm(_Styled, forms.ModelForm):
    class Meta:
        model = Process
        fields = [
            "title_it",
            "title_en",
            "slug",
            "description_it",
            "description_en",
            "action",
            "support_threshold",
            "status",
        ]
        widgets = {
            "description_it": forms.Textarea(attrs={"rows": 6}),
            "description_en": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args: Any, actions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if actions is not None:
            self.fields["action"].queryset = actions  # type: ignore[attr-defined]
        self.fields["action"].required = False
        self._style()


class PhaseForm(_Styled, forms.ModelForm):
    class Meta:
        model = ProcessPhase
        fields = ["kind", "starts_on", "ends_on", "description_it", "description_en"]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "description_it": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("Choose a date on or after the start."))
        return data

    def validate_unique(self) -> None:
        """Uniqueness of the phase kind is checked by the service, with a clearer message."""


class WorkshopForm(_Styled, forms.ModelForm):
    class Meta:
        model = ProcessWorkshop
        fields = [
            "title_it",
            "title_en",
            "held_on",
            "place",
            "participant_count",
            "minutes_it",
            "minutes_en",
        ]
        widgets = {
            "held_on": DateInput(),
            "minutes_it": forms.Textarea(attrs={"rows": 8}),
            "minutes_en": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class WorkshopCreateForm(WorkshopForm):
    start_time = forms.TimeField(
        label=_("Start time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_(
            "With a start time the workshop is also published in the lab's calendar, where "
            "residents register and the lab records attendance."
        ),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=15, max_value=600, initial=120
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class PhotoForm(_Styled, forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG or PNG, at most %(mb)s MB. Location and camera data are removed.")
        % {"mb": MAX_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    caption = forms.CharField(
        label=_("Description of the photo"),
        max_length=200,
        help_text=_("Say what the photo shows: it is read aloud by screen readers."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    def clean_photo(self) -> Any:
        photo = self.cleaned_data["photo"]
        if photo.size > MAX_BYTES:
            raise forms.ValidationError(_("The photo is larger than 8 MB."))
        return photo


class StaffProposalForm(_Styled, forms.Form):
    resident_code = forms.CharField(
        label=_("Resident's codice fiscale"),
        required=False,
        max_length=16,
        help_text=_("For a resident on the lab's register."),
    )
    author_name = forms.CharField(
        label=_("Or the person's name"),
        required=False,
        max_length=150,
        help_text=_("For someone not on the register: shown publicly as first name and initial."),
    )
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("Proposal"), max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 8})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["resident_code"] = (data.get("resident_code") or "").strip().upper()
        if not data["resident_code"] and not (data.get("author_name") or "").strip():
            self.add_error(
                "resident_code", _("Enter the resident's codice fiscale or the person's name.")
            )
        return data


class ReasonForm(_Styled, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        self._style()


class OutcomeForm(_Styled, forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(s.value, s.label) for s in ProposalStatus if s in OUTCOME_STATUSES],
    )
    reason = forms.CharField(
        label=_("Reason (shown publicly)"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    action: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Programme action that realises it"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
    )

    def __init__(self, *args: Any, actions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].queryset = actions  # type: ignore[attr-defined]
        self._style()
