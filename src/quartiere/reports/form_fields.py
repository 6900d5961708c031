"""Form fields shared by the desk and the public report forms: files and extra questions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from quartiere.reports.enums import AttributeDatatype
from quartiere.reports.uploads import MAX_BYTES

MAX_FILES = 5
ACCEPTED_FILES = "image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos or PDFs; size and count are checked here, the content by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_FILES}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else [data]
        files = [super(MultipleFileField, self).clean(item, initial) for item in items if item]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(
                _("Attach at most %(n)s files.") % {"n": MAX_FILES}, code="too_many"
            )
        too_big = [f.name for f in files if (f.size or 0) > MAX_BYTES]
        if too_big:
            raise forms.ValidationError(
                [_("“%(name)s” is larger than 10 MB.") % {"name": name} for name in too_big],
                code="too_big",
            )
        return files


def attribute_field(attr: Any, *, compact: bool = False) -> forms.Field:
    """Build the form field for one of a category's extra questions (an Open311 attribute).

    ``compact`` asks one-choice questions with a select (the desk) instead of radio buttons.
    """
    common: dict[str, Any] = {"label": attr.description, "required": attr.is_required}
    choices = [(str(v.get("key")), str(v.get("name") or v.get("key"))) for v in attr.values or []]
    if attr.datatype == AttributeDatatype.NUMBER:
        return forms.DecimalField(
            widget=forms.TextInput(attrs={"inputmode": "decimal"}), max_digits=14, **common
        )
    if attr.datatype == AttributeDatatype.DATETIME:
        return forms.DateTimeField(
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            input_formats=[
                "%Y-%m-%dT%H:%M",
                "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%d %H:%M",
                "%d/%m/%Y %H:%M",
            ],
            **common,
        )
    if attr.datatype == AttributeDatatype.TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, **common)
    if attr.datatype == AttributeDatatype.SINGLEVALUELIST:
        if compact:
            return forms.ChoiceField(choices=[("", _("Choose…")), *choices], **common)
        return forms.ChoiceField(widget=forms.RadioSelect, choices=choices, **common)
    if attr.datatype == AttributeDatatype.MULTIVALUELIST:
        return forms.MultipleChoiceField(
            widget=forms.CheckboxSelectMultiple, choices=choices, **common
        )
    return forms.CharField(max_length=2000, **common)
