"""Factories for users, organisations, labs and memberships.

``MembershipFactory`` writes the row only; to give a user a role with its capabilities use
``quartiere.accounts.services.membership_grant`` (the ``make_user`` fixture does).
"""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory, Password

from quartiere.accounts.enums import LabModality, LabStatus, OrganisationKind, Role
from quartiere.accounts.models import Lab, Membership, Organisation, User

DEFAULT_PASSWORD = "Quartiere-test-password-2025"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    first_name = "Anna"
    last_name = factory.Sequence(lambda n: f"Staff{n}")
    password = Password(DEFAULT_PASSWORD)
    is_active = True


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Comune di Test {n}")
    kind = OrganisationKind.MUNICIPALITY


class LabFactory(DjangoModelFactory):
    class Meta:
        model = Lab

    name = factory.Sequence(lambda n: f"Laboratorio {n}")
    slug = factory.Sequence(lambda n: f"lab-{n}")
    modality = LabModality.REGIONAL_CALL
    # A string path: the accounts layer does not import territory (import-linter).
    district = factory.SubFactory("quartiere.territory.tests.factories.DistrictFactory")
    lead_organisation = factory.SubFactory(OrganisationFactory)
    starts_on = dt.date(2025, 1, 1)
    ends_on = dt.date(2026, 12, 31)
    address = factory.Sequence(lambda n: f"Via del Laboratorio {n}")
    status = LabStatus.ACTIVE


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.LAB_OPERATOR
    lab = factory.SubFactory(LabFactory)
    is_active = True
