"""Factories for the shared kernel's audit and access logs."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from quartiere.core.models import AccessEvent, AccessOutcome, AuditEvent


class AuditEventFactory(DjangoModelFactory):
    class Meta:
        model = AuditEvent

    actor = None
    action = factory.Sequence(lambda n: f"test.action_{n}")
    target_type = "test.object"
    target_id = factory.Sequence(str)
    target_label = "object"
    lab_id = None
    changes = factory.LazyFunction(dict)


class AccessEventFactory(DjangoModelFactory):
    class Meta:
        model = AccessEvent

    actor = None
    outcome = AccessOutcome.GRANTED
    target_type = "test.object"
    target_id = factory.Sequence(str)
    purpose = "view"
    lab_id = None
    path = ""
