from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ActionStatus(models.TextChoices):
    """Where an action stands (OpenCoesione: OC_STATO_PROGETTO has a coarser scale)."""

    PLANNED = "planned", pgettext_lazy("action status", "Planned")
    DESIGN = "design", pgettext_lazy("action status", "Design")
    TENDERING = "tendering", pgettext_lazy("action status", "Tendering")
    IN_PROGRESS = "in_progress", pgettext_lazy("action status", "In progress")
    COMPLETED = "completed", pgettext_lazy("action status", "Completed")
    SUSPENDED = "suspended", pgettext_lazy("action status", "Suspended")


class FundingKind(models.TextChoices):
    """Level of government that funds (maps to OpenCoesione FINANZ_UE, FINANZ_STATO, ...)."""

    EU = "eu", _("European Union")
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Regional")
    MUNICIPAL = "municipal", _("Municipal")
    OTHER = "other", _("Other")


class NewsStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("news status", "Draft")
    PUBLISHED = "published", pgettext_lazy("news status", "Published")
