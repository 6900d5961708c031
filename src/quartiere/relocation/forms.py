"""Forms of the relocation pages: they parse input and leave every rule to the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from quartiere.core.widgets import QuickSelect
from quartiere.relocation.enums import (
    AccessibilityRule,
    MoveKind,
    NeedStatus,
    OfferStatus,
    PlanStatus,
    PoolSource,
    TenancySituation,
)
from quartiere.relocation.models import MAX_SIZE_ROW
from quartiere.relocation.services import MAX_WEIGHT, WEIGHT_NAMES
from quartiere.relocation.solver import Weights

DEFAULT_WEIGHTS = Weights()

BLANK = [("", "—")]
# Need-form fields that name a row (their initial value is the id).
FK_FIELDS = frozenset({"phase", "preferred_unit_1", "preferred_unit_2"})


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class StyledForm(forms.Form):
    """Bootstrap Italia classes on every widget; errors linked for screen readers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()

    def style(self) -> None:
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                pass
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}_help"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-invalid"] = "true"
                self.fields[name].widget.attrs["aria-describedby"] = (
                    f"id_{self.add_prefix(name)}_error"
                )


class PlanForm(StyledForm):
    """A plan's name, status, refusals allowed and solver weights (create and edit)."""

    name = forms.CharField(label=_("Regeneration project"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    status = forms.ChoiceField(label=_("Status"), choices=PlanStatus.choices)
    refusals_allowed = forms.IntegerField(
        label=_("Refusals allowed"),
        min_value=0,
        max_value=10,
        initial=2,
        help_text=_("After this many refused offers the household is flagged to the task force."),
    )
    weight_preference = forms.DecimalField(
        label=_("Weight of the household's preferences"),
        min_value=Decimal(0),
        max_value=Decimal(MAX_WEIGHT),
        decimal_places=2,
        initial=Decimal(str(DEFAULT_WEIGHTS.preference)),
        help_text=_("How much each term counts in a unit's score: 0 ignores it."),
    )
    weight_distance = forms.DecimalField(
        label=_("Weight of the distance from the original building"),
        min_value=Decimal(0),
        max_value=Decimal(MAX_WEIGHT),
        decimal_places=2,
        initial=Decimal(str(DEFAULT_WEIGHTS.distance)),
    )
    weight_area_fit = forms.DecimalField(
        label=_("Weight of the fit of the floor area"),
        min_value=Decimal(0),
        max_value=Decimal(MAX_WEIGHT),
        decimal_places=2,
        initial=Decimal(str(DEFAULT_WEIGHTS.area_fit)),
    )
    weight_neighbours = forms.DecimalField(
        label=_("Weight of keeping neighbours together"),
        min_value=Decimal(0),
        max_value=Decimal(MAX_WEIGHT),
        decimal_places=2,
        initial=Decimal(str(DEFAULT_WEIGHTS.neighbours)),
    )
    weight_max_distance_km = forms.DecimalField(
        label=_("Distance that scores nothing (km)"),
        min_value=Decimal("0.1"),
        max_value=Decimal(1000),
        decimal_places=1,
        initial=Decimal(str(DEFAULT_WEIGHTS.max_distance_km)),
        help_text=_(
            "A unit this far from the original building or farther gets no points for distance."
        ),
    )

    WEIGHT_FIELDS = tuple(f"weight_{name}" for name in WEIGHT_NAMES)

    @classmethod
    def initial_for(cls, plan: Any) -> dict[str, Any]:
        """The form's values for an existing plan (its weights over the solver's defaults)."""
        weights = {name: getattr(DEFAULT_WEIGHTS, name) for name in WEIGHT_NAMES}
        weights.update({k: v for k, v in (plan.weights or {}).items() if k in weights})
        return {
            "name": plan.name,
            "description": plan.description,
            "status": plan.status,
            "refusals_allowed": plan.refusals_allowed,
            **{f"weight_{k}": Decimal(str(v)) for k, v in weights.items()},
        }

    def main_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name not in self.WEIGHT_FIELDS]

    def weight_fields(self) -> list[Any]:
        return [self[name] for name in self.WEIGHT_FIELDS]

    def plan_fields(self) -> dict[str, Any]:
        """The cleaned values as the plan services take them (weights in one mapping)."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.WEIGHT_FIELDS}
        data["weights"] = {
            name: float(self.cleaned_data[f"weight_{name}"]) for name in WEIGHT_NAMES
        }
        return data


class PhaseForm(StyledForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("For example: via Lorenteggio 181, buildings A-C."),
    )
    vacate_by = forms.DateField(label=_("Vacate by"), widget=DateInput())
    buildings = forms.TypedMultipleChoiceField(
        label=_("Buildings to vacate"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Every household living in these buildings must move."),
    )
    units = forms.TypedMultipleChoiceField(
        label=_("Single units to vacate"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_(
            "Units listed by building and stair; choose them when only some homes of a "
            "building must be vacated."
        ),
    )

    def __init__(
        self,
        *args: Any,
        buildings: list[tuple[int, str]],
        units: list[tuple[str, list[tuple[int, str]]]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["buildings"].choices = buildings  # type: ignore[attr-defined]
        self.fields["units"].choices = units or []  # type: ignore[attr-defined]


class PoolUnitForm(StyledForm):
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, widget=QuickSelect)
    available_from = forms.DateField(label=_("Available from"), widget=DateInput())
    move_kind = forms.ChoiceField(label=_("Move kind"), choices=MoveKind.choices)
    source = forms.ChoiceField(label=_("Source"), choices=PoolSource.choices)

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = BLANK + units  # type: ignore[attr-defined]


class PoolFilterForm(StyledForm):
    move_kind = forms.ChoiceField(
        label=_("Move kind"), choices=BLANK + list(MoveKind.choices), required=False
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=BLANK + list(PoolSource.choices), required=False
    )


class NeedForm(StyledForm):
    household = forms.TypedChoiceField(label=_("Household"), coerce=int, widget=QuickSelect)
    phase = forms.TypedChoiceField(label=_("Phase"), coerce=int, required=False, empty_value=None)
    size_override = forms.IntegerField(
        label=_("Household size (override)"),
        min_value=1,
        max_value=20,
        required=False,
        help_text=_("Leave empty to count the members recorded in the household."),
    )
    needs_accessible = forms.BooleanField(
        label=_("A member has reduced mobility (needs a ground floor or a lift)"), required=False
    )
    situation = forms.ChoiceField(
        label=_("Tenancy situation"),
        choices=TenancySituation.choices,
        required=False,
        help_text=_("Empty: taken from the household's tenancy."),
    )
    preferred_unit_1 = forms.TypedChoiceField(
        label=_("First preferred unit"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=QuickSelect,
    )
    preferred_unit_2 = forms.TypedChoiceField(
        label=_("Second preferred unit"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=QuickSelect,
    )
    preferred_zone_1 = forms.ChoiceField(label=_("First preferred zone"), required=False)
    preferred_zone_2 = forms.ChoiceField(label=_("Second preferred zone"), required=False)
    wishes_to_return = forms.BooleanField(
        label=_("Wishes to return after the works"), required=False
    )
    constraints_text = forms.CharField(
        label=_("Constraints (schools, carers nearby)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    constraint_zone = forms.ChoiceField(label=_("Must stay near (street)"), required=False)
    neighbours = forms.TypedMultipleChoiceField(
        label=_("Households it wants to stay near"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    meeting_note = forms.CharField(
        label=_("Note from the lab's meetings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Seen only by the lab's coordinators and operators."),
    )

    def __init__(
        self,
        *args: Any,
        households: list[tuple[int, str]] | None,
        phases: list[tuple[int, str]],
        units: list[tuple[int, str]],
        zones: list[str],
        neighbours: list[tuple[int, str]],
        show_note: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if households is None:
            del self.fields["household"]
        else:
            self.fields["household"].choices = BLANK + households  # type: ignore[attr-defined]
        self.fields["phase"].choices = BLANK + phases  # type: ignore[attr-defined]
        self.fields["situation"].choices = BLANK + list(TenancySituation.choices)  # type: ignore[attr-defined]
        for name in ("preferred_unit_1", "preferred_unit_2"):
            self.fields[name].choices = BLANK + units  # type: ignore[attr-defined]
        zone_choices = BLANK + [(z, z) for z in zones]
        for name in ("preferred_zone_1", "preferred_zone_2", "constraint_zone"):
            self.fields[name].choices = zone_choices  # type: ignore[attr-defined]
        self.fields["neighbours"].choices = neighbours  # type: ignore[attr-defined]
        if not show_note:
            del self.fields["meeting_note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        one, two = data.get("preferred_unit_1"), data.get("preferred_unit_2")
        if one and two and one == two:
            self.add_error("preferred_unit_2", _("Choose a different unit, or leave it empty."))
        return data


class BoardFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=BLANK + list(NeedStatus.choices), required=False
    )
    phase = forms.TypedChoiceField(label=_("Phase"), coerce=int, required=False, empty_value=None)
    q = forms.CharField(label=_("Household or address"), required=False, max_length=100)
    flagged = forms.ChoiceField(
        label=_("Flagged"),
        choices=[("", _("All")), ("yes", _("Flagged only")), ("no", _("Not flagged"))],
        required=False,
    )
    accessible = forms.ChoiceField(
        label=_("Reduced mobility"),
        choices=[("", _("All")), ("yes", _("Yes")), ("no", _("No"))],
        required=False,
    )

    def __init__(self, *args: Any, phases: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = BLANK + phases  # type: ignore[attr-defined]


class OfferFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=BLANK + list(OfferStatus.choices), required=False
    )
    q = forms.CharField(label=_("Household"), required=False, max_length=100)


class SolveForm(StyledForm):
    phase = forms.TypedChoiceField(
        label=_("Solve for"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, phases: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = [("", _("The whole plan")), *phases]  # type: ignore[attr-defined]


class RefuseForm(StyledForm):
    reason = forms.CharField(
        label=_("Why the household refused"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MoveForm(StyledForm):
    moved_on = forms.DateField(label=_("Moving day"), widget=DateInput())
    cost_amount = forms.DecimalField(
        label=_("Moving costs (EUR), paid by the owner"),
        min_value=Decimal(0),
        max_digits=9,
        decimal_places=2,
        initial=Decimal(0),
    )


class ReturnForm(StyledForm):
    returned_on = forms.DateField(label=_("Return day"), widget=DateInput())


class RulesForm(StyledForm):
    """The plan's adequacy rules: floor area by size, accessibility, eligibility, refusals."""

    accessibility_rule = forms.ChoiceField(
        label=_("Accessibility rule"), choices=AccessibilityRule.choices
    )
    refusals_allowed = forms.IntegerField(label=_("Refusals allowed"), min_value=0, max_value=10)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for size in range(1, MAX_SIZE_ROW + 1):
            label = f"{size}+" if size == MAX_SIZE_ROW else str(size)
            self.fields[f"min_{size}"] = forms.DecimalField(
                label=_("Minimum m² for %(n)s") % {"n": label},
                min_value=Decimal(0),
                max_digits=6,
                decimal_places=1,
            )
            self.fields[f"max_{size}"] = forms.DecimalField(
                label=_("Maximum m² for %(n)s") % {"n": label},
                min_value=Decimal(0),
                max_digits=6,
                decimal_places=1,
                required=False,
            )
        for situation, _label in TenancySituation.choices:
            for kind, _kind_label in MoveKind.choices:
                self.fields[f"allow_{situation}_{kind}"] = forms.BooleanField(
                    label=f"{_label}: {_kind_label}", required=False
                )
        self.style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for size in range(1, MAX_SIZE_ROW + 1):
            lo, hi = data.get(f"min_{size}"), data.get(f"max_{size}")
            if lo is not None and hi is not None and hi < lo:
                self.add_error(f"max_{size}", _("The maximum is below the minimum."))
        return data

    def ranges(self) -> dict[int, tuple[Decimal, Decimal | None]]:
        return {
            size: (self.cleaned_data[f"min_{size}"], self.cleaned_data.get(f"max_{size}"))
            for size in range(1, MAX_SIZE_ROW + 1)
        }

    def allowed(self) -> set[tuple[str, str]]:
        return {
            (situation, kind)
            for situation in TenancySituation.values
            for kind in MoveKind.values
            if self.cleaned_data.get(f"allow_{situation}_{kind}")
        }

    def area_rows(self) -> list[tuple[str, Any, Any]]:
        return [
            (f"{s}+" if s == MAX_SIZE_ROW else str(s), self[f"min_{s}"], self[f"max_{s}"])
            for s in range(1, MAX_SIZE_ROW + 1)
        ]

    def eligibility_rows(self) -> list[tuple[str, list[Any]]]:
        return [
            (str(label), [self[f"allow_{situation}_{kind}"] for kind in MoveKind.values])
            for situation, label in TenancySituation.choices
        ]
