"""Staff API for reports: queue filters, detail, intake, workflow steps, permission matrix."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from quartiere.accounts.enums import Role
from quartiere.accounts.tests.factories import OrganisationFactory
from quartiere.reports import services
from quartiere.reports.enums import CommentVisibility, ReportChannel, ReportStatus
from quartiere.reports.models import Report, ReportComment, ReportStatusChange
from quartiere.reports.tests.factories import CategoryFactory, ReportFactory
from quartiere.territory.tests.factories import BuildingFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/"
ERROR_KEYS = {"code", "message", "fields"}


def _url(report: Report, action: str = "") -> str:
    return f"{URL}{report.pk}/" + (f"{action}/" if action else "")


def _post(client, url: str, data: dict):
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def category(lab):
    return CategoryFactory(lab=lab, responsible_organisation=OrganisationFactory(name="ALER"))


@pytest.fixture
def report(category):
    return ReportFactory(category=category)


@pytest.fixture
def other_report(other_lab):
    return ReportFactory(category=CategoryFactory(lab=other_lab))


@pytest.fixture
def resident_user(make_user, lab):
    return make_user(Role.RESIDENT, lab)


# --- list ------------------------------------------------------------------------------------


def test_report_list_returns_own_lab_paginated_when_lab_staff(
    login, operator, report, other_report
) -> None:
    body = login(operator).get(URL).json()

    assert body["count"] == 1
    [row] = body["results"]
    assert row["id"] == report.pk
    assert row["tracking_code"] == report.tracking_code
    assert row["category"]["code"] == report.category.code
    assert row["is_overdue"] is False


def test_report_list_filters_by_status_when_given(login, operator, category) -> None:
    ReportFactory(category=category, status=ReportStatus.SUBMITTED)
    wanted = ReportFactory(category=category, status=ReportStatus.IN_PROGRESS)

    body = login(operator).get(URL, {"status": "in_progress"}).json()

    assert [r["id"] for r in body["results"]] == [wanted.pk]


def test_report_list_filters_by_category_and_building_when_given(
    login, operator, category, lab
) -> None:
    building = BuildingFactory(district=lab.district)
    wanted = ReportFactory(category=category, building=building)
    ReportFactory(category=category)
    ReportFactory(category=CategoryFactory(lab=lab), building=building)

    body = login(operator).get(URL, {"category": category.pk, "building": building.pk}).json()

    assert [r["id"] for r in body["results"]] == [wanted.pk]
    assert body["results"][0]["building"]["id"] == building.pk


def test_report_list_filters_by_assignee_when_given(login, operator, coordinator, category) -> None:
    wanted = ReportFactory(category=category, assigned_to=coordinator)
    ReportFactory(category=category)

    body = login(operator).get(URL, {"assigned_to": coordinator.pk}).json()

    assert [r["id"] for r in body["results"]] == [wanted.pk]
    assert body["results"][0]["assigned_to"]["username"] == coordinator.username


def test_report_list_filters_unassigned_when_asked(login, operator, coordinator, category) -> None:
    ReportFactory(category=category, assigned_to=coordinator)
    wanted = ReportFactory(category=category)

    body = login(operator).get(URL, {"unassigned": "true"}).json()

    assert [r["id"] for r in body["results"]] == [wanted.pk]


def test_report_list_filters_overdue_when_asked(login, operator, category) -> None:
    late = ReportFactory(
        category=category, acknowledge_due_on=timezone.localdate() - dt.timedelta(days=1)
    )
    on_time = ReportFactory(category=category)
    client = login(operator)

    overdue = client.get(URL, {"overdue": "true"}).json()["results"]
    in_time = client.get(URL, {"overdue": "false"}).json()["results"]

    assert [r["id"] for r in overdue] == [late.pk]
    assert overdue[0]["is_overdue"] is True
    assert [r["id"] for r in in_time] == [on_time.pk]


def test_report_list_filters_by_lab_when_user_works_in_two_labs(
    make_user, login, lab, other_lab, report, other_report
) -> None:
    user = make_user(Role.LAB_OPERATOR, lab, other_lab)
    client = login(user)

    assert client.get(URL).json()["count"] == 2
    body = client.get(URL, {"lab": other_lab.pk}).json()
    assert [r["id"] for r in body["results"]] == [other_report.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "flying"}, "status"),
        ({"overdue": "maybe"}, "overdue"),
        ({"unassigned": "null"}, "unassigned"),  # the schema says boolean: "null" is not one
        ({"open": "null"}, "open"),
        ({"category": "x"}, "category"),
        ({"sort": "random"}, "sort"),
        ({"page": "0"}, "page"),
    ],
)
def test_report_list_answers_400_with_field_error_when_filter_is_bad(
    login, operator, params, field
) -> None:
    response = login(operator).get(URL, params)

    assert response.status_code == 400
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert field in body["fields"]


def test_schema_requires_text_in_request_bodies_and_documents_the_list_404(login, operator) -> None:
    schema = login(operator).get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    list_responses = schema["paths"]["/api/v1/reports/"]["get"]["responses"]

    assert components["ReportCommentInputRequest"]["properties"]["body"]["minLength"] == 1
    assert components["ReportCreateInputRequest"]["properties"]["description"]["minLength"] == 1
    assert "404" in list_responses  # a page past the last one


def test_report_list_runs_constant_queries_when_more_reports(
    login, operator, coordinator, category, lab, django_assert_num_queries
) -> None:
    building = BuildingFactory(district=lab.district)
    client = login(operator)
    ReportFactory.create_batch(2, category=category, building=building, assigned_to=coordinator)
    client.get(URL)  # the user's permissions and scope are cached by the first request
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).json()["count"] == 2
    ReportFactory.create_batch(
        10, category=CategoryFactory(lab=lab), building=BuildingFactory(district=lab.district)
    )
    ReportFactory.create_batch(5, category=category, assigned_to=operator)

    with django_assert_num_queries(len(small)):
        assert client.get(URL).json()["count"] == 17


# --- detail ----------------------------------------------------------------------------------


def test_report_detail_shows_history_comments_and_attachment_list_when_lab_staff(
    login, operator, report, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    ReportStatusChange.objects.create(report=report, to_status=ReportStatus.SUBMITTED)
    services.report_comment_add(
        report=report, actor=operator, body="Ti richiamiamo", visibility="public"
    )
    services.report_comment_add(
        report=report, actor=operator, body="Inquilino noto", visibility="internal"
    )
    photo = io.BytesIO()
    Image.new("RGB", (2, 2)).save(photo, format="PNG")
    services.report_attachment_add(
        report=report, actor=operator, name="foto.png", data=photo.getvalue()
    )

    body = login(operator).get(_url(report)).json()

    assert [h["to_status"] for h in body["history"]] == ["submitted"]
    assert {(c["visibility"], c["body"]) for c in body["comments"]} == {
        ("public", "Ti richiamiamo"),
        ("internal", "Inquilino noto"),
    }
    [attachment] = body["attachments"]
    assert attachment["content_type"] == "image/png"
    assert set(attachment) == {"id", "original_name", "content_type", "size_bytes", "created_at"}
    assert body["description"] == report.description
    assert body["allowed_transitions"] == ["acknowledged", "merged", "rejected"]


def test_report_detail_answers_404_when_report_is_of_another_lab(
    login, operator, other_report
) -> None:
    response = login(operator).get(_url(other_report))

    assert response.status_code == 404
    assert set(response.json()) == ERROR_KEYS


def test_report_detail_answers_404_when_housing_staff_and_not_forwarded(
    login, housing_staff, report
) -> None:
    assert login(housing_staff).get(_url(report)).status_code == 404


@pytest.mark.parametrize("path", ["", "1/"])
def test_report_api_answers_403_when_user_is_resident(login, resident_user, report, path) -> None:
    response = login(resident_user).get(URL + (path and f"{report.pk}/"))

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_report_api_refuses_anonymous_user_when_not_logged_in(client, report) -> None:
    response = client.get(URL)

    assert response.status_code in {401, 403}
    assert response.json()["code"] == "not_authenticated"


# --- create ----------------------------------------------------------------------------------


def test_report_create_records_desk_report_when_input_is_valid(login, operator, category) -> None:
    response = _post(
        login(operator),
        URL,
        {
            "category": category.pk,
            "description": "Ascensore fermo",
            "channel": "phone",
            "address_text": "Via Lorenteggio 181",
            "contact_email": "mario@example.org",
        },
    )

    assert response.status_code == 201
    report = Report.objects.get()
    assert response.json()["id"] == report.pk
    assert report.channel == ReportChannel.PHONE
    assert report.submitted_by == operator
    assert report.followers.get().email == "mario@example.org"


def test_report_create_places_report_in_building_when_building_given(
    login, operator, category, lab
) -> None:
    building = BuildingFactory(district=lab.district)

    response = _post(
        login(operator),
        URL,
        {"category": category.pk, "description": "Muffa", "building": building.pk},
    )

    assert response.status_code == 201
    assert Report.objects.get().building == building


def test_report_create_answers_400_when_location_is_missing(login, operator, category) -> None:
    response = _post(login(operator), URL, {"category": category.pk, "description": "Muffa"})

    assert response.status_code == 400
    assert "location" in response.json()["fields"]
    assert not Report.objects.exists()


def test_report_create_answers_400_when_category_is_of_another_lab(
    login, operator, other_lab
) -> None:
    foreign = CategoryFactory(lab=other_lab)

    response = _post(
        login(operator),
        URL,
        {"category": foreign.pk, "description": "Muffa", "address_text": "Via X 1"},
    )

    assert response.status_code == 400
    assert "category" in response.json()["fields"]


def test_report_create_answers_400_when_channel_is_not_a_staff_channel(
    login, operator, category
) -> None:
    response = _post(
        login(operator),
        URL,
        {"category": category.pk, "description": "M", "address_text": "X", "channel": "api"},
    )

    assert response.status_code == 400
    assert "channel" in response.json()["fields"]


@pytest.mark.parametrize("role", [Role.HOUSING_STAFF, Role.RESIDENT])
def test_report_create_answers_403_when_role_cannot_add_reports(
    login, make_user, lab, category, role
) -> None:
    response = _post(
        login(make_user(role, lab)),
        URL,
        {"category": category.pk, "description": "Muffa", "address_text": "Via X 1"},
    )

    assert response.status_code == 403
    assert not Report.objects.exists()


# --- workflow steps --------------------------------------------------------------------------


def test_report_acknowledge_moves_report_when_submitted(login, operator, report) -> None:
    response = _post(login(operator), _url(report, "acknowledge"), {"note": "Presa in carico"})

    assert response.status_code == 200
    assert response.json()["status"] == "acknowledged"
    report.refresh_from_db()
    assert report.status == ReportStatus.ACKNOWLEDGED
    assert report.acknowledged_at is not None


def test_report_close_answers_409_and_changes_nothing_when_transition_is_illegal(
    login, operator, report
) -> None:
    response = _post(login(operator), _url(report, "close"), {})

    assert response.status_code == 409
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == "invalid_transition"
    assert body["message"]
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert not ReportStatusChange.objects.filter(report=report).exists()


def test_report_forward_sends_to_category_organisation_when_none_given(
    login, operator, category
) -> None:
    report = ReportFactory(category=category, status=ReportStatus.ACKNOWLEDGED)

    response = _post(login(operator), _url(report, "forward"), {})

    assert response.status_code == 200
    assert response.json()["forwarded_to"]["name"] == "ALER"


def test_report_forward_answers_400_when_organisation_is_unknown(login, operator, report) -> None:
    response = _post(login(operator), _url(report, "forward"), {"organisation": 999999})

    assert response.status_code == 400
    assert "organisation" in response.json()["fields"]


def test_report_start_then_resolve_then_close_when_steps_follow_workflow(
    login, operator, category
) -> None:
    report = ReportFactory(category=category, status=ReportStatus.ACKNOWLEDGED)
    client = login(operator)

    assert _post(client, _url(report, "start"), {}).json()["status"] == "in_progress"
    resolved = _post(client, _url(report, "resolve"), {"resolution": "Riparato"}).json()
    closed = _post(client, _url(report, "close"), {"note": "Chiuso"}).json()

    assert resolved["resolution"] == "Riparato"
    assert closed["status"] == "closed"


def test_report_resolve_answers_400_when_resolution_is_missing(login, operator, category) -> None:
    report = ReportFactory(category=category, status=ReportStatus.IN_PROGRESS)

    response = _post(login(operator), _url(report, "resolve"), {"resolution": ""})

    assert response.status_code == 400
    assert "resolution" in response.json()["fields"]


def test_report_reject_records_reason_when_given(login, operator, report) -> None:
    body = _post(login(operator), _url(report, "reject"), {"reason": "Non di competenza"}).json()

    assert body["status"] == "rejected"
    assert body["rejection_reason"] == "Non di competenza"


def test_report_reopen_reopens_when_within_window(login, operator, category) -> None:
    report = ReportFactory(
        category=category, status=ReportStatus.RESOLVED, resolved_at=timezone.now()
    )

    body = _post(login(operator), _url(report, "reopen"), {"reason": "Di nuovo rotto"}).json()

    assert body["status"] == "reopened"
    assert body["reopen_count"] == 1


def test_report_merge_merges_into_target_when_same_lab(login, operator, category, report) -> None:
    target = ReportFactory(category=category)

    body = _post(login(operator), _url(report, "merge"), {"into": target.pk}).json()

    assert body["status"] == "merged"
    assert body["merged_into"] == target.tracking_code


def test_report_merge_answers_400_when_target_is_of_another_lab(
    login, operator, report, other_report
) -> None:
    response = _post(login(operator), _url(report, "merge"), {"into": other_report.pk})

    assert response.status_code == 400
    assert "into" in response.json()["fields"]
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_report_assign_gives_report_to_lab_staff_when_allowed(
    login, coordinator, operator, report
) -> None:
    body = _post(login(coordinator), _url(report, "assign"), {"assignee": operator.pk}).json()

    assert body["assigned_to"]["id"] == operator.pk


def test_report_assign_clears_assignee_when_null(login, coordinator, operator, category) -> None:
    report = ReportFactory(category=category, assigned_to=operator)

    body = _post(login(coordinator), _url(report, "assign"), {"assignee": None}).json()

    assert body["assigned_to"] is None


def test_report_assign_answers_400_when_assignee_is_not_lab_staff(
    login, coordinator, other_operator, report
) -> None:
    response = _post(login(coordinator), _url(report, "assign"), {"assignee": other_operator.pk})

    assert response.status_code == 400
    assert "assignee" in response.json()["fields"]


def test_report_assign_answers_403_when_housing_staff(login, housing_staff, operator, category):
    org = category.responsible_organisation
    report = ReportFactory(category=category, status=ReportStatus.FORWARDED, forwarded_to=org)

    response = _post(login(housing_staff), _url(report, "assign"), {"assignee": operator.pk})

    assert response.status_code == 403


def test_report_comment_adds_internal_note_when_staff(login, operator, report) -> None:
    response = _post(
        login(operator),
        _url(report, "comments"),
        {"body": "Chiamare l'amministratore", "visibility": "internal"},
    )

    assert response.status_code == 201
    assert response.json()["visibility"] == "internal"
    assert ReportComment.objects.get().visibility == CommentVisibility.INTERNAL


def test_report_comment_answers_400_when_visibility_is_unknown(login, operator, report) -> None:
    response = _post(login(operator), _url(report, "comments"), {"body": "x", "visibility": "all"})

    assert response.status_code == 400
    assert "visibility" in response.json()["fields"]


@pytest.mark.parametrize("action", ["acknowledge", "reject", "assign", "comments"])
def test_report_actions_answer_404_when_report_is_of_another_lab(
    login, operator, other_report, action
) -> None:
    data = {"reason": "x", "assignee": None, "body": "x", "visibility": "public"}

    response = _post(login(operator), _url(other_report, action), data)

    assert response.status_code == 404
    other_report.refresh_from_db()
    assert other_report.status == ReportStatus.SUBMITTED
    assert other_report.comments.count() == 0


@pytest.mark.parametrize("action", ["acknowledge", "assign", "comments"])
def test_report_actions_answer_403_when_user_is_resident(
    login, resident_user, report, action
) -> None:
    data = {"assignee": None, "body": "x", "visibility": "public"}

    assert _post(login(resident_user), _url(report, action), data).status_code == 403


def test_report_acknowledge_works_for_housing_staff_when_report_forwarded_to_them(
    login, make_user, lab, category
) -> None:
    org = category.responsible_organisation
    user = make_user(Role.HOUSING_STAFF, lab)
    user.memberships.update(organisation=org)
    report = ReportFactory(category=category, status=ReportStatus.FORWARDED, forwarded_to=org)

    response = _post(login(user), _url(report, "start"), {})

    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"


# --- schema ----------------------------------------------------------------------------------


def test_schema_lists_report_endpoints_when_generated(client) -> None:
    paths = set(json.loads(client.get("/api/schema/", {"format": "json"}).content)["paths"])

    assert {URL, URL + "{id}/", URL + "{id}/acknowledge/", URL + "{id}/comments/"} <= paths


# --- JSON types, state conflicts, the schema ---------------------------------------------------


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("comments", {"body": 0, "visibility": "public"}, "body"),
        ("reject", {"reason": ["Doppia"]}, "reason"),
        ("merge", {"into": "12"}, "into"),
        ("assign", {"assignee": True}, "assignee"),
    ],
)
def test_report_action_answers_400_when_value_has_wrong_json_type(
    login, coordinator, report, action, body, field
) -> None:
    response = _post(login(coordinator), _url(report, action), body)

    assert response.status_code == 400
    assert field in response.json()["fields"]
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert not ReportComment.objects.filter(report=report).exists()


def test_report_action_answers_415_when_body_is_a_form_post(login, coordinator, report) -> None:
    response = login(coordinator).post(_url(report, "assign"), {"assignee": "null"})

    assert response.status_code == 415
    assert set(response.json()) == ERROR_KEYS


def test_report_merge_answers_409_and_changes_nothing_when_target_is_closed(
    login, operator, category, report
) -> None:
    target = ReportFactory(category=category, status=ReportStatus.CLOSED)

    response = _post(login(operator), _url(report, "merge"), {"into": target.pk})

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_report_forward_answers_409_when_no_organisation_is_responsible(
    login, operator, lab
) -> None:
    report = ReportFactory(
        category=CategoryFactory(lab=lab, responsible_organisation=None),
        status=ReportStatus.ACKNOWLEDGED,
    )

    response = _post(login(operator), _url(report, "forward"), {})

    assert response.status_code == 409
    assert "organisation" in response.json()["fields"]
    report.refresh_from_db()
    assert report.status == ReportStatus.ACKNOWLEDGED


def test_report_create_keeps_six_decimals_when_point_is_finer(login, operator, category) -> None:
    response = _post(
        login(operator),
        URL,
        {"category": category.pk, "description": "Buca", "latitude": 45.4512345678, "longitude": 9},
    )

    assert response.status_code == 201
    report = Report.objects.get()
    assert (str(report.latitude), str(report.longitude)) == ("45.451235", "9.000000")


@pytest.mark.parametrize("latitude", ["", "45.1", None, 91])
def test_report_create_answers_400_when_latitude_is_not_a_number_in_range(
    login, operator, category, latitude
) -> None:
    body = {"category": category.pk, "description": "Buca", "latitude": latitude, "longitude": 9}

    response = _post(login(operator), URL, body)

    assert response.status_code == 400
    assert "latitude" in response.json()["fields"]
    assert not Report.objects.exists()


def test_schema_says_text_input_holds_no_nul_and_bodies_are_json(client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    comment = schema["components"]["schemas"]["ReportCommentInputRequest"]["properties"]
    create = schema["components"]["schemas"]["ReportCreateInputRequest"]["properties"]
    listing = schema["paths"]["/api/v1/reports/"]["get"]["parameters"]
    [q] = [p["schema"] for p in listing if p["name"] == "q"]
    post = schema["paths"]["/api/v1/reports/{id}/assign/"]["post"]

    assert comment["body"]["pattern"] == q["pattern"] == "^[^\\u0000]*$"
    assert "pattern" not in create["contact_email"]  # an e-mail has its format
    assert create["latitude"]["type"] == "number"
    assert list(post["requestBody"]["content"]) == ["application/json"]


def test_report_list_answers_400_when_query_holds_nul(login, operator) -> None:
    response = login(operator).get(URL, {"q": "ascen\x00sore"})

    assert response.status_code == 400
    assert "q" in response.json()["fields"]
