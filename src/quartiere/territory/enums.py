from django.db import models
from django.utils.translation import gettext_lazy as _


class BuildingStatus(models.TextChoices):
    INHABITED = "inhabited", _("Inhabited")
    BEING_VACATED = "being_vacated", _("Being vacated")
    VACANT = "vacant", _("Vacant")
    UNDER_WORKS = "under_works", _("Under works")
    DEMOLISHED = "demolished", _("Demolished")
    NEW = "new", _("New")


class UnitStatus(models.TextChoices):
    OCCUPIED = "occupied", _("Occupied")
    VACANT = "vacant", _("Vacant")
    UNAVAILABLE = "unavailable", _("Unavailable")
    RESERVED = "reserved", _("Reserved")
