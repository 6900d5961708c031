from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from quartiere.core.fields import EncryptedTextField
from quartiere.core.models import TimeStampedModel
from quartiere.people.enums import (
    ConsentPurpose,
    Gender,
    HouseholdRole,
    Language,
    LegalBasis,
    TenancyKind,
)


def search_key(*parts: str) -> str:
    """Upper-case, accent-free, punctuation-free text used for prefix search on names."""
    text = " ".join(p for p in parts if p)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c if c.isalnum() else " " for c in text if not unicodedata.combining(c))
    return " ".join(text.upper().split())


class Household(TimeStampedModel):
    """A household (nucleo familiare) followed by a lab; members are residents."""

    lab = models.ForeignKey(
        "accounts.Lab",
        verbose_name=_("lab"),
        on_delete=models.PROTECT,
        related_name="households",
    )
    label = models.CharField(_("name"), max_length=150)
    reference_person = models.ForeignKey(
        "people.Resident",
        verbose_name=_("reference person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["label", "id"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.label


class Resident(TimeStampedModel):
    """A person living in the district, known to the lab. All demo residents are synthetic."""

    lab = models.ForeignKey(
        "accounts.Lab",
        verbose_name=_("lab"),
        on_delete=models.PROTECT,
        related_name="residents",
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    codice_fiscale = models.CharField(_("codice fiscale"), max_length=16, blank=True, db_index=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    citizenship = models.CharField(
        _("citizenship"), max_length=2, blank=True, help_text=_("ISO country code, e.g. IT")
    )
    residence_permit_expires_on = models.DateField(
        _("residence permit expiry"), null=True, blank=True
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.ITALIAN
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    household_role = models.CharField(
        _("role in household"), max_length=20, choices=HouseholdRole.choices, blank=True
    )
    is_synthetic = models.BooleanField(_("synthetic (demo) record"), default=False)
    # The resident's own portal account, linked by staff after checking their identity
    # (in production the account comes from SPID/CIE): "verified residents" are these.
    user = models.OneToOneField(
        "accounts.User",
        verbose_name=_("portal account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resident_record",
    )
    verified_at = models.DateTimeField(_("identity verified at"), null=True, blank=True)
    # Normalised "LAST FIRST" and "FIRST LAST" for indexed prefix search.
    name_key = models.CharField(max_length=210, db_index=True, editable=False)
    name_key_reversed = models.CharField(max_length=210, db_index=True, editable=False)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        permissions = [
            ("view_sensitive_profile", _("Can read residents' special-category data")),
            ("change_sensitive_profile", _("Can record residents' special-category data")),
            ("import_residents", _("Can import residents from a file")),
            ("export_residents", _("Can export lists of residents")),
        ]
        indexes = [models.Index(fields=["lab", "name_key"], name="resident_lab_name")]

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def refresh_search_keys(self) -> None:
        self.name_key = search_key(self.last_name, self.first_name)
        self.name_key_reversed = search_key(self.first_name, self.last_name)

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Derived from the row's own fields only, so kept here rather than in a service.
        self.refresh_search_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "name_key", "name_key_reversed"}
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Tenancy(TimeStampedModel):
    """A household's right to (or occupation of) a unit, over a period."""

    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.CASCADE,
        related_name="tenancies",
    )
    unit = models.ForeignKey(
        "territory.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="tenancies",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=TenancyKind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("tenancy")
        verbose_name_plural = _("tenancies")
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(ends_on__isnull=True),
                name="tenancy_one_open_per_unit",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(ends_on__isnull=True),
                name="tenancy_one_open_per_household",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="tenancy_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} → {self.unit}"


class Consent(TimeStampedModel):
    """A resident's consent (or other legal basis) for a purpose; withdrawal keeps the row."""

    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=30, choices=ConsentPurpose.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=30, choices=LegalBasis.choices)
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-given_at", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.get_legal_basis_display()})"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class SensitiveProfile(TimeStampedModel):
    """Special-category data (GDPR art. 9), encrypted at rest; each read is logged."""

    resident = models.OneToOneField(
        Resident,
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="sensitive_profile",
    )
    disability = EncryptedTextField(_("disability"), blank=True)
    health_notes = EncryptedTextField(_("health notes"), blank=True)
    vulnerability = EncryptedTextField(_("vulnerability"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["resident"]
        verbose_name = _("sensitive profile")
        verbose_name_plural = _("sensitive profiles")

    def __str__(self) -> str:
        return f"#{self.resident_id}"
