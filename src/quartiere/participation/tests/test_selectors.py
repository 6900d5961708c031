"""Participation figures: workshop attendances from the activities register."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quartiere.activities.models import Attendance
from quartiere.activities.tests.factories import ActivityFactory, ActivitySessionFactory
from quartiere.participation import selectors
from quartiere.participation.tests.factories import ProcessFactory, WorkshopFactory

pytestmark = pytest.mark.django_db


def _register(activity, *present: bool) -> None:
    session = ActivitySessionFactory(activity=activity)
    for i, is_present in enumerate(present):
        Attendance.objects.create(
            session=session, walk_in_name=f"Partecipante {i}", is_present=is_present
        )


def _row(coordinator, process):
    rows = selectors.process_figures(user=coordinator, lab_id=process.lab_id)
    return next(r for r in rows if r["process"].pk == process.pk)


def test_figures_count_workshop_attendances_from_the_register_when_it_was_taken(coordinator, lab):
    process = ProcessFactory(lab=lab)
    activity = ActivityFactory(lab=lab)
    _register(activity, True, True, False)
    _register(activity, True)
    # The typed count is ignored once the register holds the attendances.
    WorkshopFactory(process=process, activity=activity, participant_count=40)

    row = _row(coordinator, process)

    assert row["workshop_entries"] == 3
    assert (row["workshops_from_register"], row["workshops_typed"]) == (1, 0)


def test_figures_fall_back_to_the_typed_count_when_a_workshop_has_no_register(coordinator, lab):
    process = ProcessFactory(lab=lab)
    WorkshopFactory(process=process, participant_count=25)  # no activity in the calendar
    without_register = ActivityFactory(lab=lab)
    ActivitySessionFactory(activity=without_register)  # held before the register existed
    WorkshopFactory(process=process, activity=without_register, participant_count=12)
    with_register = ActivityFactory(lab=lab)
    _register(with_register, True, True)
    WorkshopFactory(process=process, activity=with_register, participant_count=99)

    row = _row(coordinator, process)

    assert row["workshop_entries"] == 25 + 12 + 2
    assert (row["workshops_from_register"], row["workshops_typed"]) == (1, 2)


def test_figures_count_zero_when_the_register_marks_everyone_absent(coordinator, lab):
    process = ProcessFactory(lab=lab)
    activity = ActivityFactory(lab=lab)
    _register(activity, False, False)
    WorkshopFactory(process=process, activity=activity, participant_count=30)

    row = _row(coordinator, process)

    assert row["workshop_entries"] == 0
    assert row["workshops_from_register"] == 1


def _process_with_two_workshops(lab) -> None:
    process = ProcessFactory(lab=lab)
    activity = ActivityFactory(lab=lab)
    _register(activity, True)
    WorkshopFactory(process=process, activity=activity)
    WorkshopFactory(process=process, participant_count=5)


def test_figures_query_count_does_not_grow_with_processes_and_workshops(coordinator, lab):
    _process_with_two_workshops(lab)
    selectors.process_figures(user=coordinator, lab_id=lab.pk)  # the user's scope is cached
    with CaptureQueriesContext(connection) as one:
        selectors.process_figures(user=coordinator, lab_id=lab.pk)
    _process_with_two_workshops(lab)
    _process_with_two_workshops(lab)

    with CaptureQueriesContext(connection) as three:
        rows = selectors.process_figures(user=coordinator, lab_id=lab.pk)

    assert len(three) == len(one) <= 6
    assert [r["workshop_entries"] for r in rows] == [6, 6, 6]


def test_figures_page_says_where_the_workshop_attendances_come_from(login, coordinator, lab):
    from_register = ProcessFactory(lab=lab, title_it="Dal registro")
    activity = ActivityFactory(lab=lab)
    _register(activity, True, True)
    WorkshopFactory(process=from_register, activity=activity, participant_count=50)
    typed = ProcessFactory(lab=lab, title_it="Scritto a mano")
    WorkshopFactory(process=typed, participant_count=17)

    response = login(coordinator).get(reverse("participation:figures"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "dal registro delle presenze" in html
    assert "inserito nei laboratori" in html
