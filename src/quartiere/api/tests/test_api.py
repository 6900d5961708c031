"""The staff API: schema, one error shape, scoping and filters."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.validation import validate_schema
from rest_framework import exceptions

from quartiere.accounts.enums import Role
from quartiere.api.errors import exception_handler
from quartiere.core.exceptions import ApplicationError
from quartiere.people.tests.factories import ResidentFactory
from quartiere.territory.tests.factories import BuildingFactory, UnitFactory

pytestmark = pytest.mark.django_db

RESIDENTS = "/api/v1/people/residents/"
BUILDINGS = "/api/v1/territory/buildings/"
UNITS = "/api/v1/territory/units/"
ERROR_KEYS = {"code", "message", "fields"}


def test_schema_is_valid_openapi_when_requested_anonymously(client) -> None:
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert {RESIDENTS, RESIDENTS + "{id}/", BUILDINGS} <= set(schema["paths"])


def test_schema_docs_page_loads_when_requested_anonymously(client) -> None:
    assert client.get("/api/docs/").status_code == 200


def test_api_refuses_with_error_shape_when_user_is_anonymous(client) -> None:
    response = client.get(RESIDENTS)

    assert response.status_code in {401, 403}
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == "not_authenticated"
    assert body["fields"] == {}


def test_api_refuses_with_403_shape_when_user_lacks_capability(login, make_user, lab) -> None:
    trainer = make_user(Role.TRAINING_OPERATOR, lab)

    response = login(trainer).get(RESIDENTS)

    assert response.status_code == 403
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == "permission_denied"
    assert body["message"]


def test_api_resident_list_refuses_with_403_when_user_is_region_official(
    login, region_official
) -> None:
    assert login(region_official).get(RESIDENTS).status_code == 403


def test_api_answers_404_with_error_shape_when_resident_missing(login, operator) -> None:
    response = login(operator).get(f"{RESIDENTS}999999/")

    assert response.status_code == 404
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == "not_found"
    assert body["fields"] == {}


def test_api_refuses_writes_with_405_shape_when_endpoint_is_read_only(login, coordinator) -> None:
    response = login(coordinator).post(RESIDENTS, {"first_name": "X"})

    assert response.status_code == 405
    assert set(response.json()) == ERROR_KEYS
    assert response.json()["code"] == "method_not_allowed"


def test_api_resident_list_returns_own_lab_paginated_when_lab_staff(
    login, operator, lab, other_lab
) -> None:
    mine = ResidentFactory(lab=lab, first_name="Mario", last_name="Rossi")
    ResidentFactory(lab=other_lab)

    body = login(operator).get(RESIDENTS).json()

    assert body["count"] == 1
    assert body["results"][0]["id"] == mine.pk
    assert body["results"][0]["codice_fiscale"] == mine.codice_fiscale
    assert "sensitive_profile" not in body["results"][0]


def test_resident_list_searches_by_name_when_q_given(login, operator, lab) -> None:
    ResidentFactory(lab=lab, first_name="Mario", last_name="Rossi")
    ResidentFactory(lab=lab, first_name="Anna", last_name="Bianchi")

    body = login(operator).get(RESIDENTS, {"q": "mario ross"}).json()

    assert [r["last_name"] for r in body["results"]] == ["Rossi"]


def test_api_resident_list_honours_page_size_when_given(login, operator, lab) -> None:
    ResidentFactory.create_batch(3, lab=lab)

    body = login(operator).get(RESIDENTS, {"page_size": 2}).json()

    assert len(body["results"]) == 2
    assert body["next"]


def test_resident_detail_returns_resident_when_in_own_lab(login, operator, lab) -> None:
    resident = ResidentFactory(lab=lab)

    body = login(operator).get(f"{RESIDENTS}{resident.pk}/").json()

    assert body["id"] == resident.pk
    assert body["lab"] == lab.pk


def test_api_building_list_returns_own_district_with_unit_count_when_lab_staff(
    login, operator, lab, other_lab
) -> None:
    building = BuildingFactory(district=lab.district)
    UnitFactory.create_batch(2, building=building)
    BuildingFactory(district=other_lab.district)

    body = login(operator).get(BUILDINGS).json()

    assert [(b["id"], b["unit_count"]) for b in body["results"]] == [(building.pk, 2)]


def test_building_detail_returns_building_when_in_own_district(login, operator, lab) -> None:
    building = BuildingFactory(district=lab.district)

    response = login(operator).get(f"{BUILDINGS}{building.pk}/")

    assert response.status_code == 200
    assert response.json()["code"] == building.code


def test_unit_list_filters_by_building_when_given(login, operator, lab) -> None:
    wanted = UnitFactory(building=BuildingFactory(district=lab.district))
    UnitFactory(building=BuildingFactory(district=lab.district))

    body = login(operator).get(UNITS, {"building": wanted.building_id}).json()

    assert [u["id"] for u in body["results"]] == [wanted.pk]
    assert body["results"][0]["stair"] == wanted.entrance.name


def test_api_building_list_returns_every_district_when_region_official(
    login, region_official, lab, other_lab
) -> None:
    BuildingFactory(district=lab.district)
    BuildingFactory(district=other_lab.district)

    assert login(region_official).get(BUILDINGS).json()["count"] == 2


# --- the exception handler on its own ------------------------------------------------------


def test_exception_handler_returns_400_with_fields_when_application_error() -> None:
    exc = ApplicationError("Bad thing.", fields={"unit": ["Occupied."]})

    response = exception_handler(exc, {})

    assert response.status_code == 400
    assert response.data == {
        "code": "invalid",
        "message": "Bad thing.",
        "fields": {"unit": ["Occupied."]},
    }


def test_exception_handler_puts_errors_in_fields_when_validation_error() -> None:
    response = exception_handler(exceptions.ValidationError({"q": ["Too long."]}), {})

    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert response.data["fields"] == {"q": ["Too long."]}


def test_exception_handler_flattens_errors_of_list_items_into_strings() -> None:
    error = exceptions.ValidationError({"status": {0: ["Not a choice."], 2: ["Not a choice."]}})

    response = exception_handler(error, {})

    assert response.data["fields"] == {"status": ["0: Not a choice.", "2: Not a choice."]}


def test_report_list_error_for_bad_status_items_is_a_list_of_strings(login, operator) -> None:
    response = login(operator).get("/api/v1/reports/", {"status": ["null", "submitted"]})

    assert response.status_code == 400
    assert all(isinstance(m, str) for m in response.json()["fields"]["status"])


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [(Http404(), 404, "not_found"), (PermissionDenied(), 403, "permission_denied")],
)
def test_exception_handler_returns_error_shape_when_django_error(
    exc: Exception, status: int, code: str
) -> None:
    response = exception_handler(exc, {})

    assert response.status_code == status
    assert response.data["code"] == code
    assert set(response.data) == ERROR_KEYS


def test_exception_handler_returns_none_when_error_is_unknown() -> None:
    assert exception_handler(RuntimeError("boom"), {}) is None


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        (RESIDENTS, {"page_size": "false"}, "page_size"),
        (RESIDENTS, {"page_size": "500"}, "page_size"),
        (RESIDENTS, {"page": "0"}, "page"),
        (BUILDINGS, {"status": "flying"}, "status"),
        (UNITS, {"building": "null"}, "building"),
        (UNITS, {"status": "haunted"}, "status"),
    ],
)
def test_api_lists_refuse_malformed_query_with_field_error_when_params_are_bad(
    login, make_user, lab, url, params, field
) -> None:
    client = login(make_user(Role.LAB_COORDINATOR, lab))

    response = client.get(url, params)

    assert response.status_code == 400
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert field in body["fields"]


def test_api_unknown_path_answers_json_404_when_route_does_not_exist(client) -> None:
    response = client.get("/api/v1/people/residents/not-a-number/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) == ERROR_KEYS
