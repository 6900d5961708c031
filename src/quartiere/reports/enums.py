from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("report status", "Submitted")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("report status", "Acknowledged")
    FORWARDED = "forwarded", pgettext_lazy("report status", "Forwarded")
    IN_PROGRESS = "in_progress", pgettext_lazy("report status", "In progress")
    RESOLVED = "resolved", pgettext_lazy("report status", "Resolved")
    CLOSED = "closed", pgettext_lazy("report status", "Closed")
    REOPENED = "reopened", pgettext_lazy("report status", "Reopened")
    REJECTED = "rejected", pgettext_lazy("report status", "Rejected")
    MERGED = "merged", pgettext_lazy("report status", "Merged into another report")


# Statuses in which a report still needs someone to act.
OPEN_STATUSES = frozenset(
    {
        ReportStatus.SUBMITTED,
        ReportStatus.ACKNOWLEDGED,
        ReportStatus.FORWARDED,
        ReportStatus.IN_PROGRESS,
        ReportStatus.REOPENED,
    }
)


class ReportChannel(models.TextChoices):
    DESK = "desk", _("Front desk")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    OUTREACH = "outreach", _("Outreach")
    WEB = "web", _("Web form")
    API = "api", _("Open311 / API")


class CommentVisibility(models.TextChoices):
    PUBLIC = "public", _("Public (shown to the resident)")
    INTERNAL = "internal", _("Internal (staff only)")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class AttributeDatatype(models.TextChoices):
    """Open311 attribute datatypes for a category's extra questions."""

    STRING = "string", _("Short text")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Long text")
    SINGLEVALUELIST = "singlevaluelist", _("One choice from a list")
    MULTIVALUELIST = "multivaluelist", _("Several choices from a list")
