"""Factories for processes, phases, proposals, comments and supports."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from quartiere.accounts.tests.factories import LabFactory
from quartiere.participation.enums import (
    PhaseKind,
    ProcessStatus,
    ProposalChannel,
    ProposalStatus,
)
from quartiere.participation.models import (
    Process,
    ProcessPhase,
    ProcessWorkshop,
    Proposal,
    ProposalComment,
    Support,
)


class ProcessFactory(DjangoModelFactory):
    class Meta:
        model = Process

    lab = factory.SubFactory(LabFactory)
    slug = factory.Sequence(lambda n: f"processo-{n}")
    title_it = factory.Sequence(lambda n: f"Processo {n}")
    title_en = factory.Sequence(lambda n: f"Process {n}")
    description_it = "Un processo partecipativo di prova."
    support_threshold = 3
    status = ProcessStatus.PUBLISHED


class PhaseFactory(DjangoModelFactory):
    class Meta:
        model = ProcessPhase

    process = factory.SubFactory(ProcessFactory)
    kind = PhaseKind.SUPPORTS
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=5))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=5))


class WorkshopFactory(DjangoModelFactory):
    class Meta:
        model = ProcessWorkshop

    process = factory.SubFactory(ProcessFactory)
    title_it = "Laboratorio"
    held_on = dt.date(2019, 7, 11)
    minutes_it = "Verbale."


class ProposalFactory(DjangoModelFactory):
    class Meta:
        model = Proposal

    process = factory.SubFactory(ProcessFactory)
    title = factory.Sequence(lambda n: f"Proposta {n}")
    description = "Una proposta per il quartiere, descritta bene."
    status = ProposalStatus.PUBLISHED
    channel = ProposalChannel.ONLINE
    author_public = "Rosa M."
    submitted_at = factory.LazyFunction(timezone.now)


class CommentFactory(DjangoModelFactory):
    class Meta:
        model = ProposalComment

    proposal = factory.SubFactory(ProposalFactory)
    author_public = "Karim B."
    body = "Un commento."


class SupportFactory(DjangoModelFactory):
    class Meta:
        model = Support

    proposal = factory.SubFactory(ProposalFactory)
    resident = factory.SubFactory("quartiere.people.tests.factories.ResidentFactory")
