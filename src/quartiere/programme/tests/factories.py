"""Factories for programmes, lines, actions and funding (rows written directly)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from quartiere.accounts.tests.factories import LabFactory
from quartiere.programme.enums import ActionStatus, FundingKind, NewsStatus
from quartiere.programme.models import (
    Action,
    ActionLine,
    Allocation,
    FundingSource,
    Milestone,
    NewsItem,
    Programme,
)


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Programma {n}")
    slug = factory.Sequence(lambda n: f"programma-{n}")
    lab = factory.SubFactory(LabFactory)
    district = factory.SelfAttribute("lab.district")
    municipality = "Milano"
    description_it = "Rigenerazione urbana del quartiere."
    total_budget_amount = Decimal("1000000.00")


class ActionLineFactory(DjangoModelFactory):
    class Meta:
        model = ActionLine

    programme = factory.SubFactory(ProgrammeFactory)
    code = factory.Sequence(lambda n: f"L{n}")
    name_it = factory.Sequence(lambda n: f"Linea {n}")
    name_en = factory.Sequence(lambda n: f"Line {n}")
    order = factory.Sequence(lambda n: n + 1)


class ActionFactory(DjangoModelFactory):
    class Meta:
        model = Action

    line = factory.SubFactory(ActionLineFactory)
    programme = factory.SelfAttribute("line.programme")
    key = factory.Sequence(lambda n: f"azione-{n}")
    title_it = factory.Sequence(lambda n: f"Azione {n}")
    title_en = factory.Sequence(lambda n: f"Action {n}")
    budget_amount = Decimal("100000.00")
    status = ActionStatus.IN_PROGRESS
    planned_start_on = dt.date(2020, 1, 1)
    planned_end_on = dt.date(2026, 12, 31)


class FundingSourceFactory(DjangoModelFactory):
    class Meta:
        model = FundingSource
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"FONTE {n}")
    name_it = factory.LazyAttribute(lambda o: o.code)
    kind = FundingKind.OTHER


class AllocationFactory(DjangoModelFactory):
    class Meta:
        model = Allocation

    action = factory.SubFactory(ActionFactory)
    source = factory.SubFactory(FundingSourceFactory)
    amount = Decimal("10000.00")
    committed_amount = Decimal("0.00")


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = Milestone

    action = factory.SubFactory(ActionFactory)
    title_it = factory.Sequence(lambda n: f"Tappa {n}")
    planned_on = dt.date(2021, 6, 1)
    weight = 1


class NewsItemFactory(DjangoModelFactory):
    class Meta:
        model = NewsItem

    programme = factory.SubFactory(ProgrammeFactory)
    lab = factory.SelfAttribute("programme.lab")
    slug = factory.Sequence(lambda n: f"notizia-{n}")
    title_it = factory.Sequence(lambda n: f"Notizia {n}")
    body_it = "<p>Testo della notizia.</p>"
    status = NewsStatus.PUBLISHED
    published_at = factory.LazyFunction(lambda: dt.datetime(2024, 6, 1, 10, 0, tzinfo=dt.UTC))
