"""Factories for the training context (measures, operators, paths, sessions)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from quartiere.accounts.enums import OrganisationKind
from quartiere.accounts.tests.factories import LabFactory, OrganisationFactory
from quartiere.training.enums import PathStatus
from quartiere.training.models import (
    AccreditedOperator,
    AllowanceRule,
    Measure,
    TrainingPath,
    TrainingSession,
)


class MeasureFactory(DjangoModelFactory):
    class Meta:
        model = Measure

    lab = factory.SubFactory(LabFactory)
    name = factory.Sequence(lambda n: f"Inclusione attiva {n}")
    allowance_budget = Decimal("100000.00")
    gate_isee = True
    gate_income_support = True


class AllowanceRuleFactory(DjangoModelFactory):
    class Meta:
        model = AllowanceRule

    measure = factory.SubFactory(MeasureFactory)
    valid_from = dt.date(2025, 1, 1)


class AccreditedOperatorFactory(DjangoModelFactory):
    class Meta:
        model = AccreditedOperator

    organisation = factory.SubFactory(
        OrganisationFactory,
        name=factory.Sequence(lambda n: f"Ente formazione {n}"),
        kind=OrganisationKind.ACCREDITED_OPERATOR,
        is_accredited=True,
    )
    lab = factory.SubFactory(LabFactory)


class TrainingPathFactory(DjangoModelFactory):
    class Meta:
        model = TrainingPath

    measure = factory.SubFactory(MeasureFactory)
    lab = factory.SelfAttribute("measure.lab")
    operator = factory.SubFactory(AccreditedOperatorFactory, lab=factory.SelfAttribute("..lab"))
    title = factory.Sequence(lambda n: f"Percorso {n}")
    hours = Decimal("120.00")
    places = 15
    starts_on = dt.date(2025, 2, 1)
    ends_on = dt.date(2025, 12, 31)
    status = PathStatus.OPEN


class TrainingSessionFactory(DjangoModelFactory):
    class Meta:
        model = TrainingSession

    path = factory.SubFactory(TrainingPathFactory)
    starts_at = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
    ends_at = dt.datetime(2025, 3, 3, 13, 0, tzinfo=dt.UTC)
    hours = Decimal("4.00")
