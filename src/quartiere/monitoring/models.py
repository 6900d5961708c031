"""ESF participant records: who took part in which operation, with the entry data Annex I needs.

A participant is one resident; a participation is that resident's entry into one operation (a
training path, an activity, a process). Re-entering the same operation keeps the first entry
date. Sensitive items (migrant background, disability, other disadvantage) are encrypted.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from quartiere.core.fields import EncryptedTextField
from quartiere.core.models import TimeStampedModel
from quartiere.monitoring.enums import EducationLevel, EmploymentStatus, OperationKind


class Participant(TimeStampedModel):
    """A resident counted by ESF monitoring, with the entry data of their latest collection."""

    resident = models.OneToOneField(
        "people.Resident",
        verbose_name=_("resident"),
        on_delete=models.PROTECT,
        related_name="esf_participant",
    )
    employment_status = models.CharField(
        _("employment status"), max_length=20, choices=EmploymentStatus.choices, blank=True
    )
    unemployed_since = models.DateField(_("unemployed since"), null=True, blank=True)
    education_level = models.CharField(
        _("education level"), max_length=12, choices=EducationLevel.choices, blank=True
    )
    # Special-category items: values are SensitiveAnswer codes, stored encrypted.
    migrant_background = EncryptedTextField(
        _("migrant, foreign background or minority"), blank=True
    )
    disability = EncryptedTextField(_("disability"), blank=True)
    other_disadvantage = EncryptedTextField(_("other disadvantage"), blank=True)
    is_homeless = models.BooleanField(_("homeless or affected by housing exclusion"), default=False)
    is_rural = models.BooleanField(_("lives in a rural area"), default=False)
    data_collected_on = models.DateField(_("entry data collected on"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("ESF participant")
        verbose_name_plural = _("ESF participants")

    def __str__(self) -> str:
        return f"ESF participant #{self.pk}"


class Participation(TimeStampedModel):
    """One participant's entry into (and exit from) one operation of a lab."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="participations",
    )
    lab = models.ForeignKey(
        "accounts.Lab", verbose_name=_("lab"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OperationKind.choices)
    # A stable key of the operation in its own context, e.g. "training.path:12".
    operation_key = models.CharField(_("operation"), max_length=80)
    operation_label = models.CharField(_("operation name"), max_length=200, blank=True)
    entered_on = models.DateField(_("entry date"))
    exited_on = models.DateField(_("exit date"), null=True, blank=True)
    # Counts of contacts (e.g. attended sessions) the feature reports for this operation.
    contact_count = models.PositiveIntegerField(_("contacts"), default=0)

    class Meta:
        ordering = ["-entered_on", "id"]
        verbose_name = _("ESF participation")
        verbose_name_plural = _("ESF participations")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "operation_key"], name="participation_once_per_operation"
            )
        ]
        indexes = [models.Index(fields=["lab", "kind", "entered_on"])]

    def __str__(self) -> str:
        return f"{self.operation_key} #{self.pk}"
