from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    OTHER = "X", _("Other / not stated")


class Language(models.TextChoices):
    ITALIAN = "it", _("Italian")
    ENGLISH = "en", _("English")
    ARABIC = "ar", _("Arabic")
    SPANISH = "es", _("Spanish")
    FRENCH = "fr", _("French")
    CHINESE = "zh", _("Chinese")
    ROMANIAN = "ro", _("Romanian")
    ALBANIAN = "sq", _("Albanian")
    TAGALOG = "tl", _("Tagalog")
    BENGALI = "bn", _("Bengali")
    UKRAINIAN = "uk", _("Ukrainian")


class HouseholdRole(models.TextChoices):
    REFERENCE = "reference", _("Reference person")
    PARTNER = "partner", _("Spouse or partner")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    RELATIVE = "relative", _("Other relative")
    OTHER = "other", _("Other member")


class TenancyKind(models.TextChoices):
    REGULAR = "regular", _("Regular tenancy")
    IRREGULAR_BEFORE_2016 = "irregular_before_2016", _("Irregular occupation before 2 Feb 2016")
    IRREGULAR_AFTER_2016 = "irregular_after_2016", _("Irregular occupation after 2 Feb 2016")
    TEMPORARY = "temporary", _("Temporary assignment")


class ConsentPurpose(models.TextChoices):
    SERVICES = "services", _("Lab services and accompaniment")
    COMMUNICATIONS = "communications", _("News and invitations")
    IMAGES = "images", _("Photos and video")
    ESF_MONITORING = "esf_monitoring", _("ESF monitoring")
    SENSITIVE_DATA = "sensitive_data", _("Special-category data (health, disability)")


class LegalBasis(models.TextChoices):
    CONSENT = "consent", _("Consent (GDPR art. 6.1.a / 9.2.a)")
    PUBLIC_TASK = "public_task", _("Public task (GDPR art. 6.1.e)")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (GDPR art. 6.1.c)")
    CONTRACT = "contract", _("Contract (GDPR art. 6.1.b)")
    VITAL_INTEREST = "vital_interest", _("Vital interest (GDPR art. 6.1.d)")


class Vulnerability(models.TextChoices):
    NONE = "", _("None recorded")
    LIVES_ALONE_ELDERLY = "elderly_alone", _("Elderly living alone")
    DISABILITY = "disability", _("Disability in the household")
    ECONOMIC = "economic", _("Economic hardship")
    SOCIAL_ISOLATION = "isolation", _("Social isolation")
    OTHER = "other", _("Other")
