"""Choices of the training context."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PathStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("training path status", "Draft")
    OPEN = "open", pgettext_lazy("training path status", "Open for enrolment")
    RUNNING = "running", pgettext_lazy("training path status", "Running")
    CLOSED = "closed", pgettext_lazy("training path status", "Closed")


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", pgettext_lazy("enrolment status", "Enrolled")
    STARTED = "started", pgettext_lazy("enrolment status", "Started")
    WITHDRAWN = "withdrawn", pgettext_lazy("enrolment status", "Withdrawn")
    COMPLETED = "completed", pgettext_lazy("enrolment status", "Completed")


# Enrolments that still take part in sessions.
ACTIVE_ENROLMENT_STATUSES = frozenset({EnrolmentStatus.ENROLLED, EnrolmentStatus.STARTED})


class RegisterStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("register status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("register status", "Submitted")
    VALIDATED = "validated", pgettext_lazy("register status", "Validated")


class IncomeSupport(models.TextChoices):
    NONE = "none", _("None")
    NASPI = "naspi", _("NASpI")
    DIS_COLL = "dis_coll", _("DIS-COLL")
    CIG = "cig", _("Wage guarantee fund (CIG)")
    OTHER = "other", _("Other income support")
    NOT_DECLARED = "", _("Not declared")


class Gate(models.TextChoices):
    """The eligibility gates a measure can switch on."""

    AGE = "age", _("Age")
    RESIDENCE = "residence", _("Residence in the target area")
    UNEMPLOYED = "unemployed", _("Unemployed")
    PERMIT = "permit", _("Valid residence permit")
    ISEE = "isee", _("ISEE threshold")
    INCOME_SUPPORT = "income_support", _("No income support")
