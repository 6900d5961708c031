"""Models of the relocation context: plans, phases, pool, needs, versions, offers, moves."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from quartiere.core.models import TimeStampedModel
from quartiere.relocation.enums import (
    AccessibilityRule,
    MoveKind,
    NeedStatus,
    OfferStatus,
    PlanStatus,
    PoolSource,
    TenancySituation,
)

# Default floor-area ranges (useful m²) by household size, DOMAIN.md section 6; 6 means 6+.
DEFAULT_AREA_RANGES: dict[int, tuple[int, int | None]] = {
    1: (28, 46),
    2: (38, 55),
    3: (48, 65),
    4: (58, 80),
    5: (68, 93),
    6: (78, None),
}
MAX_SIZE_ROW = 6
# Default eligibility: (situation, move kind) pairs a household may receive.
DEFAULT_ELIGIBILITY: dict[str, set[str]] = {
    TenancySituation.REGULAR: {MoveKind.TEMPORARY, MoveKind.PERMANENT},
    TenancySituation.IRREGULAR_BEFORE_2016: {MoveKind.TEMPORARY, MoveKind.PERMANENT},
    TenancySituation.IRREGULAR_AFTER_2016: {MoveKind.TEMPORARY},
    TenancySituation.FRAGILE: {MoveKind.TEMPORARY, MoveKind.PERMANENT},
}


class RelocationPlan(TimeStampedModel):
    """The relocation plan of a regeneration project in a lab, with its configurable rules."""

    lab = models.ForeignKey(
        "accounts.Lab",
        verbose_name=_("lab"),
        on_delete=models.PROTECT,
        related_name="relocation_plans",
    )
    name = models.CharField(_("regeneration project"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PlanStatus.choices,
        default=PlanStatus.ACTIVE,
        db_index=True,
    )
    refusals_allowed = models.PositiveSmallIntegerField(
        _("refusals allowed"),
        default=2,
        validators=[MaxValueValidator(10)],
        help_text=_("After this many refused offers the household is flagged to the task force."),
    )
    accessibility_rule = models.CharField(
        _("accessibility rule"),
        max_length=20,
        choices=AccessibilityRule.choices,
        default=AccessibilityRule.GROUND_OR_LIFT,
        help_text=_("Which units a household with a member of reduced mobility may receive."),
    )
    weights = models.JSONField(
        _("solver weights"),
        default=dict,
        blank=True,
        help_text=_(
            'Optional, e.g. {"preference": 4, "distance": 2, "area_fit": 2, "neighbours": 1}.'
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["lab__name", "name", "id"]
        verbose_name = _("relocation plan")
        verbose_name_plural = _("relocation plans")
        permissions = [
            ("solve_relocationplan", _("Can compute relocation plan versions")),
            ("export_relocation", _("Can export relocation plans and boards")),
            ("view_meeting_note", _("Can read the notes of the lab's meetings with households")),
            ("make_offer", _("Can make relocation offers to households")),
            ("answer_offer", _("Can record a household's answer to an offer")),
            ("record_move", _("Can record moves and returns")),
        ]

    def __str__(self) -> str:
        return self.name


class RelocationPhase(TimeStampedModel):
    """A phase of a plan: the buildings or units to vacate by a date."""

    plan = models.ForeignKey(
        RelocationPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="phases"
    )
    name = models.CharField(_("name"), max_length=200)
    vacate_by = models.DateField(_("vacate by"))
    buildings = models.ManyToManyField(
        "territory.Building",
        verbose_name=_("buildings to vacate"),
        blank=True,
        related_name="relocation_phases",
    )
    units = models.ManyToManyField(
        "territory.Unit",
        verbose_name=_("single units to vacate"),
        blank=True,
        related_name="relocation_phases",
    )

    class Meta:
        ordering = ["plan", "vacate_by", "id"]
        verbose_name = _("relocation phase")
        verbose_name_plural = _("relocation phases")

    def __str__(self) -> str:
        return self.name


class PoolUnit(TimeStampedModel):
    """A unit available to receive households in a plan, from a date, for a kind of move."""

    plan = models.ForeignKey(
        RelocationPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="pool"
    )
    unit = models.ForeignKey(
        "territory.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="relocation_pool_entries",
    )
    available_from = models.DateField(_("available from"))
    move_kind = models.CharField(_("move kind"), max_length=20, choices=MoveKind.choices)
    source = models.CharField(_("source"), max_length=20, choices=PoolSource.choices)
    is_active = models.BooleanField(_("in the pool"), default=True)

    class Meta:
        ordering = ["plan", "unit__building__street", "unit__code"]
        verbose_name = _("unit in the pool")
        verbose_name_plural = _("units in the pool")
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit"], name="relocation_pool_unit_once")
        ]

    def __str__(self) -> str:
        return f"{self.unit}"


class AreaRule(TimeStampedModel):
    """The adequate useful floor area for a household size in a plan (6 stands for 6 or more)."""

    plan = models.ForeignKey(
        RelocationPlan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="area_rules",
    )
    household_size = models.PositiveSmallIntegerField(
        _("household members"), validators=[MinValueValidator(1), MaxValueValidator(MAX_SIZE_ROW)]
    )
    min_area_m2 = models.DecimalField(
        _("minimum floor area (m²)"), max_digits=6, decimal_places=1, default=Decimal(0)
    )
    max_area_m2 = models.DecimalField(
        _("maximum floor area (m²)"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Empty: no upper limit."),
    )

    class Meta:
        ordering = ["plan", "household_size"]
        verbose_name = _("floor-area rule")
        verbose_name_plural = _("floor-area rules")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "household_size"], name="relocation_area_rule_once"
            ),
            models.CheckConstraint(
                condition=models.Q(max_area_m2__isnull=True)
                | models.Q(max_area_m2__gte=models.F("min_area_m2")),
                name="relocation_area_rule_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_size}: {self.min_area_m2}-{self.max_area_m2 or ''}"


class EligibilityRule(TimeStampedModel):
    """Whether households in a tenancy situation may receive a kind of move, in a plan."""

    plan = models.ForeignKey(
        RelocationPlan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="eligibility_rules",
    )
    situation = models.CharField(
        _("tenancy situation"), max_length=30, choices=TenancySituation.choices
    )
    move_kind = models.CharField(_("move kind"), max_length=20, choices=MoveKind.choices)
    is_allowed = models.BooleanField(_("allowed"), default=True)

    class Meta:
        ordering = ["plan", "situation", "move_kind"]
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "situation", "move_kind"], name="relocation_eligibility_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.situation} / {self.move_kind}"


class RelocationNeed(TimeStampedModel):
    """What a household to move needs: size, accessibility, situation, wishes, constraints."""

    plan = models.ForeignKey(
        RelocationPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="needs"
    )
    phase = models.ForeignKey(
        RelocationPhase,
        verbose_name=_("phase"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs",
    )
    household = models.ForeignKey(
        "people.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="relocation_needs",
    )
    origin_unit = models.ForeignKey(
        "territory.Unit",
        verbose_name=_("unit to vacate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="relocation_needs_from",
    )
    member_count = models.PositiveSmallIntegerField(_("members (from the household)"), default=1)
    size_override = models.PositiveSmallIntegerField(
        _("household size (override)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("Only when the members recorded are not the people who will move."),
    )
    adult_count = models.PositiveSmallIntegerField(_("adults (18-64)"), default=0)
    elderly_count = models.PositiveSmallIntegerField(_("members over 65"), default=0)
    child_count = models.PositiveSmallIntegerField(_("children"), default=0)
    needs_accessible = models.BooleanField(
        _("a member has reduced mobility"),
        default=False,
        help_text=_("The household needs a ground floor or a building with a lift."),
    )
    situation = models.CharField(
        _("tenancy situation"),
        max_length=30,
        choices=TenancySituation.choices,
        default=TenancySituation.REGULAR,
    )
    preferred_unit_1 = models.ForeignKey(
        "territory.Unit",
        verbose_name=_("first preferred unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    preferred_unit_2 = models.ForeignKey(
        "territory.Unit",
        verbose_name=_("second preferred unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    preferred_zone_1 = models.CharField(
        _("first preferred zone (street)"), max_length=150, blank=True
    )
    preferred_zone_2 = models.CharField(
        _("second preferred zone (street)"), max_length=150, blank=True
    )
    neighbours = models.ManyToManyField(
        "self",
        verbose_name=_("households it wants to stay near"),
        symmetrical=False,
        blank=True,
        related_name="+",
    )
    wishes_to_return = models.BooleanField(_("wishes to return after the works"), default=False)
    constraints_text = models.TextField(
        _("constraints"), blank=True, help_text=_("Schools, carers or services to stay near.")
    )
    constraint_zone = models.CharField(_("must stay near (street)"), max_length=150, blank=True)
    meeting_note = models.TextField(
        _("note from the lab's meetings"),
        blank=True,
        help_text=_("Seen only by the lab's coordinators and operators."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=NeedStatus.choices,
        default=NeedStatus.TO_ASSESS,
        db_index=True,
    )
    refusal_count = models.PositiveSmallIntegerField(_("refused offers"), default=0)
    is_flagged = models.BooleanField(
        _("flagged"), default=False, help_text=_("Refused more offers than the plan allows.")
    )

    class Meta:
        ordering = ["plan", "household__label", "id"]
        verbose_name = _("relocation need")
        verbose_name_plural = _("relocation needs")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "household"], name="relocation_need_one_per_household"
            )
        ]
        indexes = [models.Index(fields=["plan", "status"], name="relocation_need_plan_status")]

    def __str__(self) -> str:
        return f"{self.household}"

    @property
    def size(self) -> int:
        return self.size_override or self.member_count

    @property
    def composition(self) -> str:
        """The members by age group, in the reader's language (e.g. "2 adults, 1 child")."""
        parts = []
        if self.adult_count:
            parts.append(
                ngettext("%(n)s adult", "%(n)s adults", self.adult_count) % {"n": self.adult_count}
            )
        if self.elderly_count:
            parts.append(gettext("%(n)s over 65") % {"n": self.elderly_count})
        if self.child_count:
            parts.append(
                ngettext("%(n)s child", "%(n)s children", self.child_count)
                % {"n": self.child_count}
            )
        return ", ".join(str(p) for p in parts)


class NeedStatusChange(models.Model):
    """One step of a need's workflow: from, to, who, when, why."""

    need = models.ForeignKey(
        RelocationNeed,
        verbose_name=_("need"),
        on_delete=models.CASCADE,
        related_name="status_changes",
    )
    from_status = models.CharField(_("from"), max_length=20, choices=NeedStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=NeedStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("need status change")
        verbose_name_plural = _("need status changes")

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class PlanVersion(TimeStampedModel):
    """One run of the solver on a plan (or a phase): the objective and whether it is optimal."""

    plan = models.ForeignKey(
        RelocationPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="versions"
    )
    phase = models.ForeignKey(
        RelocationPhase,
        verbose_name=_("phase"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("version"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("computed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    objective = models.FloatField(_("objective value"), default=0)
    is_optimal = models.BooleanField(_("optimal"), default=False)
    weights = models.JSONField(_("weights"), default=dict, blank=True)
    solver_status = models.CharField(_("solver status"), max_length=40, blank=True)
    solve_seconds = models.FloatField(_("solving time (s)"), default=0)
    need_count = models.PositiveIntegerField(_("households considered"), default=0)
    matched_count = models.PositiveIntegerField(_("households matched"), default=0)
    unit_count = models.PositiveIntegerField(_("units in the pool"), default=0)
    pool_unit_ids = models.JSONField(
        _("units in the pool (ids)"),
        null=True,
        blank=True,
        default=None,
        help_text=_("The units the solver could use; empty for versions computed before."),
    )

    class Meta:
        ordering = ["plan", "-number"]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="relocation_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"

    @property
    def unmatched_count(self) -> int:
        return self.need_count - self.matched_count


class ProposedMatch(models.Model):
    """A household -> unit pair proposed by a plan version, with its score and reasons."""

    version = models.ForeignKey(
        PlanVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="matches"
    )
    need = models.ForeignKey(
        RelocationNeed,
        verbose_name=_("need"),
        on_delete=models.CASCADE,
        related_name="proposed_matches",
    )
    unit = models.ForeignKey(
        "territory.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="relocation_matches",
    )
    move_kind = models.CharField(_("move kind"), max_length=20, choices=MoveKind.choices)
    score = models.FloatField(_("score"), default=0)
    is_locked = models.BooleanField(_("kept from an offer"), default=False)
    explanation = models.JSONField(_("explanation"), default=dict, blank=True)

    class Meta:
        ordering = ["version", "need__household__label", "id"]
        verbose_name = _("proposed match")
        verbose_name_plural = _("proposed matches")
        constraints = [
            models.UniqueConstraint(fields=["version", "need"], name="relocation_match_need_once"),
            models.UniqueConstraint(fields=["version", "unit"], name="relocation_match_unit_once"),
        ]

    def __str__(self) -> str:
        return f"{self.need} → {self.unit}"


class UnmatchedNeed(models.Model):
    """A household a plan version left without a unit, and the constraint that bound."""

    version = models.ForeignKey(
        PlanVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="unmatched"
    )
    need = models.ForeignKey(
        RelocationNeed,
        verbose_name=_("need"),
        on_delete=models.CASCADE,
        related_name="unmatched_in",
    )
    binding_constraint = models.CharField(_("binding constraint"), max_length=40)
    explanation = models.JSONField(_("explanation"), default=dict, blank=True)

    class Meta:
        ordering = ["version", "need__household__label", "id"]
        verbose_name = _("unmatched household")
        verbose_name_plural = _("unmatched households")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "need"], name="relocation_unmatched_need_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.need}: {self.binding_constraint}"


class Offer(TimeStampedModel):
    """A unit offered to a household; at most one accepted offer per unit (database rule)."""

    need = models.ForeignKey(
        RelocationNeed, verbose_name=_("need"), on_delete=models.PROTECT, related_name="offers"
    )
    unit = models.ForeignKey(
        "territory.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="relocation_offers",
    )
    match = models.ForeignKey(
        ProposedMatch,
        verbose_name=_("proposed match"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="offers",
    )
    move_kind = models.CharField(_("move kind"), max_length=20, choices=MoveKind.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OfferStatus.choices,
        default=OfferStatus.MADE,
        db_index=True,
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answer recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    refusal_reason = models.TextField(_("reason for refusing"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(status="accepted"),
                name="relocation_offer_one_accepted_per_unit",
            ),
            models.UniqueConstraint(
                fields=["need"],
                condition=models.Q(status__in=["made", "accepted"]),
                name="relocation_offer_one_open_per_need",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.need} → {self.unit}"


class Move(TimeStampedModel):
    """A household's move to the unit it accepted, with its cost borne by the owner."""

    need = models.ForeignKey(
        RelocationNeed, verbose_name=_("need"), on_delete=models.PROTECT, related_name="moves"
    )
    offer = models.OneToOneField(
        Offer, verbose_name=_("offer"), on_delete=models.PROTECT, related_name="move"
    )
    from_unit = models.ForeignKey(
        "territory.Unit",
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="relocation_moves_from",
    )
    to_unit = models.ForeignKey(
        "territory.Unit",
        verbose_name=_("to"),
        on_delete=models.PROTECT,
        related_name="relocation_moves_to",
    )
    kind = models.CharField(_("move kind"), max_length=20, choices=MoveKind.choices)
    moved_on = models.DateField(_("moved on"))
    cost_amount = models.DecimalField(
        _("moving costs (EUR)"),
        max_digits=9,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    payer = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("costs paid by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="relocation_moves_paid",
    )
    has_right_to_return = models.BooleanField(_("right to return"), default=False)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-moved_on", "-id"]
        verbose_name = _("move")
        verbose_name_plural = _("moves")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cost_amount__gte=0), name="relocation_move_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(returned_on__isnull=True)
                | models.Q(returned_on__gte=models.F("moved_on")),
                name="relocation_move_return_after_move",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.need}: {self.from_unit} → {self.to_unit}"
