"""Reads for other contexts: present attendances per activity."""

from __future__ import annotations

import pytest

from quartiere.activities import selectors
from quartiere.activities.models import Attendance
from quartiere.activities.tests.factories import ActivityFactory, ActivitySessionFactory

pytestmark = pytest.mark.django_db


def _attendances(activity, *present: bool) -> None:
    session = ActivitySessionFactory(activity=activity)
    for i, is_present in enumerate(present):
        Attendance.objects.create(
            session=session, walk_in_name=f"Ospite {i}", is_present=is_present
        )


def test_attendance_counts_present_lines_per_activity_with_a_register_in_one_query(
    lab, django_assert_num_queries
):
    course = ActivityFactory(lab=lab)
    party = ActivityFactory(lab=lab)
    empty = ActivityFactory(lab=lab)
    _attendances(course, True, True, False)
    _attendances(course, True)
    _attendances(party, False)

    with django_assert_num_queries(1):
        counts = selectors.activity_attendance_counts(activity_ids=[course.pk, party.pk, empty.pk])

    # The party's register was taken (everyone absent): 0; the empty one never had a register.
    assert counts == {course.pk: 3, party.pk: 0}


def test_attendance_counts_of_no_activity_sends_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.activity_attendance_counts(activity_ids=[]) == {}
