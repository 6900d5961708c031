"""Two people clicking "register" at once never overbook an activity (PostgreSQL only)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from quartiere.activities import services
from quartiere.activities.enums import RegistrationChannel, RegistrationStatus
from quartiere.activities.models import Registration
from quartiere.activities.tests.factories import ActivityFactory, ActivitySessionFactory
from quartiere.core.testing import requires_postgresql

# serialized_rollback: the flush after these tests must not lose the role groups and other
# rows the migrations wrote, which the next transactional tests restore from the snapshot.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_postgresql,
]


def _race(activity_id: int, names: list[str]) -> list[BaseException]:
    barrier = threading.Barrier(len(names))
    errors: list[BaseException] = []

    def register(name: str) -> None:
        try:
            from quartiere.activities.models import Activity

            activity = Activity.objects.get(pk=activity_id)
            barrier.wait(timeout=10)
            services.registration_create(
                actor=None,
                activity=activity,
                channel=RegistrationChannel.PORTAL,
                contact_name=name,
                contact_phone="0200000000",
            )
        except BaseException as exc:  # surfaced by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return errors


def test_registration_create_never_overbooks_when_requests_are_concurrent(lab):
    activity = ActivityFactory(lab=lab, capacity=1)
    ActivitySessionFactory(activity=activity)

    errors = _race(activity.pk, ["Anna Rossi", "Bruno Verdi"])

    assert errors == []
    statuses = sorted(
        Registration.objects.filter(activity=activity).values_list("status", flat=True)
    )
    assert statuses == [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]


def test_registration_create_fills_exactly_the_places_when_many_click_at_once(lab):
    activity = ActivityFactory(lab=lab, capacity=3)
    ActivitySessionFactory(activity=activity)

    errors = _race(activity.pk, [f"Persona {i}" for i in range(8)])

    assert errors == []
    confirmed = Registration.objects.filter(
        activity=activity, status=RegistrationStatus.CONFIRMED
    ).count()
    waitlisted = Registration.objects.filter(
        activity=activity, status=RegistrationStatus.WAITLISTED
    ).count()
    assert (confirmed, waitlisted) == (3, 5)


def test_registration_cancel_and_register_at_once_keep_the_capacity(lab):
    activity = ActivityFactory(lab=lab, capacity=1)
    ActivitySessionFactory(activity=activity)
    first = services.registration_create(
        actor=None,
        activity=activity,
        channel=RegistrationChannel.DESK,
        contact_name="Anna Rossi",
        contact_phone="020000",
    )
    services.registration_create(
        actor=None,
        activity=activity,
        channel=RegistrationChannel.DESK,
        contact_name="Bruno Verdi",
        contact_phone="020001",
    )
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def cancel() -> None:
        try:
            barrier.wait(timeout=10)
            services.registration_cancel(actor=None, registration=first)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def register() -> None:
        try:
            barrier.wait(timeout=10)
            services.registration_create(
                actor=None,
                activity=activity,
                channel=RegistrationChannel.PORTAL,
                contact_name="Carla Neri",
                contact_phone="020002",
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=cancel), threading.Thread(target=register)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert errors == []
    confirmed = Registration.objects.filter(activity=activity, status=RegistrationStatus.CONFIRMED)
    assert confirmed.count() == 1
    # The freed place goes to the person who was already waiting, never to the newcomer.
    assert confirmed.get().contact_name == "Bruno Verdi"
