"""Open311 GeoReport v2: every resource in JSON and XML, the spec's errors, no personal data."""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from quartiere.reports import services
from quartiere.reports.enums import AttributeDatatype, ReportChannel, ReportStatus
from quartiere.reports.models import Report, ReportAttachment, ReportStatusChange
from quartiere.reports.open311 import to_xml
from quartiere.reports.tests.factories import (
    CategoryAttributeFactory,
    CategoryFactory,
    ReportFactory,
)
from quartiere.territory.tests.factories import BuildingFactory, UnitFactory

pytestmark = pytest.mark.django_db

BASE = "/open311/v2/"
FORMATS = ["json", "xml"]
FORM = "application/x-www-form-urlencoded"


# --- helpers and fixtures --------------------------------------------------------------------


def _xml(response) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own output


def _errors(response, fmt: str) -> list[dict]:
    """Read the spec's error list from either format as [{"code": int, "description": str}]."""
    if fmt == "json":
        return response.json()
    root = _xml(response)
    assert root.tag == "errors"
    return [
        {"code": int(e.findtext("code")), "description": e.findtext("description")}
        for e in root.findall("error")
    ]


def _requests(response, fmt: str) -> list[dict]:
    """Read a list of requests from either format as dicts of strings (XML) or values (JSON)."""
    if fmt == "json":
        return response.json()
    root = _xml(response)
    assert root.tag == "service_requests"
    return [{child.tag: child.text for child in item} for item in root.findall("request")]


def _post(client, fmt: str, data: dict, *, multipart: bool = False):
    url = f"{BASE}requests.{fmt}"
    if multipart:
        return client.post(url, data)
    return client.post(url, urlencode(data, doseq=True), content_type=FORM)


def _png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "photo.png"
    return buffer


@pytest.fixture
def private_category(lab):
    return CategoryFactory(lab=lab, code="conflict", is_public=False)


@pytest.fixture
def building(lab):
    return BuildingFactory(
        district=lab.district,
        street="Via Giambellino",
        number="150",
        latitude=Decimal("45.448123"),
        longitude=Decimal("9.139456"),
    )


def _valid_post(api_key: str, **extra) -> dict:
    data = {
        "api_key": api_key,
        "service_code": "lift",
        "lat": "45.448",
        "long": "9.139",
        "description": "L'ascensore è fermo",
        "email": "mario.rossi@example.org",
        "first_name": "Mario",
        "last_name": "Rossi",
        "phone": "+393331234567",
    }
    data.update(extra)
    return data


# --- discovery and services ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_lists_specification_and_formats_when_requested(client, fmt) -> None:
    response = client.get(f"{BASE}discovery.{fmt}")

    assert response.status_code == 200
    if fmt == "json":
        endpoint = response.json()["endpoints"][0]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert set(endpoint["formats"]) == {"application/json", "text/xml"}
        assert endpoint["url"].endswith("/open311/v2/")
    else:
        root = _xml(response)
        assert root.tag == "discovery"
        formats = [f.text for f in root.iter("format")]
        assert set(formats) == {"application/json", "text/xml"}


def test_discovery_documents_tokens_when_requested(client) -> None:
    notes = " ".join(client.get(f"{BASE}discovery.json").json()["notes"])

    assert "tokens/{token}" in notes


@pytest.mark.parametrize(
    "path", ["discovery.csv", "services.html", "requests.yaml", "requests/SG-X.txt"]
)
def test_open311_answers_404_when_format_is_unknown(client, path) -> None:
    response = client.get(BASE + path)

    assert response.status_code == 404
    assert response.json()[0]["code"] == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_list_shows_active_categories_when_requested(client, category, fmt) -> None:
    CategoryFactory(lab=category.lab, code="old", is_active=False)
    CategoryAttributeFactory(category=category, code="floor")

    response = client.get(f"{BASE}services.{fmt}")

    assert response.status_code == 200
    if fmt == "json":
        [service] = response.json()
        assert service["service_code"] == "lift"
        assert service["metadata"] is True
        assert service["type"] == "realtime"
        assert service["group"] == "manutenzione"
    else:
        root = _xml(response)
        assert [s.findtext("service_code") for s in root.findall("service")] == ["lift"]
        assert root.find("service").findtext("metadata") == "true"


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_detail_lists_attributes_with_values_when_category_has_questions(
    client, category, fmt
) -> None:
    CategoryAttributeFactory(
        category=category,
        code="floor",
        datatype=AttributeDatatype.SINGLEVALUELIST,
        is_required=True,
        values=[{"key": "1", "name": "Primo"}, {"key": "2", "name": "Secondo"}],
    )

    response = client.get(f"{BASE}services/lift.{fmt}")

    assert response.status_code == 200
    if fmt == "json":
        body = response.json()
        assert body["service_code"] == "lift"
        [attribute] = body["attributes"]
        assert attribute["code"] == "floor"
        assert attribute["required"] is True
        assert attribute["datatype"] == "singlevaluelist"
        assert attribute["values"] == [
            {"key": "1", "name": "Primo"},
            {"key": "2", "name": "Secondo"},
        ]
    else:
        root = _xml(response)
        assert root.tag == "service_definition"
        attribute = root.find("attributes/attribute")
        assert attribute.findtext("required") == "true"
        assert [v.findtext("key") for v in attribute.iter("value")] == ["1", "2"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_detail_answers_404_error_list_when_code_is_unknown(client, fmt) -> None:
    response = client.get(f"{BASE}services/nope.{fmt}")

    assert response.status_code == 404
    assert _errors(response, fmt)[0]["code"] == 404


# --- GET requests ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_request_list_shows_public_category_reports_when_requested(
    client, category, private_category, fmt
) -> None:
    shown = ReportFactory(category=category)
    ReportFactory(category=private_category)

    response = client.get(f"{BASE}requests.{fmt}")

    assert response.status_code == 200
    [row] = _requests(response, fmt)
    assert row["service_request_id"] == shown.tracking_code
    assert row["service_code"] == "lift"
    assert row["status"] == "open"


@pytest.mark.parametrize("fmt", FORMATS)
def test_request_list_carries_no_personal_data_when_report_has_contacts(
    client, category, building, fmt
) -> None:
    unit = UnitFactory(building=building, code="INT-42")
    ReportFactory(
        category=category,
        building=building,
        unit=unit,
        description="Perdita dal soffitto dell'interno di Bianchi",
        contact_name="Giulia Bianchi",
        contact_email="giulia.bianchi@example.org",
        contact_phone="+390212345678",
        address_text="Scala C, interno 42, citofono Bianchi",
    )

    response = client.get(f"{BASE}requests.{fmt}")

    text = response.content.decode()
    for secret in ("Bianchi", "giulia", "12345678", "INT-42", "soffitto", "citofono"):
        assert secret not in text
    assert "description" not in _requests(response, fmt)[0]


def test_request_list_gives_building_address_and_coordinates_when_report_has_building(
    client, category, building
) -> None:
    ReportFactory(category=category, building=building)

    [row] = client.get(f"{BASE}requests.json").json()

    assert row["address"] == "Via Giambellino 150"
    assert row["address_id"] == building.pk
    assert (row["lat"], row["long"]) == (45.448123, 9.139456)


def test_request_list_rounds_the_map_point_when_report_has_no_building(client, category) -> None:
    ReportFactory(category=category, latitude=Decimal("45.456789"), longitude=Decimal("9.123456"))

    [row] = client.get(f"{BASE}requests.json").json()

    assert (row["lat"], row["long"]) == (45.457, 9.123)
    assert row["address"] == ""


def test_request_list_filters_by_service_code_when_given(client, category, lab) -> None:
    other = CategoryFactory(lab=lab, code="mould", is_public=True)
    ReportFactory(category=category)
    wanted = ReportFactory(category=other)

    rows = client.get(f"{BASE}requests.json", {"service_code": "mould"}).json()

    assert [r["service_request_id"] for r in rows] == [wanted.tracking_code]


def test_request_list_filters_by_dates_when_start_and_end_given(client, category) -> None:
    at = dt.datetime(2026, 3, 10, 11, 0, tzinfo=dt.UTC)
    ReportFactory(category=category, submitted_at=at - dt.timedelta(days=10))
    wanted = ReportFactory(category=category, submitted_at=at)
    ReportFactory(category=category, submitted_at=at + dt.timedelta(days=10))

    rows = client.get(
        f"{BASE}requests.json",
        {"start_date": "2026-03-09T00:00:00+01:00", "end_date": "2026-03-11T00:00:00Z"},
    ).json()

    assert [r["service_request_id"] for r in rows] == [wanted.tracking_code]


def test_request_list_reads_offset_when_plus_sign_arrives_as_space(client, category) -> None:
    wanted = ReportFactory(category=category)
    start = timezone.localtime() - dt.timedelta(hours=1)

    response = client.get(
        f"{BASE}requests.json?start_date=" + start.strftime("%Y-%m-%dT%H:%M:%S") + " 01:00"
    )

    assert response.status_code == 200
    assert [r["service_request_id"] for r in response.json()] == [wanted.tracking_code]


def test_request_list_covers_last_90_days_when_no_dates_given(client, category) -> None:
    recent = ReportFactory(category=category, submitted_at=timezone.now() - dt.timedelta(days=89))
    ReportFactory(category=category, submitted_at=timezone.now() - dt.timedelta(days=91))

    rows = client.get(f"{BASE}requests.json").json()

    assert [r["service_request_id"] for r in rows] == [recent.tracking_code]


def test_request_list_orders_newest_first_when_several(client, category) -> None:
    old = ReportFactory(category=category, submitted_at=timezone.now() - dt.timedelta(days=2))
    new = ReportFactory(category=category)

    rows = client.get(f"{BASE}requests.json").json()

    assert [r["service_request_id"] for r in rows] == [new.tracking_code, old.tracking_code]


@pytest.mark.parametrize(
    ("status", "expected"), [("open", "in_progress"), ("closed", "resolved"), ("open,closed", None)]
)
def test_request_list_filters_by_status_when_given(client, category, status, expected) -> None:
    ReportFactory(category=category, status=ReportStatus.IN_PROGRESS)
    ReportFactory(category=category, status=ReportStatus.RESOLVED)

    rows = client.get(f"{BASE}requests.json", {"status": status}).json()

    if expected is None:
        assert len(rows) == 2
    else:
        [row] = rows
        assert row["status"] == ("open" if expected == "in_progress" else "closed")


def test_request_list_returns_requested_ids_ignoring_other_filters_when_ids_given(
    client, category
) -> None:
    first = ReportFactory(category=category, submitted_at=timezone.now() - dt.timedelta(days=400))
    second = ReportFactory(category=category, status=ReportStatus.CLOSED)
    ReportFactory(category=category)

    rows = client.get(
        f"{BASE}requests.json",
        {"service_request_id": f"{first.tracking_code}, {second.tracking_code}", "status": "open"},
    ).json()

    assert {r["service_request_id"] for r in rows} == {first.tracking_code, second.tracking_code}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("params", "word"),
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2026-13-45T00:00:00Z"}, "end_date"),
        ({"start_date": "2026-03-02T00:00:00Z", "end_date": "2026-03-01T00:00:00Z"}, "start_date"),
        ({"status": "pending"}, "status"),
        ({"service_code": "nope"}, "nope"),
    ],
)
def test_request_list_answers_400_error_list_when_filter_is_bad(
    client, category, fmt, params, word
) -> None:
    response = client.get(f"{BASE}requests.{fmt}", params)

    assert response.status_code == 400
    [error] = _errors(response, fmt)
    assert error["code"] == 400
    assert word in error["description"]


def test_request_list_sets_status_notes_to_last_public_note_when_report_has_history(
    client, category
) -> None:
    report = ReportFactory(category=category, status=ReportStatus.RESOLVED)
    ReportStatusChange.objects.create(report=report, to_status="acknowledged", note="Presa")
    ReportStatusChange.objects.create(report=report, to_status="resolved", note="Riparato")
    ReportStatusChange.objects.create(report=report, to_status="resolved", note="")

    [row] = client.get(f"{BASE}requests.json").json()

    assert row["status_notes"] == "Riparato"
    assert row["status"] == "closed"
    assert row["expected_datetime"] is None


def test_request_list_escapes_markup_when_notes_hold_xml_characters(client, category) -> None:
    report = ReportFactory(category=category)
    ReportStatusChange.objects.create(
        report=report, to_status="acknowledged", note="<b>A & B</b> \x07"
    )

    root = _xml(client.get(f"{BASE}requests.xml"))

    assert root.find("request").findtext("status_notes") == "<b>A & B</b> "


def test_request_list_runs_one_query_when_many_reports(
    client, category, building, django_assert_num_queries
) -> None:
    ReportFactory.create_batch(2, category=category, building=building)
    with django_assert_num_queries(1):
        assert len(client.get(f"{BASE}requests.json").json()) == 2

    ReportFactory.create_batch(8, category=category)
    with django_assert_num_queries(1):
        assert len(client.get(f"{BASE}requests.json").json()) == 10


@pytest.mark.parametrize("fmt", FORMATS)
def test_request_detail_shows_one_request_when_category_is_public(client, category, fmt) -> None:
    report = ReportFactory(category=category)

    response = client.get(f"{BASE}requests/{report.tracking_code}.{fmt}")

    assert response.status_code == 200
    [row] = _requests(response, fmt)
    assert row["service_request_id"] == report.tracking_code


@pytest.mark.parametrize("fmt", FORMATS)
def test_request_detail_answers_404_when_category_is_private(client, private_category, fmt) -> None:
    report = ReportFactory(category=private_category)

    response = client.get(f"{BASE}requests/{report.tracking_code}.{fmt}")

    assert response.status_code == 404
    assert _errors(response, fmt)[0]["code"] == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_request_detail_answers_404_when_id_is_unknown(client, fmt) -> None:
    response = client.get(f"{BASE}requests/SG-NONE-NONE.{fmt}")

    assert response.status_code == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_token_answers_its_request_id_when_report_exists(client, category, fmt) -> None:
    report = ReportFactory(category=category)

    response = client.get(f"{BASE}tokens/{report.tracking_code.lower()}.{fmt}")

    assert response.status_code == 200
    [row] = _requests(response, fmt)
    assert row == {"service_request_id": report.tracking_code, "token": report.tracking_code}


@pytest.mark.parametrize("fmt", FORMATS)
def test_token_answers_404_when_unknown(client, fmt) -> None:
    response = client.get(f"{BASE}tokens/SG-NONE-NONE.{fmt}")

    assert response.status_code == 404
    assert _errors(response, fmt)[0]["code"] == 404


def test_request_list_refuses_put_when_method_is_not_in_spec(client) -> None:
    assert client.put(f"{BASE}requests.json").status_code == 405


# --- POST requests ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_request_create_makes_one_report_when_input_is_valid(
    client, category, api_key, fmt
) -> None:
    response = _post(client, fmt, _valid_post(api_key))

    assert response.status_code == 200
    [row] = _requests(response, fmt)
    report = Report.objects.get()
    assert row["service_request_id"] == report.tracking_code
    assert row["service_notice"]
    assert report.channel == ReportChannel.API
    assert report.submitted_with_key.name == "App di quartiere"
    assert report.contact_name == "Mario Rossi"
    assert report.contact_email == "mario.rossi@example.org"
    assert report.category == category


def test_request_create_makes_a_second_report_when_the_same_post_repeats(
    client, category, api_key
) -> None:
    first = _post(client, "json", _valid_post(api_key)).json()[0]
    second = _post(client, "json", _valid_post(api_key)).json()[0]

    assert Report.objects.count() == 2
    assert first["service_request_id"] != second["service_request_id"]


def test_request_create_accepts_multipart_with_media_when_photo_attached(
    client, category, api_key, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    response = _post(client, "json", _valid_post(api_key, media=_png()), multipart=True)

    assert response.status_code == 200
    attachment = ReportAttachment.objects.get()
    assert attachment.content_type == "image/png"


def test_request_create_answers_400_when_media_is_not_a_photo(client, category, api_key) -> None:
    media = io.BytesIO(b"MZ not a photo")
    media.name = "virus.exe"

    response = _post(client, "json", _valid_post(api_key, media=media), multipart=True)

    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("media:")
    assert not Report.objects.exists()


def test_request_create_places_report_in_building_when_address_id_given(
    client, category, api_key, building
) -> None:
    data = _valid_post(api_key, address_id=str(building.pk))
    del data["lat"], data["long"]

    assert _post(client, "json", data).status_code == 200
    assert Report.objects.get().building == building


def test_request_create_answers_400_when_address_id_is_in_another_district(
    client, category, api_key
) -> None:
    data = _valid_post(api_key, address_id=str(BuildingFactory().pk))

    response = _post(client, "json", data)

    assert response.status_code == 400
    assert "address_id" in response.json()[0]["description"]


def test_request_create_keeps_all_choices_when_multivaluelist_repeats(
    client, category, api_key
) -> None:
    CategoryAttributeFactory(
        category=category,
        code="rooms",
        datatype=AttributeDatatype.MULTIVALUELIST,
        values=[{"key": "k", "name": "Cucina"}, {"key": "b", "name": "Bagno"}],
    )

    response = _post(client, "json", _valid_post(api_key, **{"attribute[rooms]": ["k", "b"]}))

    assert response.status_code == 200
    assert Report.objects.get().attributes == {"rooms": ["k", "b"]}


@pytest.mark.parametrize("fmt", FORMATS)
def test_request_create_answers_400_error_list_when_location_is_missing(
    client, category, api_key, fmt
) -> None:
    data = _valid_post(api_key)
    del data["lat"], data["long"]

    response = _post(client, fmt, data)

    assert response.status_code == 400
    [error] = _errors(response, fmt)
    assert error["code"] == 400
    assert "address_string" in error["description"]
    assert not Report.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_request_create_answers_400_error_list_when_service_code_is_unknown(
    client, category, api_key, fmt
) -> None:
    response = _post(client, fmt, _valid_post(api_key, service_code="nope"))

    assert response.status_code == 400
    [error] = _errors(response, fmt)
    assert error == {"code": 400, "description": error["description"]}
    assert "service_code" in error["description"]
    assert not Report.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_request_create_answers_400_error_list_when_required_attribute_is_missing(
    client, category, api_key, fmt
) -> None:
    CategoryAttributeFactory(category=category, code="floor", is_required=True)

    response = _post(client, fmt, _valid_post(api_key))

    assert response.status_code == 400
    [error] = _errors(response, fmt)
    assert error["code"] == 400
    assert error["description"].startswith("attribute[floor]:")
    assert not Report.objects.exists()


def test_request_create_answers_400_when_only_lat_is_given(client, category, api_key) -> None:
    data = _valid_post(api_key)
    del data["long"]

    response = _post(client, "json", data)

    assert response.status_code == 400
    assert not Report.objects.exists()


def test_request_create_answers_400_when_lat_is_not_a_number(client, category, api_key) -> None:
    response = _post(client, "json", _valid_post(api_key, lat="north"))

    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("lat:")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("key", ["", "deadbeef.wrong", "not-a-key"])
def test_request_create_answers_403_error_list_when_api_key_is_bad(
    client, category, fmt, key
) -> None:
    response = _post(client, fmt, _valid_post(key))

    assert response.status_code == 403
    assert _errors(response, fmt)[0]["code"] == 403
    assert not Report.objects.exists()


def test_request_create_answers_403_when_api_key_is_revoked(client, category) -> None:
    key, raw = services.open311_key_create(name="Vecchia app")
    services.open311_key_revoke(key=key, actor=None)

    response = _post(client, "json", _valid_post(raw))

    assert response.status_code == 403
    assert not Report.objects.exists()


def test_request_create_answers_403_at_once_when_api_key_is_revoked_after_use(
    client, category
) -> None:
    key, raw = services.open311_key_create(name="App ritirata")
    assert _post(client, "json", _valid_post(raw)).status_code == 200

    services.open311_key_revoke(key=key, actor=None)
    response = _post(client, "json", _valid_post(raw))

    assert response.status_code == 403
    assert Report.objects.count() == 1


def test_request_create_answers_403_when_secret_is_wrong_for_a_known_prefix(
    client, category, api_key
) -> None:
    prefix = api_key.partition(".")[0]

    response = _post(client, "json", _valid_post(f"{prefix}.not-the-secret"))

    assert response.status_code == 403
    assert not Report.objects.exists()


def test_request_create_answers_403_before_400_when_key_is_bad_and_code_unknown(
    client, category
) -> None:
    response = _post(client, "json", _valid_post("deadbeef.wrong", service_code="nope"))

    assert response.status_code == 403


def test_request_create_reads_key_category_building_and_questions_in_one_query(
    client, category, api_key, building
) -> None:
    CategoryAttributeFactory(category=category, code="piano", is_required=False)
    services.report_policy_for(lab_id=category.lab_id)  # made once, on a lab's first report
    with CaptureQueriesContext(connection) as ctx:
        response = _post(client, "json", _valid_post(api_key, address_id=str(building.pk)))
    assert response.status_code == 200
    statements = [q["sql"] for q in ctx.captured_queries]
    first_write = next(i for i, sql in enumerate(statements) if sql.startswith("INSERT"))
    reads = [sql for sql in statements[:first_write] if sql.startswith("SELECT")]
    # The one lookup, then the questions (this category has one; none would spare it).
    assert len(reads) == 2
    assert Report.objects.get().building == building


def test_request_create_skips_the_questions_query_when_category_has_none(
    client, category, api_key
) -> None:
    services.report_policy_for(lab_id=category.lab_id)  # made once, on a lab's first report
    with CaptureQueriesContext(connection) as ctx:
        assert _post(client, "json", _valid_post(api_key)).status_code == 200
    statements = [q["sql"] for q in ctx.captured_queries]
    first_write = next(i for i, sql in enumerate(statements) if sql.startswith("INSERT"))
    assert [sql for sql in statements[:first_write] if sql.startswith("SELECT")] == [statements[0]]


def test_request_create_answers_403_when_api_key_belongs_to_another_lab(
    client, category, other_lab
) -> None:
    _key, raw = services.open311_key_create(name="App B", lab=other_lab)

    response = _post(client, "json", _valid_post(raw))

    assert response.status_code == 403
    assert not Report.objects.exists()


def test_request_create_accepts_key_of_the_same_lab_when_category_is_of_that_lab(
    client, category, lab
) -> None:
    _key, raw = services.open311_key_create(name="App A", lab=lab)

    assert _post(client, "json", _valid_post(raw)).status_code == 200


def test_request_create_needs_no_csrf_token_when_client_enforces_checks(category, api_key) -> None:
    from django.test import Client

    response = _post(Client(enforce_csrf_checks=True), "json", _valid_post(api_key))

    assert response.status_code == 200


def test_request_create_accepts_private_category_but_hides_it_from_get(
    client, private_category, api_key
) -> None:
    data = _valid_post(api_key, service_code="conflict")

    code = _post(client, "json", data).json()[0]["service_request_id"]

    assert client.get(f"{BASE}requests/{code}.json").status_code == 404
    assert client.get(f"{BASE}tokens/{code}.json").status_code == 200


# --- the XML writer on its own ---------------------------------------------------------------


def test_to_xml_writes_lists_as_repeated_elements_when_payload_is_nested() -> None:
    payload = [{"code": 400, "description": "a < b", "ok": False, "none": None}]

    root = ET.fromstring(to_xml("errors", payload))  # noqa: S314 - our own output

    error = root.find("error")
    assert error.findtext("code") == "400"
    assert error.findtext("description") == "a < b"
    assert error.findtext("ok") == "false"
    assert error.find("none").text is None
