from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from quartiere.accounts.enums import LabModality, LabStatus, OrganisationKind, Role
from quartiere.core.models import TimeStampedModel


class User(AbstractUser):
    """A person who logs in. Roles come from memberships; groups mirror them."""

    preferred_language = models.CharField(_("preferred language"), max_length=8, default="it")

    class Meta(AbstractUser.Meta):
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Organisation(TimeStampedModel):
    """A body taking part in the programme: Region, Comune, ALER, third sector, operators."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    tax_code = models.CharField(_("tax code / VAT number"), max_length=16, blank=True)
    is_accredited = models.BooleanField(_("accredited for labour/training services"), default=False)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Lab(TimeStampedModel):
    """A neighbourhood social lab: a storefront serving one public-housing district."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    modality = models.CharField(_("modality"), max_length=20, choices=LabModality.choices)
    district = models.ForeignKey(
        "territory.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="labs",
    )
    lead_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("lead partner"),
        on_delete=models.PROTECT,
        related_name="led_labs",
    )
    partners = models.ManyToManyField(
        Organisation, verbose_name=_("partners"), related_name="partner_labs", blank=True
    )
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    address = models.CharField(_("address"), max_length=200)
    opening_hours = models.TextField(_("opening hours"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=LabStatus.choices, default=LabStatus.ACTIVE
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("lab")
        verbose_name_plural = _("labs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="lab_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    """A user's role, in one lab or (for region-wide roles) in none."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    lab = models.ForeignKey(
        Lab,
        verbose_name=_("lab"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["user__username", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "lab"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        where = self.lab.name if self.lab_id and self.lab else "Regione"
        return f"{self.user} · {self.get_role_display()} · {where}"
