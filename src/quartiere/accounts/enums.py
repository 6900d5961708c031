from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    REGION = "region", _("Region")
    MUNICIPALITY = "municipality", _("Municipality (Comune)")
    ALER = "aler", _("Housing company (ALER)")
    THIRD_SECTOR = "third_sector", _("Third-sector body")
    ACCREDITED_OPERATOR = "accredited_operator", _("Accredited labour/training operator")
    SCHOOL = "school", _("School")
    OTHER = "other", _("Other")


class LabModality(models.TextChoices):
    REGIONAL_CALL = "regional_call", _("Regional call for proposals")
    CO_DESIGN = "co_design", _("Co-design within urban regeneration")


class LabStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class Role(models.TextChoices):
    """A member's role; each role is a Django group with its capabilities (data migrations)."""

    REGION_OFFICIAL = "region_official", _("Region official")
    LAB_COORDINATOR = "lab_coordinator", _("Lab coordinator")
    LAB_OPERATOR = "lab_operator", _("Lab operator")
    TRAINING_OPERATOR = "training_operator", _("Training operator")
    HOUSING_STAFF = "housing_staff", _("Housing staff")
    EVALUATOR = "evaluator", _("Evaluator")
    RESIDENT = "resident", _("Resident")


# Roles whose membership is not tied to one lab and who see every lab (aggregated).
REGION_WIDE_ROLES = frozenset({Role.REGION_OFFICIAL, Role.EVALUATOR})
