from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    FORWARDED = "forwarded", _("Forwarded")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged into another report")


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
