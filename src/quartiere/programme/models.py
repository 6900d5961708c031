"""Models of the programme context: programmes, action lines, actions, funding, news, documents."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from quartiere.core.models import TimeStampedModel
from quartiere.programme.enums import ActionStatus, FundingKind, NewsStatus

# CUP (Codice Unico di Progetto, DIPE): 15 characters; a letter (the promoter's code), two
# alphanumerics, a letter (the kind of project), two digits (the year) and nine alphanumerics.
CUP_RE = re.compile(r"^[A-Z][0-9A-Z]{2}[A-Z][0-9]{2}[0-9A-Z]{9}$")
cup_validator = RegexValidator(
    CUP_RE,
    _(
        "A CUP has 15 characters: a letter, two letters or digits, a letter, two digits for "
        "the year and nine letters or digits (e.g. B41B16000230007)."
    ),
    code="invalid_cup",
)
ZERO = Decimal("0.00")


def _pick(obj: object, field: str) -> str:
    """Return the English text in English when it is filled in, else the Italian one."""
    if (get_language() or "it").startswith("en"):
        text = getattr(obj, f"{field}_en", "")
        if text:
            return str(text)
    return str(getattr(obj, f"{field}_it", ""))


def _money(**kwargs: Any) -> models.DecimalField:
    return models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(ZERO)], **kwargs
    )


class Programme(TimeStampedModel):
    """A regeneration programme (e.g. the Lorenteggio Accordo di Programma) a lab communicates."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    lab = models.ForeignKey(
        "accounts.Lab",
        verbose_name=_("lead lab"),
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    other_labs = models.ManyToManyField(
        "accounts.Lab",
        verbose_name=_("other labs"),
        related_name="shared_programmes",
        blank=True,
        help_text=_("Other labs whose sites also show this programme."),
    )
    district = models.ForeignKey(
        "territory.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="programmes",
        null=True,
        blank=True,
    )
    municipality = models.CharField(_("municipality"), max_length=100)
    description_it = models.TextField(_("description (Italian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    total_budget_amount = _money(verbose_name=_("total budget (EUR)"), default=ZERO)
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    is_published = models.BooleanField(_("published on the portal"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        permissions = [
            ("import_programme_data", _("Can import actions and allocations")),
            ("publish_newsitem", _("Can publish news")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def description(self) -> str:
        return _pick(self, "description")


class ActionLine(TimeStampedModel):
    """An action line ("asse") of a programme, e.g. housing stock."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="lines"
    )
    code = models.CharField(_("code"), max_length=20)
    name_it = models.CharField(_("name (Italian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        ordering = ["programme", "order", "code"]
        verbose_name = _("action line")
        verbose_name_plural = _("action lines")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="action_line_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return _pick(self, "name")


class Action(TimeStampedModel):
    """An action of the programme; actions form a tree (a parent groups its sub-actions)."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="actions"
    )
    line = models.ForeignKey(
        ActionLine, verbose_name=_("action line"), on_delete=models.PROTECT, related_name="actions"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    key = models.SlugField(
        _("key"),
        max_length=80,
        help_text=_("Stable short name used in addresses and imports, e.g. manzano-4."),
    )
    code = models.CharField(
        _("local project code"),
        max_length=40,
        blank=True,
        help_text=_("The programme's own code (OpenCoesione COD_LOCALE_PROGETTO)."),
    )
    title_it = models.CharField(_("title (Italian)"), max_length=250)
    title_en = models.CharField(_("title (English)"), max_length=250, blank=True)
    description_it = models.TextField(_("description (Italian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    buildings = models.ManyToManyField(
        "territory.Building",
        verbose_name=_("buildings"),
        related_name="programme_actions",
        blank=True,
    )
    place_label = models.CharField(
        _("place"), max_length=200, blank=True, help_text=_("e.g. via Odazio / via Segneri")
    )
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
    responsible_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("responsible organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programme_actions",
    )
    cup = models.CharField(
        _("CUP"),
        max_length=15,
        blank=True,
        validators=[cup_validator],
        help_text=_("Codice Unico di Progetto, 15 characters."),
    )
    budget_amount = _money(verbose_name=_("budget (EUR)"), default=ZERO)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ActionStatus.choices,
        default=ActionStatus.PLANNED,
        db_index=True,
    )
    planned_start_on = models.DateField(_("planned start"), null=True, blank=True)
    planned_end_on = models.DateField(_("planned end"), null=True, blank=True)
    actual_start_on = models.DateField(_("actual start"), null=True, blank=True)
    actual_end_on = models.DateField(_("actual end"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    is_published = models.BooleanField(_("published on the portal"), default=True)
    last_updated_at = models.DateTimeField(_("last updated"), null=True, blank=True)
    last_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["programme", "line__order", "order", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.UniqueConstraint(fields=["programme", "key"], name="action_unique_key"),
            models.CheckConstraint(
                condition=models.Q(planned_end_on__isnull=True)
                | models.Q(planned_start_on__isnull=True)
                | models.Q(planned_end_on__gte=models.F("planned_start_on")),
                name="action_planned_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(actual_end_on__isnull=True)
                | models.Q(actual_start_on__isnull=True)
                | models.Q(actual_end_on__gte=models.F("actual_start_on")),
                name="action_actual_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["programme", "line", "order"], name="action_tree_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _pick(self, "title")

    @property
    def description(self) -> str:
        return _pick(self, "description")

    @property
    def start_on(self) -> dt.date | None:
        """The date the action started, or is planned to start."""
        return self.actual_start_on or self.planned_start_on

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if (
            self.planned_start_on
            and self.planned_end_on
            and self.planned_end_on < self.planned_start_on
        ):
            errors["planned_end_on"] = _("The planned end comes before the planned start.")
        actual_start, actual_end = self.actual_start_on, self.actual_end_on
        if actual_start and actual_end and actual_end < actual_start:
            errors["actual_end_on"] = _("The actual end comes before the actual start.")
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude"] = _("Give both latitude and longitude, or neither.")
        if errors:
            raise ValidationError(errors)


class ActionPhoto(TimeStampedModel):
    """A photo of an action for the portal (metadata stripped at upload)."""

    action = models.ForeignKey(
        Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(_("image"), upload_to="programme/photos/%Y/")
    caption_it = models.CharField(_("caption (Italian)"), max_length=250, blank=True)
    caption_en = models.CharField(_("caption (English)"), max_length=250, blank=True)
    alt_it = models.CharField(_("text alternative (Italian)"), max_length=250)
    alt_en = models.CharField(_("text alternative (English)"), max_length=250, blank=True)
    taken_on = models.DateField(_("taken on"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        ordering = ["action", "order", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.alt

    @property
    def caption(self) -> str:
        return _pick(self, "caption")

    @property
    def alt(self) -> str:
        return _pick(self, "alt")


class Milestone(TimeStampedModel):
    """A step of an action with its planned and achieved dates; weights give progress."""

    action = models.ForeignKey(
        Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="milestones"
    )
    title_it = models.CharField(_("title (Italian)"), max_length=250)
    title_en = models.CharField(_("title (English)"), max_length=250, blank=True)
    planned_on = models.DateField(_("planned date"))
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("How much this milestone counts towards the action's progress."),
    )
    evidence_file = models.FileField(
        _("evidence (file)"), upload_to="programme/evidence/%Y/", blank=True
    )
    evidence_url = models.URLField(_("evidence (link)"), blank=True)
    evidence_text = models.TextField(_("evidence (note)"), blank=True)

    class Meta:
        ordering = ["action", "planned_on", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _pick(self, "title")

    @property
    def is_achieved(self) -> bool:
        return self.achieved_on is not None


class FundingSource(TimeStampedModel):
    """Where money comes from (POR FESR, POR FSE, PON METRO, Region, Comune, ...); configurable."""

    code = models.CharField(
        _("code"), max_length=40, unique=True, help_text=_("As written in imports, e.g. POR FESR.")
    )
    name_it = models.CharField(_("name (Italian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=FundingKind.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        return _pick(self, "name")


class Allocation(TimeStampedModel):
    """The amount a funding source gives an action, and how much of it is committed."""

    action = models.ForeignKey(
        Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="allocations"
    )
    source = models.ForeignKey(
        FundingSource,
        verbose_name=_("funding source"),
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    amount = _money(verbose_name=_("allocated amount (EUR)"))
    committed_amount = _money(verbose_name=_("committed amount (EUR)"), default=ZERO)
    committed_on = models.DateField(_("committed on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=250, blank=True)

    class Meta:
        ordering = ["action", "source__order", "id"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(fields=["action", "source"], name="allocation_unique_source"),
            models.CheckConstraint(
                condition=models.Q(committed_amount__lte=models.F("amount")),
                name="allocation_committed_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action_id} · {self.source_id}: {self.amount}"


class AllocationPayment(TimeStampedModel):
    """A payment made against an allocation (OpenCoesione TOT_PAGAMENTI sums these)."""

    allocation = models.ForeignKey(
        Allocation, verbose_name=_("allocation"), on_delete=models.CASCADE, related_name="payments"
    )
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(
        _("amount (EUR)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    reference = models.CharField(_("reference"), max_length=120, blank=True)

    class Meta:
        ordering = ["allocation", "paid_on", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_positive")
        ]

    def __str__(self) -> str:
        return f"{self.paid_on}: {self.amount}"


class NewsItem(TimeStampedModel):
    """A news item of a lab (optionally about a programme); the body is sanitised HTML."""

    lab = models.ForeignKey(
        "accounts.Lab", verbose_name=_("lab"), on_delete=models.PROTECT, related_name="news"
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="news",
    )
    action = models.ForeignKey(
        Action,
        verbose_name=_("action"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="news",
    )
    slug = models.SlugField(_("short name"), max_length=120)
    title_it = models.CharField(_("title (Italian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary_it = models.CharField(_("summary (Italian)"), max_length=300, blank=True)
    summary_en = models.CharField(_("summary (English)"), max_length=300, blank=True)
    body_it = models.TextField(_("text (Italian)"))
    body_en = models.TextField(_("text (English)"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=NewsStatus.choices,
        default=NewsStatus.DRAFT,
        db_index=True,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    image = models.FileField(_("image"), upload_to="programme/news/%Y/", blank=True)
    image_alt = models.CharField(_("image text alternative"), max_length=250, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("news item")
        verbose_name_plural = _("news")
        constraints = [
            models.UniqueConstraint(fields=["lab", "slug"], name="news_unique_slug"),
        ]
        indexes = [models.Index(fields=["lab", "status", "-published_at"], name="news_list_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _pick(self, "title")

    @property
    def summary(self) -> str:
        return _pick(self, "summary")

    @property
    def body(self) -> str:
        return _pick(self, "body")

    @property
    def is_published(self) -> bool:
        return self.status == NewsStatus.PUBLISHED


class Document(TimeStampedModel):
    """A public PDF of a programme or of one of its actions (plans, minutes, reports)."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="documents"
    )
    action = models.ForeignKey(
        Action,
        verbose_name=_("action"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    title_it = models.CharField(_("title (Italian)"), max_length=250)
    title_en = models.CharField(_("title (English)"), max_length=250, blank=True)
    file = models.FileField(_("file (PDF)"), upload_to="programme/documents/%Y/")
    size_bytes = models.PositiveIntegerField(_("size (bytes)"), default=0)
    published_on = models.DateField(_("published on"))
    is_public = models.BooleanField(_("public"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-published_on", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _pick(self, "title")
