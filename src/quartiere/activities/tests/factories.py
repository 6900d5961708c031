"""Factories of the activities context."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from quartiere.accounts.tests.factories import LabFactory
from quartiere.activities.enums import (
    ActivityAudience,
    ActivityKind,
    ActivityStatus,
    RegistrationChannel,
    RegistrationStatus,
)
from quartiere.activities.models import Activity, ActivitySession, Registration


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = Activity

    lab = factory.SubFactory(LabFactory)
    title_it = factory.Sequence(lambda n: f"Laboratorio di cucito {n}")
    title_en = factory.Sequence(lambda n: f"Sewing workshop {n}")
    slug = factory.Sequence(lambda n: f"laboratorio-di-cucito-{n}")
    description_it = "Impariamo insieme a cucire."
    kind = ActivityKind.WORKSHOP
    audience = ActivityAudience.ALL
    status = ActivityStatus.PUBLISHED
    capacity = None


class ActivitySessionFactory(DjangoModelFactory):
    class Meta:
        model = ActivitySession

    activity = factory.SubFactory(ActivityFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))


class RegistrationFactory(DjangoModelFactory):
    class Meta:
        model = Registration

    activity = factory.SubFactory(ActivityFactory)
    contact_name = factory.Sequence(lambda n: f"Persona {n}")
    contact_phone = "0212345678"
    status = RegistrationStatus.CONFIRMED
    channel = RegistrationChannel.DESK
