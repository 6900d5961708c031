from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from quartiere.core.models import TimeStampedModel
from quartiere.territory.enums import BuildingStatus, UnitStatus


class District(TimeStampedModel):
    """A public-housing neighbourhood in a municipality (the area a lab serves)."""

    municipality = models.CharField(_("municipality"), max_length=100)
    name = models.CharField(_("name"), max_length=150)
    boundary = models.JSONField(
        _("boundary (GeoJSON polygon)"), null=True, blank=True, help_text=_("Optional.")
    )

    class Meta:
        ordering = ["municipality", "name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="district_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.municipality})"


class Building(TimeStampedModel):
    """A residential building: street address, owner, physical facts and status."""

    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="buildings"
    )
    code = models.CharField(_("code"), max_length=40)
    street = models.CharField(_("street"), max_length=150, db_index=True)
    number = models.CharField(_("street number"), max_length=20)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    owner = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="buildings",
    )
    year_built = models.PositiveSmallIntegerField(
        _("year built"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2100)],
    )
    floors = models.PositiveSmallIntegerField(
        _("floors above ground"), default=1, validators=[MaxValueValidator(60)]
    )
    has_lift = models.BooleanField(_("lift"), default=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=BuildingStatus.choices,
        default=BuildingStatus.INHABITED,
        db_index=True,
    )

    class Meta:
        ordering = ["street", "number"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="building_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.street} {self.number}"

    @property
    def address(self) -> str:
        return f"{self.street} {self.number}"

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class Entrance(TimeStampedModel):
    """A stair (scala) of a building, with its own door."""

    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.CASCADE, related_name="entrances"
    )
    name = models.CharField(_("stair"), max_length=40)

    class Meta:
        ordering = ["building", "name"]
        verbose_name = _("stair")
        verbose_name_plural = _("stairs")
        constraints = [
            models.UniqueConstraint(fields=["building", "name"], name="entrance_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.building} · {self.name}"


class Unit(TimeStampedModel):
    """A housing unit (alloggio) reached from a stair."""

    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.PROTECT, related_name="units"
    )
    entrance = models.ForeignKey(
        Entrance, verbose_name=_("stair"), on_delete=models.PROTECT, related_name="units"
    )
    code = models.CharField(_("unit code"), max_length=40)
    floor = models.SmallIntegerField(
        _("floor"), validators=[MinValueValidator(-3), MaxValueValidator(60)]
    )
    rooms = models.PositiveSmallIntegerField(
        _("rooms"), validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    floor_area_m2 = models.DecimalField(
        _("useful floor area (m²)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(10)), MaxValueValidator(Decimal(500))],
    )
    is_accessible = models.BooleanField(_("accessible"), default=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=UnitStatus.choices,
        default=UnitStatus.VACANT,
        db_index=True,
    )

    class Meta:
        ordering = ["building", "entrance", "floor", "code"]
        verbose_name = _("housing unit")
        verbose_name_plural = _("housing units")
        permissions = [("import_units", _("Can import housing units from a file"))]
        constraints = [
            models.UniqueConstraint(fields=["building", "code"], name="unit_unique_code"),
            models.CheckConstraint(condition=models.Q(floor_area_m2__gt=0), name="unit_area_gt_0"),
        ]

    def __str__(self) -> str:
        return self.code
