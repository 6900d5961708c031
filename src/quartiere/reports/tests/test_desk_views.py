"""Front-desk intake, categories and report settings pages."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from quartiere.accounts.enums import Role
from quartiere.core.exceptions import ApplicationError
from quartiere.people.tests.factories import ResidentFactory
from quartiere.reports.enums import AttributeDatatype, ReportChannel, ReportStatus
from quartiere.reports.forms_desk import ReportIntakeForm, parse_choices
from quartiere.reports.models import Category, CategoryAttribute, Report, ReportPolicy
from quartiere.reports.tests.factories import (
    CategoryAttributeFactory,
    CategoryFactory,
    ReportFactory,
)
from quartiere.territory.tests.factories import BuildingFactory, UnitFactory

pytestmark = pytest.mark.django_db
ROME = ZoneInfo("Europe/Rome")


def _url(name: str, *args: object) -> str:
    return reverse(f"reports:{name}", args=args)


@pytest.fixture
def place(lab) -> SimpleNamespace:  # type: ignore[no-untyped-def]
    building = BuildingFactory(district=lab.district, street="Via Lorenteggio", number="181")
    unit = UnitFactory(building=building, code="L181-A-12", floor=3)
    return SimpleNamespace(building=building, entrance=unit.entrance, unit=unit)


@pytest.fixture
def category(lab) -> Category:  # type: ignore[no-untyped-def]
    return CategoryFactory(lab=lab, name_it="Ascensore", name_en="Lift")


def _intake(category: Category, **fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "channel": ReportChannel.DESK,
        "language": "it",
        "category": category.pk,
        "description": "L'ascensore della scala A è fermo da tre giorni.",
        "contact_name": "Anna Verdi",
        "contact_phone": "+39 333 1234567",
        "contact_email": "anna@example.org",
        "wants_updates": "on",
        "save": "1",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return SimpleUploadedFile("stairs.png", buffer.getvalue(), content_type="image/png")


# --- Intake: who ----------------------------------------------------------------------------


def test_report_create_records_report_for_resident_when_resident_chosen(
    login, operator, lab, category, place
) -> None:
    resident = ResidentFactory(lab=lab, email="mario@example.org")

    response = login(operator).post(
        _url("report_create") + f"?resident={resident.pk}",
        _intake(
            category,
            resident=resident.pk,
            contact_name="",
            contact_email="",
            contact_phone="",
            building=place.building.pk,
            channel=ReportChannel.PHONE,
        ),
    )

    report = Report.objects.get()
    assert response.status_code == 302
    assert f"/backoffice/reports/{report.pk}/" in response["Location"]
    assert report.resident == resident
    assert report.channel == ReportChannel.PHONE
    assert report.contact_name == ""
    assert list(report.followers.values_list("email", flat=True)) == ["mario@example.org"]
    assert report.submitted_by == operator
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(report.tracking_code in m for m in messages)


def test_report_create_records_contact_details_when_person_not_registered(
    login, operator, lab, category
) -> None:
    response = login(operator).post(
        _url("report_create"), _intake(category, address_text="Cortile di via Segneri 3")
    )

    assert response.status_code == 302
    report = Report.objects.get()
    assert report.resident is None
    assert (report.contact_name, report.contact_phone, report.contact_email) == (
        "Anna Verdi",
        "+39 333 1234567",
        "anna@example.org",
    )
    assert report.address_text == "Cortile di via Segneri 3"
    assert list(report.followers.values_list("email", flat=True)) == ["anna@example.org"]


def test_report_create_adds_no_follower_when_updates_not_wanted(login, operator, category) -> None:
    login(operator).post(
        _url("report_create"), _intake(category, wants_updates=None, address_text="Via X 1")
    )

    assert Report.objects.get().followers.count() == 0


def test_report_create_requires_a_name_when_no_resident_chosen(login, operator, category) -> None:
    response = login(operator).post(
        _url("report_create"), _intake(category, contact_name="", address_text="Via X 1")
    )

    assert response.status_code == 200
    assert "contact_name" in response.context["form"].errors
    assert not Report.objects.exists()


def test_report_create_lists_matching_residents_when_searched(
    login, operator, lab, other_lab
) -> None:
    mine = ResidentFactory(lab=lab, last_name="Rossi", first_name="Mario")
    ResidentFactory(lab=other_lab, last_name="Rossi", first_name="Luca")

    response = login(operator).get(_url("report_create") + "?q=rossi")

    content = response.content.decode()
    assert f'href="?resident={mine.pk}"' in content
    assert "Luca" not in content


def test_report_create_shows_chosen_resident_with_codice_fiscale(login, operator, lab) -> None:
    resident = ResidentFactory(lab=lab, last_name="Bianchi", first_name="Giulia")

    response = login(operator).get(_url("report_create") + f"?resident={resident.pk}")

    assert response.context["resident"] == resident
    assert resident.codice_fiscale in response.content.decode()
    assert response.context["form"]["resident"].value() == resident.pk


def test_report_create_ignores_resident_of_another_lab_when_chosen_by_id(
    login, operator, other_lab
) -> None:
    stranger = ResidentFactory(lab=other_lab, last_name="Segreto")

    response = login(operator).get(_url("report_create") + f"?resident={stranger.pk}")

    assert response.context["resident"] is None
    assert "Segreto" not in response.content.decode()


# --- Intake: what ---------------------------------------------------------------------------


def test_report_create_shows_category_questions_when_continue_pressed(
    login, operator, category
) -> None:
    CategoryAttributeFactory(
        category=category, code="floor", description_en="Which floor is it stuck at?"
    )

    response = login(operator).post(
        _url("report_create"),
        _intake(category, save=None, refresh="category", description="", contact_name=""),
    )

    assert response.status_code == 200
    assert "attr_floor" in response.context["form"].fields
    assert not response.context["form"].errors
    assert not Report.objects.exists()


def test_report_create_places_required_question_error_on_its_field_when_unanswered(
    login, operator, category
) -> None:
    CategoryAttributeFactory(category=category, code="floor", is_required=True)

    response = login(operator).post(
        _url("report_create"), _intake(category, address_text="Via X 1")
    )

    form = response.context["form"]
    assert list(form.errors) == ["attr_floor"]
    assert 'id="id_attr_floor_error"' in response.content.decode()
    assert not Report.objects.exists()


def test_report_create_saves_answers_by_question_code_when_answered(
    login, operator, category
) -> None:
    CategoryAttributeFactory(
        category=category,
        code="floors",
        datatype=AttributeDatatype.MULTIVALUELIST,
        values=[{"key": "1", "name": "Primo"}, {"key": "2", "name": "Secondo"}],
    )
    CategoryAttributeFactory(category=category, code="people", datatype=AttributeDatatype.NUMBER)

    login(operator).post(
        _url("report_create"),
        _intake(category, address_text="Via X 1", attr_floors=["1", "2"], attr_people="3"),
    )

    assert Report.objects.get().attributes == {"floors": ["1", "2"], "people": "3"}


def test_intake_form_places_service_question_error_on_its_field() -> None:
    category = SimpleNamespace(
        attributes=SimpleNamespace(
            all=lambda: [
                SimpleNamespace(
                    code="floor",
                    description="Floor?",
                    is_required=False,
                    datatype=AttributeDatatype.STRING,
                    values=[],
                )
            ]
        )
    )
    form = ReportIntakeForm(
        {"category": "1"}, categories=[], buildings=[], category=category, resident=None
    )
    form.is_valid()

    form.apply_errors(
        ApplicationError("bad", fields={"attribute[floor]": ["Enter a floor."], "x": ["?"]})
    )

    assert form.errors["attr_floor"] == ["Enter a floor."]


def test_intake_form_shows_resident_error_on_top_of_the_form() -> None:
    form = ReportIntakeForm({}, categories=[], buildings=[], resident=None)
    form.is_valid()

    form.apply_errors(ApplicationError("Not followed here.", fields={"resident": ["x"]}))

    assert form.non_field_errors() == ["Not followed here."]


# --- Intake: where --------------------------------------------------------------------------


def test_report_create_lists_stairs_and_units_when_building_continued(
    login, operator, category, place
) -> None:
    response = login(operator).post(
        _url("report_create"),
        _intake(category, save=None, refresh="building", building=place.building.pk),
    )

    form = response.context["form"]
    assert (place.entrance.pk, "A") in form.fields["entrance"].choices
    assert place.unit.pk in [value for value, _label in form.fields["unit"].choices]


def test_report_create_records_unit_with_its_stair_and_building(
    login, operator, category, place
) -> None:
    response = login(operator).post(
        _url("report_create"),
        _intake(
            category,
            building=place.building.pk,
            entrance=place.entrance.pk,
            unit=place.unit.pk,
        ),
    )

    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.building, report.entrance, report.unit) == (
        place.building,
        place.entrance,
        place.unit,
    )


def test_report_create_records_map_point_when_coordinates_given(login, operator, category) -> None:
    login(operator).post(
        _url("report_create"), _intake(category, latitude="45.448312", longitude="9.118411")
    )

    report = Report.objects.get()
    assert (str(report.latitude), str(report.longitude)) == ("45.448312", "9.118411")


def test_report_create_refuses_building_of_another_district(
    login, operator, category, other_lab
) -> None:
    elsewhere = BuildingFactory(district=other_lab.district)

    response = login(operator).post(_url("report_create"), _intake(category, building=elsewhere.pk))

    assert response.status_code == 200
    assert "building" in response.context["form"].errors
    assert not Report.objects.exists()


def test_report_create_asks_where_when_no_location_given(login, operator, category) -> None:
    response = login(operator).post(_url("report_create"), _intake(category))

    assert "address_text" in response.context["form"].errors
    assert not Report.objects.exists()


# --- Intake: duplicates ---------------------------------------------------------------------


def test_report_create_refuses_save_when_duplicate_not_confirmed(
    login, operator, category, place
) -> None:
    existing = ReportFactory(category=category, building=place.building)

    response = login(operator).post(
        _url("report_create"), _intake(category, building=place.building.pk)
    )

    assert response.status_code == 200
    assert "confirm_different" in response.context["form"].errors
    content = response.content.decode()
    assert 'data-testid="duplicate-warning"' in content
    assert existing.tracking_code in content
    assert Report.objects.count() == 1


def test_report_create_saves_when_duplicate_confirmed(login, operator, category, place) -> None:
    ReportFactory(category=category, building=place.building)

    response = login(operator).post(
        _url("report_create"),
        _intake(category, building=place.building.pk, confirm_different="on"),
    )

    assert response.status_code == 302
    assert Report.objects.count() == 2


def test_report_create_warns_of_no_duplicate_when_existing_report_closed(
    login, operator, category, place
) -> None:
    ReportFactory(category=category, building=place.building, status=ReportStatus.CLOSED)

    response = login(operator).post(
        _url("report_create"), _intake(category, building=place.building.pk)
    )

    assert response.status_code == 302


# --- Intake: files --------------------------------------------------------------------------


def test_report_create_attaches_photo_when_valid(login, operator, category) -> None:
    response = login(operator).post(
        _url("report_create"), _intake(category, address_text="Via X 1", attachments=[_png()])
    )

    assert response.status_code == 302
    attachment = Report.objects.get().attachments.get()
    assert attachment.content_type == "image/png"


def test_report_create_keeps_other_fields_when_upload_too_big(login, operator, category) -> None:
    big = SimpleUploadedFile("huge.jpg", b"\xff" * (10 * 1024 * 1024 + 1), "image/jpeg")

    response = login(operator).post(
        _url("report_create"),
        _intake(category, address_text="Via Segneri 3", attachments=[big]),
    )

    form = response.context["form"]
    assert list(form.errors) == ["attachments"]
    assert "huge.jpg" in form.errors["attachments"][0]
    content = response.content.decode()
    assert "Via Segneri 3" in content
    assert "L&#x27;ascensore della scala A" in content
    assert not Report.objects.exists()


def test_report_create_keeps_other_fields_when_upload_of_wrong_type(
    login, operator, category
) -> None:
    text = SimpleUploadedFile("notes.txt", b"just text", "text/plain")

    response = login(operator).post(
        _url("report_create"),
        _intake(category, address_text="Via Segneri 3", attachments=[_png(), text]),
    )

    form = response.context["form"]
    assert list(form.errors) == ["attachments"]
    assert "notes.txt" in form.errors["attachments"][0]
    assert form["address_text"].value() == "Via Segneri 3"
    assert not Report.objects.exists()


# --- Intake: permissions --------------------------------------------------------------------


def test_report_create_redirects_anonymous_to_login(client) -> None:
    response = client.get(_url("report_create"))

    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.REGION_OFFICIAL, Role.HOUSING_STAFF])
def test_report_create_refuses_roles_without_intake(login, make_user, lab, role) -> None:
    user = make_user(role, lab)

    assert login(user).get(_url("report_create")).status_code == 403


def test_report_create_refuses_category_of_another_lab(login, other_operator, category) -> None:
    response = login(other_operator).post(
        _url("report_create"), _intake(category, address_text="Via X 1")
    )

    assert response.status_code == 200
    assert "category" in response.context["form"].errors
    assert not Report.objects.exists()


# --- Categories -----------------------------------------------------------------------------


def _category_data(**fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "code": "lab-a-heating",
        "group": "Manutenzione",
        "name_it": "Riscaldamento",
        "name_en": "Heating",
        "description_it": "Termosifoni freddi, caldaia guasta",
        "description_en": "",
        "responsible_organisation": "",
        "acknowledge_days": "2",
        "resolve_days": "15",
        "is_public": "on",
        "is_active": "on",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def test_category_list_shows_only_current_lab_categories(
    login, operator, category, other_lab
) -> None:
    CategoryFactory(lab=other_lab, name_it="Segreta")

    response = login(operator).get(_url("category_list"))

    assert list(response.context["categories"]) == [category]


def test_category_create_saves_category_in_current_lab(login, coordinator, lab) -> None:
    organisation = lab.lead_organisation

    response = login(coordinator).post(
        _url("category_create"), _category_data(responsible_organisation=organisation.pk)
    )

    category = Category.objects.get(code="lab-a-heating")
    assert response.status_code == 302
    assert response["Location"] == _url("category_edit", category.pk)
    assert category.lab == lab
    assert category.responsible_organisation == organisation
    assert (category.acknowledge_days, category.resolve_days) == (2, 15)


def test_category_create_shows_error_on_code_when_code_taken(login, coordinator, other_lab) -> None:
    CategoryFactory(lab=other_lab, code="lab-a-heating")

    response = login(coordinator).post(_url("category_create"), _category_data())

    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert Category.objects.count() == 1


def test_category_create_shows_error_when_resolve_days_below_acknowledge_days(
    login, coordinator
) -> None:
    response = login(coordinator).post(
        _url("category_create"), _category_data(acknowledge_days="10", resolve_days="5")
    )

    assert response.context["form"].errors["resolve_days"]


def test_category_create_refuses_operator(login, operator) -> None:
    assert login(operator).get(_url("category_create")).status_code == 403


def test_category_edit_saves_changes(login, coordinator, category) -> None:
    response = login(coordinator).post(
        _url("category_edit", category.pk),
        _category_data(code=category.code, name_it="Ascensori", is_active=None),
    )

    category.refresh_from_db()
    assert response.status_code == 302
    assert category.name_it == "Ascensori"
    assert category.is_active is False


def test_category_edit_shows_error_on_code_when_code_taken(
    login, coordinator, category, lab
) -> None:
    CategoryFactory(lab=lab, code="taken")

    response = login(coordinator).post(
        _url("category_edit", category.pk), _category_data(code="taken")
    )

    assert response.context["form"].errors["code"]


def test_category_edit_hides_category_of_another_lab(login, coordinator, other_lab) -> None:
    foreign = CategoryFactory(lab=other_lab)

    assert login(coordinator).get(_url("category_edit", foreign.pk)).status_code == 404


def test_category_attribute_create_saves_choices_entered_one_per_line(
    login, coordinator, category
) -> None:
    response = login(coordinator).post(
        _url("category_attribute_create", category.pk),
        {
            "code": "stuck",
            "description_it": "Ci sono persone bloccate?",
            "description_en": "Is anyone stuck?",
            "datatype": AttributeDatatype.SINGLEVALUELIST,
            "values": "y|Sì\nNo\n",
            "is_required": "on",
            "order": "1",
        },
    )

    assert response.status_code == 302
    attribute = category.attributes.get()
    assert attribute.values == [{"key": "y", "name": "Sì"}, {"key": "no", "name": "No"}]
    assert attribute.is_required


def test_category_attribute_create_shows_error_when_list_has_no_choices(
    login, coordinator, category
) -> None:
    response = login(coordinator).post(
        _url("category_attribute_create", category.pk),
        {
            "code": "stuck",
            "description_it": "Bloccati?",
            "description_en": "Stuck?",
            "datatype": AttributeDatatype.MULTIVALUELIST,
            "values": "",
            "order": "1",
        },
    )

    assert response.context["form"].errors["values"]
    assert not CategoryAttribute.objects.exists()


def test_category_attribute_edit_shows_choices_as_lines(login, coordinator, category) -> None:
    attribute = CategoryAttributeFactory(
        category=category,
        datatype=AttributeDatatype.SINGLEVALUELIST,
        values=[{"key": "1", "name": "Sì"}],
    )

    response = login(coordinator).get(_url("category_attribute_edit", category.pk, attribute.pk))

    assert response.context["form"]["values"].value() == "1|Sì"


def test_category_attribute_delete_removes_question(login, coordinator, category) -> None:
    attribute = CategoryAttributeFactory(category=category)

    response = login(coordinator).post(_url("category_attribute_delete", category.pk, attribute.pk))

    assert response.status_code == 302
    assert not CategoryAttribute.objects.exists()


def test_parse_choices_refuses_a_key_used_twice() -> None:
    from django import forms

    with pytest.raises(forms.ValidationError):
        parse_choices("a|One\na|Two")


# --- Report settings ------------------------------------------------------------------------


def test_policy_edit_saves_province_and_reopen_window(login, coordinator, lab) -> None:
    response = login(coordinator).post(
        _url("policy"), {"holiday_subdivision": "to", "reopen_days": "30"}
    )

    policy = ReportPolicy.objects.get(lab=lab)
    assert response.status_code == 302
    assert (policy.holiday_subdivision, policy.reopen_days) == ("TO", 30)


def test_policy_edit_shows_error_on_province_when_unknown(login, coordinator, lab) -> None:
    response = login(coordinator).post(
        _url("policy"), {"holiday_subdivision": "XX", "reopen_days": "15"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["holiday_subdivision"]
    assert not ReportPolicy.objects.filter(lab=lab, holiday_subdivision="XX").exists()


def test_policy_edit_lists_holidays_left_this_year_with_the_patron_saint(
    login, coordinator
) -> None:
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=ROME), tick=False):
        response = login(coordinator).get(_url("policy"))

    days = [h["day"] for h in response.context["holidays"]]
    assert days == [
        dt.date(2026, 12, 7),  # Sant'Ambrogio, Milan's default
        dt.date(2026, 12, 8),
        dt.date(2026, 12, 25),
        dt.date(2026, 12, 26),
    ]
    assert [h["is_weekday"] for h in response.context["holidays"]] == [True, True, True, False]


def test_policy_edit_refuses_operator(login, operator) -> None:
    assert login(operator).get(_url("policy")).status_code == 403
