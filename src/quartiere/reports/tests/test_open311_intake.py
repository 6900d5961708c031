"""Open311 POST with the database task queue (production): the request is checked and stored
as one row, the POST answers with a token, the worker makes the report, and
``tokens/{token}`` gives its id. Nothing is lost, nothing doubled, bad input is still a 400."""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from quartiere.core import periodic
from quartiere.core.testing import requires_postgresql
from quartiere.reports import services
from quartiere.reports.enums import AttributeDatatype, ReportChannel
from quartiere.reports.models import Notification, Open311Intake, Report, ReportFollower
from quartiere.reports.tests.factories import CategoryAttributeFactory, CategoryFactory
from quartiere.territory.tests.factories import BuildingFactory

BASE = "/open311/v2/"
FORM = "application/x-www-form-urlencoded"


def _xml(response) -> ET.Element:
    return ET.fromstring(response.content)  # noqa: S314 - our own output


def _post(client, data: dict, fmt: str = "json"):
    return client.post(f"{BASE}requests.{fmt}", urlencode(data, doseq=True), content_type=FORM)


def _data(api_key: str, **extra) -> dict:
    data = {
        "api_key": api_key,
        "service_code": "lift",
        "lat": "45.4481234",
        "long": "9.139",
        "description": "L'ascensore è fermo da lunedì",
        "email": "mario.rossi@example.org",
        "first_name": "Mario",
        "last_name": "Rossi",
        "phone": "+393331234567",
    }
    data.update(extra)
    return data


def test_post_answers_a_token_and_writes_one_row_when_the_queue_is_the_database(
    client, category, api_key, database_queue
) -> None:
    _post(client, _data(api_key))  # the key's first use notes the time (once in 5 minutes)
    with CaptureQueriesContext(connection) as ctx:
        response = _post(client, _data(api_key))

    assert response.status_code == 200
    [row] = response.json()
    assert set(row) == {"token", "service_notice", "account_id"}
    intake = Open311Intake.objects.get(token=row["token"])
    assert intake.report is None
    assert intake.processed_at is None
    assert intake.payload["contact_email"] == "mario.rossi@example.org"
    assert not Report.objects.exists()
    # PostgreSQL reads the category, key and building and inserts the row in one statement
    # (elsewhere one read and one insert); no transaction, no task row.
    expected = 1 if connection.vendor == "postgresql" else 2
    assert len(ctx.captured_queries) == expected, [q["sql"][:80] for q in ctx.captured_queries]


def test_the_first_post_of_a_key_notes_its_use(client, category, database_queue) -> None:
    key, raw = services.open311_key_create(name="App")

    _post(client, _data(raw))

    key.refresh_from_db()
    assert key.last_used_at is not None


def _other_lab_key(category):
    from quartiere.accounts.tests.factories import LabFactory

    _key, raw = services.open311_key_create(name="Altro lab", lab=LabFactory())
    return raw


@pytest.mark.parametrize(
    ("make_data", "status", "words"),
    [
        (lambda raw, c: _data(raw[:-2] + "xx"), 403, "api_key"),
        (lambda raw, c: _data(raw.partition(".")[0]), 403, "api_key"),
        (lambda raw, c: _data(_other_lab_key(c)), 403, "api_key"),
        (lambda raw, c: _data(raw, service_code="nope"), 400, "service_code"),
        (
            lambda raw, c: _data(raw, address_id=str(BuildingFactory().pk), lat="", long=""),
            400,
            "address_id",
        ),
        (lambda raw, c: _data(raw, lat="", long="", address_string=""), 400, "address_string"),
        (lambda raw, c: _data(raw, long=""), 400, "long"),
    ],
)
def test_whatever_the_one_statement_refuses_gets_the_general_answer_and_stores_nothing(
    client, category, api_key, database_queue, make_data, status, words
) -> None:
    response = _post(client, make_data(api_key, category))

    assert response.status_code == status
    assert words in response.json()[0]["description"]
    assert not Open311Intake.objects.exists()


def test_a_revoked_key_is_refused_by_the_very_next_post(client, category, database_queue) -> None:
    key, raw = services.open311_key_create(name="App")
    assert _post(client, _data(raw)).status_code == 200

    services.open311_key_revoke(key=key, actor=None)

    assert _post(client, _data(raw)).status_code == 403
    assert Open311Intake.objects.count() == 1


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_token_is_empty_until_the_worker_makes_the_report_then_gives_its_id(
    client, category, api_key, database_queue, fmt
) -> None:
    token = _post(client, _data(api_key)).json()[0]["token"]

    waiting = client.get(f"{BASE}tokens/{token}.{fmt}")
    assert services.open311_intakes_process() == 1
    done = client.get(f"{BASE}tokens/{token}.{fmt}")

    report = Report.objects.get()
    assert waiting.status_code == done.status_code == 200
    if fmt == "json":
        assert waiting.json() == [{"service_request_id": None, "token": token}]
        assert done.json() == [{"service_request_id": report.tracking_code, "token": token}]
    else:
        item = _xml(done).find("request")
        assert item.findtext("service_request_id") == report.tracking_code
        assert item.findtext("token") == token
        assert not _xml(waiting).find("request").findtext("service_request_id")
    assert client.get(f"{BASE}requests/{report.tracking_code}.json").status_code == 200


def test_worker_makes_the_report_as_an_immediate_post_would(
    client, category, api_key, database_queue
) -> None:
    from django_tasks_db.models import DBTaskResult

    building = BuildingFactory(district=category.lab.district)
    data = _data(api_key, address_id=str(building.pk))
    token = _post(client, data).json()[0]["token"]
    intake = Open311Intake.objects.get(token=token)

    services.open311_intakes_process()

    report = Report.objects.get()
    intake.refresh_from_db()
    assert intake.report == report
    assert intake.processed_at is not None
    assert intake.payload == {}  # the report keeps the contact details, the queue row not
    assert report.channel == ReportChannel.API
    assert report.submitted_at == intake.received_at  # the service-level clock starts at POST
    assert report.building == building
    assert str(report.latitude) == "45.448123"
    assert report.contact_name == "Mario Rossi"
    assert report.submitted_with_key.name == "App di quartiere"
    assert ReportFollower.objects.get(report=report).email == "mario.rossi@example.org"
    notification = Notification.objects.get(report=report)
    assert DBTaskResult.objects.filter(args_kwargs__args=[notification.pk]).count() == 1


def test_worker_never_makes_a_second_report_of_the_same_request(
    client, category, api_key, database_queue
) -> None:
    for _ in range(3):
        _post(client, _data(api_key))

    assert services.open311_intakes_process() == 3
    assert services.open311_intakes_process() == 0

    assert Report.objects.count() == 3
    assert set(Open311Intake.objects.values_list("report_id", flat=True)) == set(
        Report.objects.values_list("id", flat=True)
    )


def test_worker_works_in_batches_oldest_first_up_to_the_limit(
    client, category, api_key, database_queue, monkeypatch
) -> None:
    monkeypatch.setattr(services, "OPEN311_INTAKE_BATCH", 2)
    tokens = [_post(client, _data(api_key)).json()[0]["token"] for _ in range(5)]

    assert services.open311_intakes_process(limit=3) == 3
    made = set(Open311Intake.objects.filter(report__isnull=False).values_list("token", flat=True))
    assert made == set(tokens[:3])
    assert services.open311_intakes_process() == 2
    assert Report.objects.count() == 5


def test_worker_records_the_refusal_when_the_category_closed_meanwhile(
    client, category, api_key, database_queue
) -> None:
    token = _post(client, _data(api_key)).json()[0]["token"]
    category.is_active = False
    category.save()

    assert services.open311_intakes_process() == 1

    intake = Open311Intake.objects.get(token=token)
    assert not Report.objects.exists()
    assert intake.report is None
    assert intake.processed_at is not None
    with translation.override("it"):
        assert intake.error == gettext("This category is not available for this lab.")
    answer = client.get(f"{BASE}tokens/{token}.json")
    assert answer.status_code == 404
    assert "refused" in answer.json()[0]["description"]
    assert services.open311_intakes_process() == 0  # a refusal is not tried again and again


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"description": "   "}, "description"),
        ({"lat": "91", "long": "9"}, "lat"),
    ],
)
def test_bad_input_is_still_refused_at_once_and_nothing_is_stored(
    client, category, api_key, database_queue, extra, field
) -> None:
    response = _post(client, _data(api_key, **extra))

    assert response.status_code == 400
    assert response.json()[0]["code"] == 400
    assert not Open311Intake.objects.exists()
    assert not Report.objects.exists()


def test_a_missing_required_answer_is_refused_at_once(
    client, category, api_key, database_queue
) -> None:
    CategoryAttributeFactory(
        category=category, code="floor", datatype=AttributeDatatype.NUMBER, is_required=True
    )
    missing = _post(client, _data(api_key))
    given = _post(client, _data(api_key, **{"attribute[floor]": "3"}))

    assert missing.status_code == 400
    assert "floor" in missing.json()[0]["description"]
    assert given.status_code == 200
    services.open311_intakes_process()
    assert Report.objects.get().attributes == {"floor": "3"}


def test_post_in_the_demo_set_up_answers_the_id_at_once(client, category, api_key) -> None:
    response = _post(client, _data(api_key))  # tasks run at once: no worker to wait for

    [row] = response.json()
    report = Report.objects.get()
    assert row["service_request_id"] == report.tracking_code
    assert "token" not in row
    assert Open311Intake.objects.get().report == report


def test_the_worker_runs_the_intake_as_a_periodic_job(db) -> None:
    [job] = [j for j in periodic.registered() if j.name == "reports.open311_intake"]

    assert job.interval.total_seconds() <= 5
    assert job.run() == 0  # the dotted path resolves and finds nothing to do


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@requires_postgresql
def test_two_workers_share_the_queue_and_never_take_the_same_request(lab, database_queue):
    category = CategoryFactory(lab=lab, code="lift")
    key, _raw = services.open311_key_create(name="App")
    for n in range(6):
        Open311Intake.objects.create(
            token=f"t{n}",
            key=key,
            category=category,
            received_at=f"2026-11-2{n}T10:00:00+01:00",
            payload={"description": f"Guasto {n}", "address_text": "Via Giambellino 150"},
        )
    held = threading.Event()
    release = threading.Event()

    def first_worker() -> None:
        # Holds the two oldest rows in an open transaction, as a worker halfway through.
        try:
            with transaction.atomic():
                rows = list(
                    Open311Intake.objects.order_by("received_at").select_for_update(
                        skip_locked=True
                    )[:2]
                )
                assert len(rows) == 2
                held.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    thread = threading.Thread(target=first_worker)
    thread.start()
    assert held.wait(timeout=10)
    try:
        handled = services.open311_intakes_process()
    finally:
        release.set()
        thread.join(timeout=10)

    assert handled == 4
    made = Open311Intake.objects.filter(report__isnull=False).values_list("token", flat=True)
    assert sorted(made) == ["t2", "t3", "t4", "t5"]
    assert services.open311_intakes_process() == 2
    assert Report.objects.count() == 6
