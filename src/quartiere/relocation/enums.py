from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PlanStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("relocation plan status", "Draft")
    ACTIVE = "active", pgettext_lazy("relocation plan status", "Active")
    CLOSED = "closed", pgettext_lazy("relocation plan status", "Closed")


class MoveKind(models.TextChoices):
    TEMPORARY = "temporary", _("Temporary (with the right to return)")
    PERMANENT = "permanent", _("Permanent")


class PoolSource(models.TextChoices):
    VACANT = "vacant", _("Vacant unit")
    RENOVATED = "renovated", _("Renovated unit")
    NEW = "new", _("Newly built unit")


class TenancySituation(models.TextChoices):
    REGULAR = "regular", _("Regular tenant")
    IRREGULAR_BEFORE_2016 = "irregular_before_2016", _("Irregular occupant before 2 Feb 2016")
    IRREGULAR_AFTER_2016 = "irregular_after_2016", _("Irregular occupant after 2 Feb 2016")
    FRAGILE = "fragile", _("Fragile household")


class AccessibilityRule(models.TextChoices):
    GROUND_OR_LIFT = "ground_or_lift", _("Ground floor, or a building with a lift")
    ACCESSIBLE_UNIT = "accessible_unit", _("Only units marked as accessible")


class NeedStatus(models.TextChoices):
    TO_ASSESS = "to_assess", pgettext_lazy("relocation need status", "To assess")
    ASSESSED = "assessed", pgettext_lazy("relocation need status", "Assessed")
    MATCHED = "matched", pgettext_lazy("relocation need status", "Matched")
    OFFERED = "offered", pgettext_lazy("relocation need status", "Offered")
    ACCEPTED = "accepted", pgettext_lazy("relocation need status", "Accepted")
    MOVED = "moved", pgettext_lazy("relocation need status", "Moved")
    RETURNED = "returned", pgettext_lazy("relocation need status", "Returned")


# Needs the solver assigns afresh; offered and accepted ones are kept fixed (locked).
SOLVABLE_STATUSES = frozenset({NeedStatus.ASSESSED, NeedStatus.MATCHED})
LOCKED_STATUSES = frozenset({NeedStatus.OFFERED, NeedStatus.ACCEPTED})


class OfferStatus(models.TextChoices):
    MADE = "made", pgettext_lazy("relocation offer status", "Awaiting an answer")
    ACCEPTED = "accepted", pgettext_lazy("relocation offer status", "Accepted")
    REFUSED = "refused", pgettext_lazy("relocation offer status", "Refused")
    WITHDRAWN = "withdrawn", pgettext_lazy("relocation offer status", "Withdrawn")
    ENDED = "ended", pgettext_lazy("relocation offer status", "Ended (household returned)")


class BindingConstraint(models.TextChoices):
    """Why a household was left without a unit (the solver's constraint codes)."""

    ADEQUACY = "adequacy", _("No unit in the pool has an adequate floor area for its size")
    ACCESSIBILITY = "accessibility", _("No adequate unit is on the ground floor or has a lift")
    AVAILABILITY = "availability", _("No adequate unit is available before the vacate-by date")
    ELIGIBILITY = "eligibility", _("No unit is open to its tenancy situation")
    MOVE_KIND = "move_kind", _("No unit offers a kind of move it may receive")
    COMBINATION = "combination", _("Each rule alone leaves units, but none meets all of them")
    COMPETITION = "competition", _("Every suitable unit went to another household")
    EMPTY_POOL = "empty_pool", _("The pool has no free unit")
