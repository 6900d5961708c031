"""Staff forms for the report queues and a report's workflow steps: parse input, no rules.

The intake forms live in ``forms_desk.py``; both share ``StyledForm`` from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from quartiere.core.widgets import QuickSelect
from quartiere.reports.enums import (
    OPEN_STATUSES,
    CommentVisibility,
    NotificationStatus,
    ReportStatus,
)

SORT_CHOICES = [
    ("-submitted", _("Newest first")),
    ("submitted", _("Oldest first")),
    ("due", _("Due date, soonest first")),
    ("-due", _("Due date, latest first")),
    ("status", _("Status")),
    ("category", _("Category")),
]
# Open statuses in workflow order, for the queue's default filter.
DEFAULT_STATUSES = [s for s in ReportStatus.values if s in OPEN_STATUSES]
MAX_BULK = 200


def _control(form: forms.Form) -> None:
    """Give every widget Bootstrap Italia classes and link errors for screen readers."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.RadioSelect | forms.MultipleHiddenInput):
            pass  # Bootstrap Italia styles these through their labels
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


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    """The named choice field, typed as such (choices are set at run time)."""
    return cast(forms.ChoiceField, form.fields[name])


class QuickCheckboxes(forms.CheckboxSelectMultiple):
    """Inline Bootstrap Italia checkboxes written in Python (as ``core.widgets.QuickSelect``
    does for options) instead of two templates per box; each box keeps its own label."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        values = value if isinstance(value, list | tuple) else [value]
        checked = {"" if v is None else str(v) for v in values}
        final_attrs = self.build_attrs(self.attrs, attrs)
        base_id = final_attrs.pop("id", None) or f"id_{name}"
        return format_html_join(
            "",
            '<div class="form-check form-check-inline"><input type="checkbox" name="{}" '
            'value="{}"{} id="{}"{}><label for="{}">{}</label></div>',
            (
                (
                    name,
                    key,
                    flatatt(final_attrs),
                    f"{base_id}_{index}",
                    SafeString(" checked") if key in checked else "",
                    f"{base_id}_{index}",
                    label,
                )
                for index, (key, label) in enumerate((str(k), str(lbl)) for k, lbl in self.choices)
            ),
        )


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _control(self)

    def full_clean(self) -> None:
        super().full_clean()
        _control(self)


class IdListField(forms.Field):
    """A list of positive integer ids sent as repeated fields (e.g. ticked rows)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        ids = [int(v) for v in values if str(v).isdigit()]
        return list(dict.fromkeys(ids))[:MAX_BULK]


# --- Queues ---------------------------------------------------------------------------------


class ReportQueueFilterForm(StyledForm):
    """The queue's filters; choices for category, building and assignee come from the view."""

    status = forms.MultipleChoiceField(
        label=_("Status"),
        required=False,
        choices=ReportStatus.choices,
        widget=QuickCheckboxes,
        help_text=_("With no status ticked, the open reports are shown."),
    )
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None, widget=QuickSelect
    )
    building = forms.TypedChoiceField(
        label=_("Building"), required=False, coerce=int, empty_value=None, widget=QuickSelect
    )
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False, widget=QuickSelect)
    overdue = forms.ChoiceField(
        label=_("Service level"),
        required=False,
        choices=[("", _("Any")), ("yes", _("Overdue only")), ("no", _("Not overdue"))],
        widget=QuickSelect,
    )
    q = forms.CharField(
        label=_("Tracking code or text"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False, choices=SORT_CHOICES, widget=QuickSelect
    )

    def __init__(
        self,
        *args: Any,
        categories: Iterable[tuple[int, str]] = (),
        buildings: Iterable[tuple[int, str]] = (),
        staff: Iterable[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "category").choices = [("", _("Any")), *categories]
        _choices(self, "building").choices = [("", _("Any")), *buildings]
        _choices(self, "assignee").choices = [
            ("", _("Anyone")),
            ("me", _("Me")),
            ("none", _("Unassigned")),
            *((str(pk), name) for pk, name in staff),
        ]


class ReportBulkForm(StyledForm):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("acknowledge", _("Acknowledge")), ("assign", _("Assign"))],
    )
    reports = IdListField(label=_("Reports"), required=False)
    assignee = forms.TypedChoiceField(
        label=_("Assign to"), required=False, coerce=int, empty_value=None, widget=QuickSelect
    )

    def __init__(self, *args: Any, staff: Iterable[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "assignee").choices = [("", _("Nobody")), *staff]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("reports"):
            raise forms.ValidationError(_("Tick at least one report."))
        return data


# --- A report's steps -----------------------------------------------------------------------


class NoteForm(StyledForm):
    """Acknowledge, start or close: an optional note that the resident will read."""

    note = forms.CharField(
        label=_("Note for the resident (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown in the report's public history."),
    )


class ForwardForm(NoteForm):
    organisation = forms.TypedChoiceField(
        label=_("Forward to"), coerce=int, empty_value=None, required=False
    )

    field_order = ["organisation", "note"]

    def __init__(
        self, *args: Any, organisations: Iterable[tuple[int, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "organisation").choices = [
            ("", _("The category's organisation")),
            *organisations,
        ]


class ResolveForm(StyledForm):
    resolution = forms.CharField(
        label=_("What was done"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the resident."),
    )


class ReasonForm(StyledForm):
    """Reject or reopen: the reason is required and shown to the resident."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the resident."),
    )


class MergeForm(StyledForm):
    into = forms.CharField(
        label=_("Tracking code of the report to keep"),
        max_length=16,
        help_text=_("An open report of the same lab, e.g. SG-ABCD-2345."),
    )

    def clean_into(self) -> str:
        return str(self.cleaned_data["into"]).strip().upper()


class AssignForm(StyledForm):
    assignee = forms.TypedChoiceField(
        label=_("Assigned to"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, staff: Iterable[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "assignee").choices = [("", _("Nobody")), *staff]


class CommentForm(StyledForm):
    body = forms.CharField(
        label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    visibility = forms.ChoiceField(
        label=_("Who can read it"),
        choices=CommentVisibility.choices,
        initial=CommentVisibility.INTERNAL,
        widget=forms.RadioSelect,
    )


class AttachmentForm(StyledForm):
    attachments = forms.FileField(
        label=_("Photo or PDF"),
        help_text=_("JPEG, PNG or PDF, up to 10 MB. Photo metadata (such as GPS) is removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )


class OutboxFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any")), *NotificationStatus.choices],
    )
