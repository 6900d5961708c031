"""Back-office pages: list and export, forms, scheduling, registrations, register, figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from quartiere.accounts.enums import Role
from quartiere.activities.enums import ActivityStatus, RegistrationStatus
from quartiere.activities.models import Activity, Attendance, Registration
from quartiere.activities.tests.factories import (
    ActivityFactory,
    ActivitySessionFactory,
    RegistrationFactory,
)
from quartiere.people.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def test_activity_list_shows_only_own_lab(login, operator, lab, other_lab):
    ActivityFactory(lab=lab, title_it="Nostra")
    ActivityFactory(lab=other_lab, title_it="Altrui")

    response = login(operator).get(reverse("activities:activity_list"))

    assert response.status_code == 200
    assert "Nostra" in response.text
    assert "Altrui" not in response.text


def test_activity_list_queries_are_constant(login, operator, lab, django_assert_max_num_queries):
    for _ in range(3):
        ActivitySessionFactory(activity=ActivityFactory(lab=lab))
    client = login(operator)
    client.get(reverse("activities:activity_list"))
    with django_assert_max_num_queries(12) as first:
        client.get(reverse("activities:activity_list"))
    for _ in range(10):
        ActivitySessionFactory(activity=ActivityFactory(lab=lab))
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("activities:activity_list"))


def test_activity_list_filters_by_kind(login, operator, lab):
    ActivityFactory(lab=lab, title_it="Festa", kind="party")
    ActivityFactory(lab=lab, title_it="Corso", kind="educational")

    response = login(operator).get(reverse("activities:activity_list"), {"kind": "party"})

    assert "Festa" in response.text
    assert "Corso" not in response.text


def test_activity_export_xlsx_answers_a_workbook(login, operator, lab):
    ActivityFactory(lab=lab)
    response = login(operator).get(reverse("activities:activity_export"), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_training_operator_cannot_see_activities(login, make_user, lab):
    user = make_user(Role.TRAINING_OPERATOR, lab)
    assert login(user).get(reverse("activities:activity_list")).status_code == 403


def test_region_official_sees_figures_but_not_the_list(login, region_official):
    client = login(region_official)
    assert client.get(reverse("activities:activity_list")).status_code == 403
    assert client.get(reverse("activities:figures")).status_code == 200


def test_activity_of_other_lab_is_not_found(login, operator, other_lab):
    activity = ActivityFactory(lab=other_lab)
    response = login(operator).get(reverse("activities:activity_detail", args=[activity.pk]))
    assert response.status_code == 404


def test_activity_create_shows_field_errors(login, operator, lab):
    response = login(operator).post(
        reverse("activities:activity_create"),
        {
            "lab": lab.pk,
            "title_it": "Merenda",
            "kind": "party",
            "audience": "all",
            "place_kind": "common_room",
        },
    )
    assert response.status_code == 200
    assert 'id="id_building_error"' in response.text
    assert not Activity.objects.exists()


def test_activity_create_then_schedule_and_publish(login, operator, lab):
    client = login(operator)
    response = client.post(
        reverse("activities:activity_create"),
        {
            "lab": lab.pk,
            "title_it": "Italiano per donne",
            "kind": "educational",
            "audience": "women",
            "place_kind": "lab",
            "capacity": "12",
            "is_registration_open": "on",
            "is_public": "on",
        },
    )
    activity = Activity.objects.get()
    assert response.status_code == 302
    client.post(
        reverse("activities:activity_schedule", args=[activity.pk]),
        {
            "first_day": "2030-02-05",
            "start_time": "15:00",
            "end_time": "17:00",
            "weekly_until": "2030-02-26",
            "skip_holidays": "on",
        },
    )
    assert activity.sessions.count() == 4
    client.post(reverse("activities:activity_publish", args=[activity.pk]))
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PUBLISHED


def test_schedule_with_end_before_start_shows_field_error(login, operator, lab):
    activity = ActivityFactory(lab=lab)
    response = login(operator).post(
        reverse("activities:activity_schedule", args=[activity.pk]),
        {"first_day": "2030-02-05", "start_time": "17:00", "end_time": "15:00"},
    )
    assert response.status_code == 200
    assert 'id="id_end_time_error"' in response.text


def test_registration_add_for_unregistered_person_goes_to_waitlist_when_full(login, operator, lab):
    activity = ActivityFactory(lab=lab, capacity=1)
    ActivitySessionFactory(activity=activity)
    RegistrationFactory(activity=activity)

    login(operator).post(
        reverse("activities:registration_add", args=[activity.pk]),
        {"contact_name": "Mario Bianchi", "contact_phone": "3331234567"},
    )

    assert Registration.objects.get(contact_name="Mario Bianchi").status == "waitlisted"


def test_registration_add_without_contact_shows_field_error(login, operator, lab):
    activity = ActivityFactory(lab=lab)
    ActivitySessionFactory(activity=activity)
    response = login(operator).post(
        reverse("activities:registration_add", args=[activity.pk]), {"contact_name": "Mario"}
    )
    assert response.status_code == 400
    assert 'id="id_contact_phone_error"' in response.text


def test_registration_add_for_resident_found_by_search(login, operator, lab):
    activity = ActivityFactory(lab=lab)
    ActivitySessionFactory(activity=activity)
    resident = ResidentFactory(lab=lab, last_name="Esposito", first_name="Gina")
    client = login(operator)

    page = client.get(reverse("activities:registration_list", args=[activity.pk]), {"q": "espo"})
    assert "Esposito Gina" in page.text
    client.post(
        reverse("activities:registration_add", args=[activity.pk]), {"resident": resident.pk}
    )

    assert Registration.objects.get().resident == resident


def test_registration_cancel_promotes_waitlisted(login, operator, lab):
    activity = ActivityFactory(lab=lab, capacity=1)
    ActivitySessionFactory(activity=activity)
    first = RegistrationFactory(activity=activity)
    second = RegistrationFactory(activity=activity, status=RegistrationStatus.WAITLISTED)

    login(operator).post(reverse("activities:registration_cancel", args=[first.pk]))

    second.refresh_from_db()
    assert second.status == RegistrationStatus.CONFIRMED


def test_register_marks_present_with_one_post(login, operator, lab):
    activity = ActivityFactory(lab=lab)
    session = ActivitySessionFactory(activity=activity, starts_at=timezone.now())
    registration = RegistrationFactory(activity=activity)
    client = login(operator)
    response = client.post(
        reverse("activities:session_mark", args=[session.pk]),
        {"registration": registration.pk, "present": "1"},
    )
    page = client.get(reverse("activities:session_register", args=[session.pk]))
    assert response.status_code == 302
    assert Attendance.objects.get().is_present
    assert "mark-absent" in page.text


def test_register_queries_are_constant(login, operator, lab, django_assert_max_num_queries):
    activity = ActivityFactory(lab=lab)
    session = ActivitySessionFactory(activity=activity)
    for _ in range(2):
        RegistrationFactory(activity=activity)
    client = login(operator)
    url = reverse("activities:session_register", args=[session.pk])
    client.get(url)
    with django_assert_max_num_queries(15) as first:
        client.get(url)
    for _ in range(10):
        RegistrationFactory(activity=activity, resident=ResidentFactory(lab=lab))
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)


def test_walk_in_by_name_is_added(login, operator, lab):
    session = ActivitySessionFactory(activity=ActivityFactory(lab=lab), starts_at=timezone.now())
    login(operator).post(
        reverse("activities:session_walk_in", args=[session.pk]), {"name": "Luca Neri"}
    )
    assert Attendance.objects.get().walk_in_name == "Luca Neri"


def test_sign_in_sheet_is_a_pdf(login, operator, lab):
    session = ActivitySessionFactory(activity=ActivityFactory(lab=lab))
    RegistrationFactory(activity=session.activity, contact_name="Anna Rossi")
    response = login(operator).get(reverse("activities:session_sheet", args=[session.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_session_cancel_form_needs_reason(login, operator, lab):
    session = ActivitySessionFactory(activity=ActivityFactory(lab=lab))
    response = login(operator).post(
        reverse("activities:session_cancel", args=[session.pk]), {"cancel-reason": ""}
    )
    assert response.status_code == 200
    assert 'id="id_cancel-reason_error"' in response.text


def test_figures_count_attendances_and_residents(login, coordinator, lab):
    activity = ActivityFactory(lab=lab)
    past = timezone.now() - dt.timedelta(days=2)
    if past.year != timezone.now().year:
        past = timezone.now() - dt.timedelta(hours=3)
    session = ActivitySessionFactory(activity=activity, starts_at=past)
    resident = ResidentFactory(lab=lab)
    Attendance.objects.create(session=session, resident=resident)
    Attendance.objects.create(session=session, walk_in_name="Ospite")

    response = login(coordinator).get(reverse("activities:figures"))

    assert response.status_code == 200
    totals = response.context["figures"].totals
    assert (totals.sessions, totals.attendances, totals.residents) == (1, 2, 1)
    assert "<svg" in response.text


def test_figures_count_each_resident_once_and_only_own_labs(login, coordinator, lab, other_lab):
    resident = ResidentFactory(lab=lab)
    past = timezone.now() - dt.timedelta(hours=3)
    for minutes in (0, 30):
        activity = ActivityFactory(lab=lab)
        session = ActivitySessionFactory(
            activity=activity, starts_at=past + dt.timedelta(minutes=minutes)
        )
        Attendance.objects.create(session=session, resident=resident)
    foreign = ActivitySessionFactory(activity=ActivityFactory(lab=other_lab), starts_at=past)
    Attendance.objects.create(session=foreign, walk_in_name="Altro")

    totals = login(coordinator).get(reverse("activities:figures")).context["figures"].totals

    assert (totals.activities, totals.sessions, totals.attendances, totals.residents) == (
        2,
        2,
        2,
        1,
    )
