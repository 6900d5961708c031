"""Choices of the activities context: kinds, audiences, places and statuses."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    AGGREGATION = "aggregation", _("Social gathering")
    EDUCATIONAL = "educational", _("Educational")
    INFORMATION = "information", _("Information meeting")
    WORKSHOP = "workshop", _("Workshop")
    PARTY = "party", _("Neighbourhood party")
    SPORT = "sport", _("Sport and wellbeing")
    OTHER = "other", _("Other")


class ActivityAudience(models.TextChoices):
    ALL = "all", _("Everyone")
    CHILDREN = "children", _("Children")
    YOUNG_PEOPLE = "young_people", _("Young people")
    WOMEN = "women", _("Women")
    ELDERLY = "elderly", _("Elderly people")
    FAMILIES = "families", _("Families")
    MIGRANTS = "migrants", _("Migrants")


class ActivityPlaceKind(models.TextChoices):
    LAB = "lab", _("At the lab")
    COMMON_ROOM = "common_room", _("Common room of a building")
    SCHOOL = "school", _("School")
    OTHER = "other", _("Other place")


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_REGISTRATION_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


class RegistrationChannel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    DESK = "desk", _("Lab desk")


class MessageKind(models.TextChoices):
    CONFIRMED = "confirmed", _("Registration confirmed")
    WAITLISTED = "waitlisted", _("Added to the waiting list")
    PROMOTED = "promoted", _("Place freed up")
    REMINDER = "reminder", _("Session reminder")
    SESSION_CANCELLED = "session_cancelled", _("Session cancelled")
    ACTIVITY_CANCELLED = "activity_cancelled", _("Activity cancelled")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
