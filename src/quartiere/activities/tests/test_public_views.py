"""Public calendar: list and month views, activity page, iCal feeds, resident registration."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from quartiere.activities import selectors
from quartiere.activities.enums import ActivityStatus, RegistrationStatus
from quartiere.activities.models import ActivitySession, Registration
from quartiere.activities.tests.factories import (
    ActivityFactory,
    ActivitySessionFactory,
    RegistrationFactory,
)
from quartiere.people.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def _published(lab, **kwargs):
    activity = ActivityFactory(lab=lab, **kwargs)
    ActivitySessionFactory(activity=activity)
    return activity


def test_calendar_lists_published_public_sessions_only(client, lab):
    _published(lab, title_it="Festa di quartiere")
    _published(lab, title_it="Bozza", status=ActivityStatus.DRAFT)
    _published(lab, title_it="Riservata", is_public=False)

    response = client.get(reverse("activities_public:calendar"))

    assert response.status_code == 200
    assert "Festa di quartiere" in response.text
    assert "Bozza" not in response.text
    assert "Riservata" not in response.text


def test_calendar_never_shows_registered_names(client, lab):
    activity = _published(lab)
    RegistrationFactory(activity=activity, contact_name="Zelinda Segreta")
    assert "Zelinda" not in client.get(reverse("activities_public:calendar")).text
    assert "Zelinda" not in client.get(activity.get_absolute_url()).text


def test_calendar_filters_by_lab_kind_and_audience(client, lab, other_lab):
    _published(lab, title_it="Corso A", kind="educational", audience="women")
    _published(other_lab, title_it="Corso B", kind="educational", audience="women")
    _published(lab, title_it="Festa A", kind="party")

    response = client.get(
        reverse("activities_public:calendar"),
        {"lab": lab.slug, "kind": "educational", "audience": "women"},
    )

    assert "Corso A" in response.text
    assert "Corso B" not in response.text
    assert "Festa A" not in response.text


def test_calendar_queries_are_constant(client, lab, django_assert_max_num_queries):
    for _ in range(2):
        _published(lab)
    url = reverse("activities_public:calendar")
    client.get(url)
    with django_assert_max_num_queries(10) as first:
        client.get(url)
    for _ in range(15):
        _published(lab)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)


def test_month_view_shows_grid_and_list(client, lab):
    activity = _published(lab, title_it="Merenda")
    start = activity.sessions.get().starts_at
    local = timezone.localtime(start)

    response = client.get(
        reverse("activities_public:calendar_month", args=[local.year, local.month])
    )

    assert response.status_code == 200
    assert 'data-testid="month-grid"' in response.text
    assert response.text.count("Merenda") >= 2  # in the grid and in the list


def test_month_view_queries_are_constant(client, lab, django_assert_max_num_queries):
    today = timezone.localdate()
    url = reverse("activities_public:calendar_month", args=[today.year, today.month])
    _published(lab)
    client.get(url)
    with django_assert_max_num_queries(10) as first:
        client.get(url)
    for _ in range(10):
        _published(lab)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)


def test_month_view_out_of_range_is_not_found(client):
    assert client.get(reverse("activities_public:calendar_month", args=[1, 1])).status_code == 404


def test_activity_page_redirects_to_canonical_slug(client, lab):
    activity = _published(lab)
    response = client.get(
        reverse("activities_public:activity_detail", kwargs={"pk": activity.pk, "slug": "x"})
    )
    assert response.status_code == 301
    assert response["Location"] == activity.get_absolute_url()


def test_draft_activity_page_is_not_found(client, lab):
    activity = _published(lab, status=ActivityStatus.DRAFT)
    assert client.get(activity.get_absolute_url()).status_code == 404


def test_activity_page_asks_anonymous_to_log_in(client, lab):
    activity = _published(lab)
    response = client.get(activity.get_absolute_url())
    assert 'data-testid="login-to-register"' in response.text


def test_verified_resident_registers_from_public_page(login, make_user, lab):
    activity = _published(lab, capacity=1)
    user = make_user()
    resident = ResidentFactory(lab=lab, user=user, verified_at=timezone.now())
    client = login(user)

    client.post(reverse("activities_public:activity_register", args=[activity.pk]))
    page = client.get(activity.get_absolute_url())

    registration = Registration.objects.get()
    assert registration.resident == resident
    assert registration.channel == "portal"
    assert 'data-testid="my-registration"' in page.text


def test_second_resident_goes_to_waitlist_from_public_page(login, make_user, lab):
    activity = _published(lab, capacity=1)
    RegistrationFactory(activity=activity)
    user = make_user()
    ResidentFactory(lab=lab, user=user, verified_at=timezone.now())

    login(user).post(reverse("activities_public:activity_register", args=[activity.pk]))

    assert Registration.objects.get(resident__user=user).status == RegistrationStatus.WAITLISTED


def test_unverified_account_cannot_register(login, make_user, lab):
    activity = _published(lab)
    user = make_user()
    ResidentFactory(lab=lab, user=user, verified_at=None)
    login(user).post(reverse("activities_public:activity_register", args=[activity.pk]))
    assert not Registration.objects.exists()


def test_anonymous_register_redirects_to_login(client, lab):
    activity = _published(lab)
    response = client.post(reverse("activities_public:activity_register", args=[activity.pk]))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_resident_cancels_own_registration(login, make_user, lab):
    activity = _published(lab)
    user = make_user()
    resident = ResidentFactory(lab=lab, user=user, verified_at=timezone.now())
    RegistrationFactory(activity=activity, resident=resident, contact_name="")
    login(user).post(reverse("activities_public:activity_unregister", args=[activity.pk]))
    assert Registration.objects.get().status == RegistrationStatus.CANCELLED


def test_lab_ics_feed_has_stable_uids(client, lab):
    activity = _published(lab, title_it="Italiano")
    url = reverse("activities_public:lab_ics", args=[lab.slug])

    first = Calendar.from_ical(client.get(url).content)
    second = Calendar.from_ical(client.get(url).content)

    uids = [str(e["uid"]) for e in first.walk("VEVENT")]
    assert uids == [str(e["uid"]) for e in second.walk("VEVENT")]
    assert uids == [f"session-{activity.sessions.get().pk}@testserver"]


def test_activity_ics_has_each_session(client, lab):
    activity = _published(lab)
    ActivitySessionFactory(activity=activity, starts_at=timezone.now() + dt.timedelta(days=10))
    response = client.get(reverse("activities_public:activity_ics", args=[activity.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 2


def test_unknown_lab_ics_is_not_found(client):
    assert client.get(reverse("activities_public:lab_ics", args=["nessuno"])).status_code == 404


def test_upcoming_public_list_for_home_page(lab, django_assert_num_queries):
    for _ in range(7):
        _published(lab)
    _published(lab, status=ActivityStatus.DRAFT)
    with django_assert_num_queries(1):
        sessions = selectors.activity_session_upcoming_public_list(lab_id=lab.pk, limit=5)
        titles = [s.activity.title for s in sessions]
        urls = [s.activity.get_absolute_url() for s in sessions]
    assert len(titles) == 5
    assert all(u.startswith("/attivita/") for u in urls)


def test_month_view_caps_each_day_and_links_to_the_rest(client, lab):
    start = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) + dt.timedelta(
        days=1
    )
    for i in range(6):
        activity = ActivityFactory(lab=lab, title_it=f"Evento {i}")
        ActivitySessionFactory(activity=activity, starts_at=start + dt.timedelta(minutes=i))
    local = timezone.localtime(start)

    response = client.get(
        reverse("activities_public:calendar_month", args=[local.year, local.month])
    )

    assert "Evento 3" in response.text
    assert "Evento 5" not in response.text
    assert f"day={local:%Y-%m-%d}" in response.text
    day_list = client.get(reverse("activities_public:calendar"), {"day": f"{local:%Y-%m-%d}"})
    assert "Evento 5" in day_list.text


def test_calendar_filter_bar_keeps_the_chosen_values(client, lab):
    _published(lab, kind="educational")
    url = reverse("activities_public:calendar")

    for _ in range(2):  # the second answer comes from the cached filter bar
        response = client.get(url, {"lab": lab.slug, "kind": "educational"})
        assert f'<option value="{lab.slug}" selected>' in response.text
        assert '<option value="educational" selected>' in response.text


def test_calendar_ignores_filters_when_one_is_not_valid(client, lab, other_lab):
    _published(lab, title_it="Corso A")
    _published(other_lab, title_it="Corso B")

    response = client.get(reverse("activities_public:calendar"), {"lab": lab.slug, "kind": "x"})

    assert "Corso A" in response.text
    assert "Corso B" in response.text


def test_calendar_reads_compiled_once_bind_each_requests_own_filters(client, lab, other_lab):
    # The same choice of filters (lab and kind) reuses one compiled statement: the values of
    # each request must still be the ones bound.
    _published(lab, title_it="Corso del laboratorio A", kind="educational")
    _published(other_lab, title_it="Corso del laboratorio B", kind="educational")
    _published(other_lab, title_it="Festa del laboratorio B", kind="party")
    start = timezone.localtime(ActivitySession.objects.order_by("starts_at").first().starts_at)
    month = reverse("activities_public:calendar_month", args=[start.year, start.month])

    for url in (reverse("activities_public:calendar"), month):
        a = client.get(url, {"lab": lab.slug, "kind": "educational"}).text
        b = client.get(url, {"lab": other_lab.slug, "kind": "educational"}).text
        party = client.get(url, {"lab": other_lab.slug, "kind": "party"}).text

        assert "Corso del laboratorio A" in a, url
        assert "laboratorio B" not in a, url
        assert "Corso del laboratorio B" in b, url
        assert "laboratorio A" not in b, url
        assert "Festa del laboratorio B" in party, url
        assert "Corso" not in party, url


def test_calendar_pages_count_and_slice_the_sessions(client, lab):
    activity = ActivityFactory(lab=lab, title_it="Doposcuola")
    first = timezone.now() + dt.timedelta(days=1)
    for i in range(23):
        ActivitySessionFactory(activity=activity, starts_at=first + dt.timedelta(days=i))
    url = reverse("activities_public:calendar")

    page_one = client.get(url)
    page_two = client.get(url, {"page": 2})

    assert "23 incontri in programma" in page_one.text
    assert page_one.text.count('data-testid="calendar-session"') == 20
    assert page_two.text.count('data-testid="calendar-session"') == 3
    assert "Pagina 2 di 2" in page_two.text
    assert 'href="?page=1"' in page_two.text
