"""Factories for residents, households, tenancies, consents and sensitive profiles.

Every resident is synthetic; a resident gets a valid codice fiscale built from its own data.
"""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from quartiere.accounts.tests.factories import LabFactory
from quartiere.people import codice_fiscale
from quartiere.people.enums import ConsentPurpose, Language, LegalBasis, TenancyKind
from quartiere.people.models import Consent, Household, Resident, SensitiveProfile, Tenancy
from quartiere.territory.tests.factories import UnitFactory

FIRST_NAMES = ["Mario", "Giulia", "Luca", "Sara", "Ahmed", "Fatima", "Paolo", "Elena"]
LAST_NAMES = ["Rossi", "Bianchi", "Colombo", "Ferrari", "Esposito", "Romano", "Ricci"]


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    lab = factory.SubFactory(LabFactory)
    label = factory.Sequence(lambda n: f"Famiglia {n}")


class ResidentFactory(DjangoModelFactory):
    class Meta:
        model = Resident

    lab = factory.Maybe(
        "household",
        yes_declaration=factory.SelfAttribute("household.lab"),
        no_declaration=factory.SubFactory(LabFactory),
    )
    household = None
    first_name = factory.Iterator(FIRST_NAMES)
    last_name = factory.Iterator(LAST_NAMES)
    # Distinct dates in 1950-2004, so codes built from them do not collide.
    birth_date = factory.Sequence(
        lambda n: dt.date(1950, 1, 1) + dt.timedelta(days=(37 * n) % 20000)
    )
    gender = factory.Iterator(["M", "F"])
    codice_fiscale = factory.LazyAttribute(
        lambda o: codice_fiscale.build(
            surname=o.last_name,
            name=o.first_name,
            born_on=o.birth_date,
            female=o.gender == "F",
            place_code="F205",
        )
    )
    citizenship = "IT"
    preferred_language = Language.ITALIAN
    is_synthetic = True


class TenancyFactory(DjangoModelFactory):
    class Meta:
        model = Tenancy

    household = factory.SubFactory(HouseholdFactory)
    unit = factory.SubFactory(UnitFactory)
    kind = TenancyKind.REGULAR
    starts_on = dt.date(2020, 1, 1)
    ends_on = None


class ConsentFactory(DjangoModelFactory):
    class Meta:
        model = Consent

    resident = factory.SubFactory(ResidentFactory)
    purpose = ConsentPurpose.SERVICES
    legal_basis = LegalBasis.CONSENT
    given_at = factory.LazyFunction(timezone.now)
    withdrawn_at = None
    recorded_by = None


class SensitiveProfileFactory(DjangoModelFactory):
    class Meta:
        model = SensitiveProfile

    resident = factory.SubFactory(ResidentFactory)
    disability = ""
    health_notes = ""
    vulnerability = ""
