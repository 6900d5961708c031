"""Factories for report categories and reports (reports made through the real service)."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from quartiere.accounts.tests.factories import LabFactory
from quartiere.reports.enums import ReportChannel, ReportStatus
from quartiere.reports.models import Category, CategoryAttribute, Report


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    lab = factory.SubFactory(LabFactory)
    code = factory.Sequence(lambda n: f"cat-{n}")
    name_it = factory.Sequence(lambda n: f"Ascensore {n}")
    name_en = factory.Sequence(lambda n: f"Lift {n}")
    description_it = "Guasti e blocchi degli ascensori"
    acknowledge_days = 2
    resolve_days = 10
    is_public = True


class CategoryAttributeFactory(DjangoModelFactory):
    class Meta:
        model = CategoryAttribute

    category = factory.SubFactory(CategoryFactory)
    code = factory.Sequence(lambda n: f"q{n}")
    description_it = "Da quanti giorni?"
    description_en = "For how many days?"


class ReportFactory(DjangoModelFactory):
    """A report written directly (no notifications); use ``report_submit`` to test intake."""

    class Meta:
        model = Report

    category = factory.SubFactory(CategoryFactory)
    lab = factory.SelfAttribute("category.lab")
    status = ReportStatus.SUBMITTED
    channel = ReportChannel.DESK
    tracking_code = factory.Sequence(lambda n: f"SG-T{n:03d}-{n:04d}"[:16])
    description = "L'ascensore della scala B è fermo da tre giorni."
    address_text = "Via Lorenteggio 181"
    submitted_at = factory.LazyFunction(timezone.now)
    acknowledge_due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=2))
    resolve_due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=14))
