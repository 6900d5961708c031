"""Views: permissions matrix, refusals shown per field, validation flow, constant queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quartiere.accounts.enums import Role
from quartiere.training.enums import RegisterStatus
from quartiere.training.models import AttendanceRecord, Enrolment
from quartiere.training.services import registers as reg
from quartiere.training.tests.conftest import GOOD_IBAN, enrol, make_resident
from quartiere.training.tests.factories import TrainingPathFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


# --- Permissions ----------------------------------------------------------------------------

MATRIX = {
    # url name: (coordinator, lab operator, training operator (trainer), housing staff)
    "measure_list": (200, 200, 403, 403),
    "measure_create": (200, 403, 403, 403),
    "path_list": (200, 200, 200, 403),
    "enrolment_list": (200, 200, 403, 403),
    "register_list": (200, 200, 200, 403),
}


@pytest.mark.parametrize("name", list(MATRIX))
def test_permission_matrix_on_lists(world, make_user, name):
    lab_operator = make_user(Role.LAB_OPERATOR, world.lab, username="op")
    housing = make_user(Role.HOUSING_STAFF, world.lab, username="aler")
    users = (world.coordinator, lab_operator, world.trainer, housing)
    for user, expected in zip(users, MATRIX[name], strict=True):
        status = _client(user).get(reverse(f"training:{name}")).status_code
        assert status == expected, (name, user.username, status)


def test_other_lab_coordinator_gets_404_on_measure_path_and_enrolment(world, make_user, other_lab):
    enrolment = enrol(world)
    stranger = _client(make_user(Role.LAB_COORDINATOR, other_lab, username="coord_b"))
    for url in (
        reverse("training:measure_detail", args=[world.measure.pk]),
        reverse("training:path_detail", args=[world.path.pk]),
        reverse("training:enrolment_detail", args=[enrolment.pk]),
        reverse("training:enrolment_statement", args=[enrolment.pk]),
    ):
        assert stranger.get(url).status_code == 404, url


def test_training_operator_of_another_organisation_does_not_see_path(world, make_user):
    outsider = make_user(Role.TRAINING_OPERATOR, world.lab, username="other_trainer")
    c = _client(outsider)
    assert c.get(reverse("training:path_detail", args=[world.path.pk])).status_code == 404
    assert world.path.title.encode() not in c.get(reverse("training:path_list")).content


def test_training_operator_cannot_edit_measure(world):
    url = reverse("training:measure_update", args=[world.measure.pk])
    assert _client(world.trainer).get(url).status_code == 403


def test_lab_operator_cannot_enter_register(world, make_user):
    lab_operator = make_user(Role.LAB_OPERATOR, world.lab, username="op")
    url = reverse("training:register_open", args=[world.session.pk])
    assert _client(lab_operator).post(url).status_code == 403


def test_resident_sees_only_own_page(world, make_user):
    resident_user = make_user(Role.RESIDENT, world.lab, username="mario")
    world.resident.user = resident_user
    world.resident.verified_at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    world.resident.save()
    enrolment = enrol(world)
    c = _client(resident_user)
    page = c.get(reverse("training:my_training"))
    assert page.status_code == 200
    assert world.path.title.encode() in page.content
    assert c.get(reverse("training:enrolment_list")).status_code == 403
    statement = c.get(reverse("training:my_statement", args=[enrolment.pk]))
    assert statement.content[:4] == b"%PDF"


def test_resident_cannot_download_someone_elses_statement(world, make_user):
    other = make_resident(world.lab, world.building, first_name="Sara", last_name="Neri")
    enrolment = enrol(world, other)
    resident_user = make_user(Role.RESIDENT, world.lab, username="mario")
    world.resident.user = resident_user
    world.resident.verified_at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    world.resident.save()
    c = _client(resident_user)
    assert c.get(reverse("training:my_statement", args=[enrolment.pk])).status_code == 404


# --- Enrolment through the pages ------------------------------------------------------------


def _check_and_enrol(world, **post):
    c = _client(world.coordinator)
    response = c.post(
        reverse("training:check_new", args=[world.path.pk, world.resident.pk]),
        {
            "unemployed_since": "2024-01-01",
            "isee_value": "9000",
            "isee_date": timezone.localdate().isoformat(),
            "income_support": "none",
        },
    )
    assert response.status_code == 302
    data = {
        "planned_hours": "80",
        "objectives": "Patentino",
        "iban": GOOD_IBAN,
        "account_holder": "Mario Rossi",
        "employment_status": "unemployed",
        "education_level": "isced_3_4",
        "migrant_background": "refused",
        "disability": "",
        "other_disadvantage": "",
        **post,
    }
    return c.post(response["Location"], data)


def test_enrol_page_refuses_bad_iban_with_field_error(world):
    response = _check_and_enrol(world, iban="IT60X0542811101000000123457")
    assert response.status_code == 200
    assert response.context["form"].errors["iban"]
    assert not Enrolment.objects.exists()


def test_enrol_page_refuses_holder_not_participant(world):
    response = _check_and_enrol(world, account_holder="Anna Verdi")
    assert response.context["form"].errors["account_holder"]


def test_enrol_page_enrols_and_redirects(world):
    response = _check_and_enrol(world)
    enrolment = Enrolment.objects.get()
    assert response["Location"] == reverse("training:enrolment_detail", args=[enrolment.pk])


def test_check_page_shows_failed_gate_and_no_form(world):
    c = _client(world.coordinator)
    response = c.post(
        reverse("training:check_new", args=[world.path.pk, world.resident.pk]),
        {"unemployed_since": "2024-01-01", "isee_value": "30000", "isee_date": "2025-01-10"},
        follow=True,
    )
    assert response.context["form"] is None
    assert b"badge bg-danger" in response.content


# --- Registers through the pages ------------------------------------------------------------


def test_register_page_shows_field_error_for_too_many_hours(world):
    enrolment = enrol(world)
    register = reg.register_open(actor=world.trainer, session=world.session)
    response = _client(world.trainer).post(
        reverse("training:register_detail", args=[register.pk]),
        {
            f"hours_{enrolment.pk}": "5",
            f"late_{enrolment.pk}": "0",
            f"early_{enrolment.pk}": "0",
            "action": "save",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors[f"hours_{enrolment.pk}"]
    assert not AttendanceRecord.objects.exists()


def test_register_submit_then_validate_by_responsible(world):
    enrolment = enrol(world)
    register = reg.register_open(actor=world.trainer, session=world.session)
    _client(world.trainer).post(
        reverse("training:register_detail", args=[register.pk]),
        {
            f"hours_{enrolment.pk}": "4",
            f"late_{enrolment.pk}": "0",
            f"early_{enrolment.pk}": "0",
            "action": "submit",
        },
    )
    register.refresh_from_db()
    assert register.status == RegisterStatus.SUBMITTED
    # the trainer may not validate their own register
    url = reverse("training:register_validate", args=[register.pk])
    assert _client(world.trainer).post(url).status_code == 403
    _client(world.responsible).post(url)
    register.refresh_from_db()
    assert register.status == RegisterStatus.VALIDATED


def test_validated_register_rejects_posts_from_operator(world):
    enrolment = enrol(world)
    register = reg.register_open(actor=world.trainer, session=world.session)
    reg.register_save(
        actor=world.trainer,
        register=register,
        entries=[reg.AttendanceEntry(enrolment.pk, Decimal("4"))],
    )
    reg.register_submit(actor=world.trainer, register=register)
    reg.register_validate(actor=world.responsible, register=register)
    response = _client(world.trainer).post(
        reverse("training:register_detail", args=[register.pk]),
        {f"hours_{enrolment.pk}": "1", "action": "save"},
    )
    assert response.status_code == 403
    assert AttendanceRecord.objects.get().hours_present == Decimal("4")


# --- Constant queries on lists --------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["measure_list", "path_list", "enrolment_list", "register_list"])
def test_list_queries_do_not_grow_with_rows(world, name):
    c = _client(world.coordinator)
    enrol(world)
    reg.register_open(actor=world.trainer, session=world.session)
    url = reverse(f"training:{name}")
    _queries(c, url)  # warm caches (content types, sessions)
    before = _queries(c, url)
    for i in range(4):
        path = TrainingPathFactory(measure=world.measure, operator=world.operator)
        session = TrainingSessionFactory(path=path)
        resident = make_resident(world.lab, world.building, first_name=f"P{i}", last_name="Bianchi")
        enrol(world, resident, path=path)
        reg.register_open(actor=world.trainer, session=session)
    assert _queries(c, url) == before


def test_enrolment_export_xlsx_has_rows_and_no_full_iban(world):
    import io

    from openpyxl import load_workbook

    enrol(world)
    response = _client(world.coordinator).get(reverse("training:enrolment_export") + "?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "id"
    assert len(rows) == 2
    assert GOOD_IBAN not in str(rows)


def test_register_export_refused_without_capability(world):
    url = reverse("training:register_export") + "?format=xlsx"
    assert _client(world.trainer).get(url).status_code == 403


def test_correction_page_records_correction_with_reason(world):
    enrolment = enrol(world)
    register = reg.register_open(actor=world.trainer, session=world.session)
    reg.register_save(
        actor=world.trainer,
        register=register,
        entries=[reg.AttendanceEntry(enrolment.pk, Decimal("4"))],
    )
    reg.register_submit(actor=world.trainer, register=register)
    reg.register_validate(actor=world.responsible, register=register)
    record = AttendanceRecord.objects.get()
    url = reverse("training:attendance_correct", args=[record.pk])
    assert _client(world.trainer).get(url).status_code == 403
    c = _client(world.coordinator)
    missing = c.post(url, {"hours_present": "2", "late_minutes": "0", "early_leave_minutes": "0"})
    assert missing.context["form"].errors["reason"]
    c.post(
        url,
        {
            "hours_present": "2",
            "late_minutes": "0",
            "early_leave_minutes": "0",
            "reason": "Uscita anticipata non segnata",
        },
    )
    record.refresh_from_db()
    assert record.effective_hours == Decimal("2.00")
    assert record.hours_present == Decimal("4.00")
