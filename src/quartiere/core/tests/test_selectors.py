import datetime as dt

import pytest
from django.utils import timezone

from quartiere.core import selectors
from quartiere.core.tests.factories import AccessEventFactory, AuditEventFactory

pytestmark = pytest.mark.django_db


def test_audit_event_list_returns_only_given_labs_when_lab_ids_given() -> None:
    mine = AuditEventFactory(lab_id=1)
    AuditEventFactory(lab_id=2)
    AuditEventFactory(lab_id=None)

    assert list(selectors.audit_event_list(lab_ids={1})) == [mine]


def test_audit_event_list_returns_every_event_when_lab_ids_is_none() -> None:
    AuditEventFactory(lab_id=1)
    AuditEventFactory(lab_id=2)

    assert selectors.audit_event_list(lab_ids=None).count() == 2


def test_audit_event_list_filters_by_action_prefix_and_type_when_asked() -> None:
    wanted = AuditEventFactory(action="people.resident_create", target_type="people.resident")
    AuditEventFactory(action="people.resident_create", target_type="other.type")
    AuditEventFactory(action="territory.unit_create", target_type="people.resident")

    found = selectors.audit_event_list(
        lab_ids=None, action="people.", target_type="people.resident"
    )

    assert list(found) == [wanted]


def test_audit_event_list_filters_by_date_range_when_since_and_until_given() -> None:
    event = AuditEventFactory()
    today = timezone.localdate(event.at)  # the filter compares dates in Europe/Rome

    assert selectors.audit_event_list(lab_ids=None, since=today, until=today).count() == 1
    assert selectors.audit_event_list(lab_ids=None, since=today + dt.timedelta(days=1)).count() == 0
    assert selectors.audit_event_list(lab_ids=None, until=today - dt.timedelta(days=1)).count() == 0


def test_audit_action_choices_lists_each_action_once_when_repeated() -> None:
    AuditEventFactory(lab_id=1, action="b.x")
    AuditEventFactory(lab_id=1, action="a.x")
    AuditEventFactory(lab_id=1, action="a.x")
    AuditEventFactory(lab_id=2, action="c.hidden")

    assert selectors.audit_action_choices(lab_ids={1}) == ["a.x", "b.x"]


def test_access_event_list_returns_only_given_labs_when_lab_ids_given() -> None:
    mine = AccessEventFactory(lab_id=1)
    AccessEventFactory(lab_id=2)

    assert list(selectors.access_event_list(lab_ids={1})) == [mine]
