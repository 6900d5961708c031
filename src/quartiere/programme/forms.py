"""Back-office forms of the programme context: they parse input, services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartiere.core.exceptions import ApplicationError
from quartiere.core.views import apply_service_errors
from quartiere.programme.enums import NewsStatus
from quartiere.programme.models import (
    Action,
    ActionLine,
    Allocation,
    AllocationPayment,
    FundingSource,
    Milestone,
    NewsItem,
    Programme,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ServiceErrorsMixin:
    fields: dict[str, forms.Field]

    def apply_errors(self, exc: ApplicationError) -> None:
        apply_service_errors(self, exc)

    def fit_width(self) -> None:
        """Lists and file inputs take the column's width (long titles must not widen a phone)."""
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select | forms.SelectMultiple | forms.FileInput):
                css = field.widget.attrs.get("class", "")
                field.widget.attrs["class"] = f"{css} w-100".strip()


class ActionForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = Action
        fields = [
            "line",
            "parent",
            "key",
            "code",
            "title_it",
            "title_en",
            "description_it",
            "description_en",
            "status",
            "budget_amount",
            "cup",
            "responsible_organisation",
            "planned_start_on",
            "planned_end_on",
            "actual_start_on",
            "actual_end_on",
            "place_label",
            "latitude",
            "longitude",
            "buildings",
            "order",
            "is_published",
        ]
        widgets = {
            "planned_start_on": DATE,
            "planned_end_on": DATE,
            "actual_start_on": DATE,
            "actual_end_on": DATE,
            "description_it": forms.Textarea(attrs={"rows": 4, "class": "w-100"}),
            "description_en": forms.Textarea(attrs={"rows": 4, "class": "w-100"}),
        }

    def __init__(
        self,
        *args: Any,
        lines: Any,
        parents: Any,
        buildings: Any,
        organisations: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = lines  # type: ignore[attr-defined]
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        self.fields["buildings"].queryset = buildings  # type: ignore[attr-defined]
        self.fields["buildings"].required = False
        self.fields["responsible_organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["key"].required = False
        self.fields["key"].help_text = _(
            "Stable short name used in addresses and imports (e.g. manzano-4); "
            "left empty, it is made from the title."
        )
        self.fit_width()

    def _post_clean(self) -> None:
        # The services validate (with the programme set); skip the model's own checks here.
        pass

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("buildings", None)
        return data


class MilestoneForm(ServiceErrorsMixin, forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fit_width()

    evidence_url = forms.URLField(label=_("evidence (link)"), required=False, assume_scheme="https")

    class Meta:
        model = Milestone
        fields = [
            "title_it",
            "title_en",
            "planned_on",
            "achieved_on",
            "weight",
            "evidence_url",
            "evidence_text",
            "evidence_file",
        ]
        widgets = {
            "planned_on": DATE,
            "achieved_on": DATE,
            "evidence_text": forms.Textarea(attrs={"rows": 3, "class": "w-100"}),
        }

    def _post_clean(self) -> None:
        pass


class AllocationForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = Allocation
        fields = ["source", "amount", "committed_amount", "committed_on", "note"]
        widgets = {"committed_on": DATE}

    def __init__(self, *args: Any, sources: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources  # type: ignore[attr-defined]
        self.fit_width()

    def _post_clean(self) -> None:
        pass


class PaymentForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = AllocationPayment
        fields = ["paid_on", "amount", "reference"]
        widgets = {"paid_on": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("paid_on", timezone.localdate())
        super().__init__(*args, **kwargs)

    def _post_clean(self) -> None:
        pass


class NewsForm(ServiceErrorsMixin, forms.ModelForm):
    image_file = forms.FileField(
        label=_("Image (JPEG or PNG)"),
        required=False,
        help_text=_("Optional. Metadata such as GPS positions is removed."),
    )

    class Meta:
        model = NewsItem
        fields = [
            "title_it",
            "title_en",
            "summary_it",
            "summary_en",
            "body_it",
            "body_en",
            "action",
            "image_alt",
        ]
        widgets = {
            "body_it": forms.Textarea(attrs={"rows": 8, "class": "w-100"}),
            "body_en": forms.Textarea(attrs={"rows": 8, "class": "w-100"}),
        }
        help_texts = {
            "body_it": _(
                "Paragraphs, bold, italics, lists, sub-headings and links are kept; any other "
                "HTML (scripts, styles, images) is removed."
            ),
        }

    def __init__(self, *args: Any, actions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].queryset = actions  # type: ignore[attr-defined]
        self.fields["action"].required = False
        self.fit_width()

    def _post_clean(self) -> None:
        pass

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        upload = data.pop("image_file", None)
        if upload:
            data["image_data"] = upload.read()
        return data


class DocumentForm(ServiceErrorsMixin, forms.Form):
    title_it = forms.CharField(label=_("title (Italian)"), max_length=250)
    title_en = forms.CharField(label=_("title (English)"), max_length=250, required=False)
    action = forms.ModelChoiceField(
        label=_("action"),
        queryset=Action.objects.none(),
        required=False,
        help_text=_("Leave empty for a document of the whole programme."),
    )
    published_on = forms.DateField(label=_("published on"), widget=DATE)
    file = forms.FileField(label=_("file (PDF)"))
    is_public = forms.BooleanField(label=_("public"), required=False, initial=True)

    def __init__(self, *args: Any, actions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].queryset = actions  # type: ignore[attr-defined]
        self.fields["published_on"].initial = timezone.localdate()
        self.fit_width()


class PhotoForm(ServiceErrorsMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fit_width()

    image = forms.FileField(label=_("Photo (JPEG or PNG)"))
    alt_it = forms.CharField(
        label=_("text alternative (Italian)"),
        max_length=250,
        help_text=_("What the photo shows, for people who cannot see it."),
    )
    alt_en = forms.CharField(label=_("text alternative (English)"), max_length=250, required=False)
    caption_it = forms.CharField(label=_("caption (Italian)"), max_length=250, required=False)
    caption_en = forms.CharField(label=_("caption (English)"), max_length=250, required=False)
    taken_on = forms.DateField(label=_("taken on"), required=False, widget=DATE)


class ImportForm(ServiceErrorsMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fit_width()

    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=[("actions", _("Actions")), ("allocations", _("Allocations (funding by source)"))],
    )
    file = forms.FileField(label=_("File (CSV or XLSX)"))
    dry_run = forms.BooleanField(
        label=_("Only check the file, do not import"), required=False, initial=True
    )


class NewsFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *list(NewsStatus.choices)], required=False
    )


class ProgrammeForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = Programme
        fields = [
            "name",
            "description_it",
            "description_en",
            "total_budget_amount",
            "starts_on",
            "ends_on",
            "is_published",
        ]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "description_it": forms.Textarea(attrs={"rows": 5, "class": "w-100"}),
            "description_en": forms.Textarea(attrs={"rows": 5, "class": "w-100"}),
        }

    def _post_clean(self) -> None:
        pass


class ActionLineForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = ActionLine
        fields = ["code", "name_it", "name_en", "order"]

    def _post_clean(self) -> None:
        pass


class FundingSourceForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = FundingSource
        fields = ["code", "name_it", "name_en", "kind", "order", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fit_width()

    def _post_clean(self) -> None:
        pass
