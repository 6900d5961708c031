import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from quartiere.core import audit
from quartiere.core.models import AccessEvent, AccessOutcome, AuditEvent
from quartiere.core.tests.factories import AccessEventFactory, AuditEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor():  # type: ignore[no-untyped-def]
    # The user model through get_user_model: core does not import accounts.
    return get_user_model().objects.create_user(username="auditor", password=None)


def test_record_writes_who_what_which_object_and_changes_when_target_given(actor) -> None:
    target = AccessEventFactory(lab_id=7)

    event = audit.record(
        actor=actor, action="test.thing_change", target=target, changes={"name": ["a", "b"]}
    )

    event.refresh_from_db()
    assert event.actor_id == actor.pk
    assert event.action == "test.thing_change"
    assert event.target_type == "core.accessevent"
    assert event.target_id == str(target.pk)
    assert event.target_label == str(target)
    assert event.lab_id == 7
    assert event.changes == {"name": ["a", "b"]}
    assert event.at is not None


def test_record_keeps_explicit_lab_when_target_has_another(actor) -> None:
    target = AccessEventFactory(lab_id=7)

    event = audit.record(actor=actor, action="test.x", target=target, lab_id=9)

    assert event.lab_id == 9


def test_record_stores_no_actor_when_actor_is_anonymous_or_none() -> None:
    by_anonymous = audit.record(actor=AnonymousUser(), action="test.anon", target_type="t")
    by_system = audit.record(actor=None, action="test.system", target_type="t")

    assert by_anonymous.actor_id is None
    assert by_system.actor_id is None


def test_record_stores_plain_json_values_when_changes_hold_dates_decimals_and_models(
    actor,
) -> None:
    event = audit.record(
        actor=actor,
        action="test.values",
        target_type="t",
        target_id=1,
        changes={
            "on": dt.date(2025, 3, 1),
            "amount": Decimal("12.50"),
            "who": actor,
            "pair": (dt.date(2025, 1, 1), None),
        },
    )

    event.refresh_from_db()
    assert event.changes == {
        "on": "2025-03-01",
        "amount": "12.50",
        "who": actor.pk,
        "pair": ["2025-01-01", None],
    }


def test_record_truncates_label_when_longer_than_200_characters(actor) -> None:
    event = audit.record(actor=actor, action="test.long", target_type="t", label="x" * 300)

    assert len(event.target_label) == 200


def test_diff_returns_only_changed_fields_when_some_differ() -> None:
    before = {"a": 1, "b": "x", "c": None}
    after = {"a": 1, "b": "y", "c": "new"}

    assert audit.diff(before, after) == {"b": ["x", "y"], "c": [None, "new"]}


def test_diff_returns_empty_when_nothing_changed() -> None:
    assert audit.diff({"a": 1}, {"a": 1}) == {}


def test_snapshot_returns_foreign_keys_as_ids_when_field_is_relation(actor) -> None:
    event = AuditEventFactory(actor=actor, action="test.snap")

    assert audit.snapshot(event, ["actor", "action"]) == {"actor": actor.pk, "action": "test.snap"}


def test_access_writes_access_event_when_sensitive_read_is_logged(actor) -> None:
    event = audit.access(
        actor=actor,
        target_type="people.sensitiveprofile",
        target_id=42,
        outcome=AccessOutcome.DENIED,
        purpose="out of scope",
        lab_id=3,
        path="/p" * 200,
    )

    stored = AccessEvent.objects.get(pk=event.pk)
    assert stored.actor_id == actor.pk
    assert stored.outcome == AccessOutcome.DENIED
    assert stored.target_type == "people.sensitiveprofile"
    assert stored.target_id == "42"
    assert stored.lab_id == 3
    assert len(stored.path) == 300
    assert AuditEvent.objects.count() == 0
