from django.db import models
from django.utils.translation import gettext_lazy as _


class EmploymentStatus(models.TextChoices):
    """One employment status per participant at entry (ESF CO01-CO05)."""

    EMPLOYED = "employed", _("Employed, including self-employed")
    UNEMPLOYED = "unemployed", _("Unemployed")
    INACTIVE_IN_EDUCATION = "inactive_education", _("Inactive, in education or training")
    INACTIVE = "inactive", _("Inactive, not in education or training")
    UNKNOWN = "", _("Not known")


class EducationLevel(models.TextChoices):
    """Highest education attained, as ISCED groups (ESF CO09-CO11)."""

    NONE = "isced_0", _("No formal education (ISCED 0)")
    PRIMARY_LOWER_SECONDARY = "isced_1_2", _("Primary or lower secondary (ISCED 1-2)")
    UPPER_SECONDARY = "isced_3_4", _("Upper secondary or post-secondary (ISCED 3-4)")
    TERTIARY = "isced_5_8", _("Tertiary (ISCED 5-8)")
    UNKNOWN = "", _("Not known")


class SensitiveAnswer(models.TextChoices):
    """A sensitive ESF item (CO15-CO17): the attempt to collect it is always recorded."""

    YES = "yes", _("Yes")
    NO = "no", _("No")
    REFUSED = "refused", _("Refused to answer")
    NOT_ASKED = "", _("Not asked yet")


class OperationKind(models.TextChoices):
    """What kind of operation a participation belongs to."""

    TRAINING = "training", _("Training path")
    ACTIVITY = "activity", _("Lab activity")
    PARTICIPATORY = "participatory", _("Participatory process")
    OTHER = "other", _("Other")
