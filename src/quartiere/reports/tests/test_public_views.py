"""Public report pages: the web form, the tracking page, the public list and map."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from quartiere.accounts.enums import LabStatus
from quartiere.accounts.tests.factories import LabFactory
from quartiere.reports import public_views, selectors, services
from quartiere.reports.enums import (
    AttributeDatatype,
    CommentVisibility,
    ReportChannel,
    ReportStatus,
)
from quartiere.reports.models import Notification, Report, ReportFollower
from quartiere.reports.tests.factories import (
    CategoryAttributeFactory,
    CategoryFactory,
    ReportFactory,
)
from quartiere.territory.tests.factories import BuildingFactory, EntranceFactory, UnitFactory

pytestmark = pytest.mark.django_db

CREATE = reverse("reports_public:create")


@pytest.fixture
def category(lab):
    return CategoryFactory(lab=lab, name_it="Ascensore", description_it="Guasti degli ascensori")


@pytest.fixture
def building(lab):
    return BuildingFactory(
        district=lab.district,
        street="Via Segneri",
        number="3",
        latitude=Decimal("45.450000"),
        longitude=Decimal("9.140000"),
    )


def _form(lab, category, **extra):
    data = {
        "step": "submit",
        "lab": lab.slug,
        "category": category.code,
        "description": "L'ascensore della scala B è fermo da tre giorni.",
        "address_text": "Via Segneri 3",
        "contact_name": "Mario Rossi",
        "contact_email": "mario.rossi@example.org",
        "contact_phone": "",
        "wants_updates": "on",
        "privacy": "on",
        "website": "",
    }
    data.update(extra)
    return data


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return out.getvalue()


def _submit_service(lab, category, **kw):
    defaults = {
        "lab": lab,
        "category": category,
        "description": "Muffa segreta in camera da letto",
        "channel": ReportChannel.WEB,
        "contact_name": "Giulia Riservata",
        "contact_email": "giulia.riservata@example.org",
        "contact_phone": "+39 333 1234567",
    }
    defaults.update(kw)
    return services.report_submit(**defaults)


def _resolved(lab, category, operator, **kw):
    report = _submit_service(lab, category, address_text="Via Segneri 3", **kw)
    services.report_acknowledge(report=report, actor=operator)
    return services.report_resolve(report=report, actor=operator, resolution="Riparato")


# --- The web form ---------------------------------------------------------------------------


def test_create_records_web_report_and_queues_receipt_when_form_is_complete(
    client, lab, category, building, django_capture_on_commit_callbacks
):
    stair = EntranceFactory(building=building, name="B")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CREATE, _form(lab, category, building=building.pk, entrance=stair.pk, address_text="")
        )

    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports_public:submitted")
    assert report.channel == ReportChannel.WEB
    assert (report.building, report.entrance) == (building, stair)
    assert report.contact_email == "mario.rossi@example.org"
    assert ReportFollower.objects.filter(report=report, email="mario.rossi@example.org").exists()
    assert Notification.objects.filter(report=report, recipient="mario.rossi@example.org").exists()
    assert report.tracking_code in mail.outbox[0].body


def test_submitted_shows_tracking_code_and_link_when_report_was_just_sent(client, lab, category):
    client.post(CREATE, _form(lab, category))
    report = Report.objects.get()

    response = client.get(reverse("reports_public:submitted"))

    content = response.content.decode()
    assert report.tracking_code in content
    assert reverse("reports_public:track", args=[report.tracking_code]) in content


def test_submitted_redirects_to_form_when_nothing_was_sent(client) -> None:
    response = client.get(reverse("reports_public:submitted"))

    assert response.status_code == 302
    assert response["Location"] == CREATE


def test_create_records_language_of_the_page_when_visitor_reads_english(client, lab, category):
    client.post(CREATE, _form(lab, category), HTTP_ACCEPT_LANGUAGE="en")

    assert Report.objects.get().language == "en"


def test_create_uses_account_email_when_user_is_logged_in(login, make_user, lab, category):
    user = make_user(None, username="abitante", email="abitante@example.org")

    login(user).post(CREATE, _form(lab, category, contact_email="", contact_name=""))

    report = Report.objects.get()
    assert report.contact_email == "abitante@example.org"
    assert report.submitted_by == user


def test_create_refuses_with_field_error_when_anonymous_gives_no_email_or_phone(
    client, lab, category
):
    response = client.post(CREATE, _form(lab, category, contact_email="", contact_phone=""))

    assert response.status_code == 400
    assert "contact_email" in response.context["form"].errors
    assert 'id="id_contact_email_error"' in response.content.decode()
    assert not Report.objects.exists()


def test_create_accepts_phone_only_when_anonymous_has_no_email(client, lab, category):
    client.post(CREATE, _form(lab, category, contact_email="", contact_phone="02 1234567"))

    report = Report.objects.get()
    assert report.contact_phone == "02 1234567"
    assert not ReportFollower.objects.exists()


def test_create_refuses_when_privacy_notice_is_not_acknowledged(client, lab, category):
    data = _form(lab, category)
    del data["privacy"]

    response = client.post(CREATE, data)

    assert "privacy" in response.context["form"].errors
    assert not Report.objects.exists()


def test_create_saves_nothing_when_honeypot_field_is_filled(client, lab, category):
    response = client.post(CREATE, _form(lab, category, website="http://spam.example"))

    assert response.status_code == 400
    assert not Report.objects.exists()


def test_create_refuses_with_429_when_rate_limit_is_reached(client, lab, category):
    for _ in range(public_views.RATE_LIMIT):
        assert client.post(CREATE, _form(lab, category)).status_code == 302

    response = client.post(CREATE, _form(lab, category, description="Ancora uno"))

    assert response.status_code == 429
    assert 'data-testid="rate-limited"' in response.content.decode()
    assert "Ancora uno" in response.content.decode()
    assert Report.objects.count() == public_views.RATE_LIMIT


def test_create_counts_the_limit_per_address_when_another_address_submits(client, lab, category):
    for _ in range(public_views.RATE_LIMIT):
        client.post(CREATE, _form(lab, category))

    response = client.post(CREATE, _form(lab, category), REMOTE_ADDR="10.9.8.7")

    assert response.status_code == 302


def test_create_keeps_input_and_shows_field_error_when_file_is_not_a_photo_or_pdf(
    client, lab, category
):
    bad = SimpleUploadedFile("note.txt", b"just text", content_type="text/plain")

    response = client.post(
        CREATE, _form(lab, category, description="Perdita d'acqua in cantina", attachments=[bad])
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert "note.txt" in " ".join(response.context["form"].errors["attachments"])
    assert "Perdita d&#x27;acqua in cantina" in content
    assert 'value="mario.rossi@example.org"' in content
    assert not Report.objects.exists()


def test_create_shows_field_error_when_file_is_too_big(client, lab, category, monkeypatch):
    monkeypatch.setattr("quartiere.reports.form_fields.MAX_BYTES", 10)
    big = SimpleUploadedFile("foto.png", _png(), content_type="image/png")

    response = client.post(CREATE, _form(lab, category, attachments=[big]))

    assert "foto.png" in " ".join(response.context["form"].errors["attachments"])
    assert not Report.objects.exists()


def test_create_stores_photo_when_file_is_a_png(client, lab, category, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photo = SimpleUploadedFile("foto.png", _png(), content_type="image/png")

    client.post(CREATE, _form(lab, category, attachments=[photo]))

    attachment = Report.objects.get().attachments.get()
    assert attachment.content_type == "image/png"


def test_create_shows_location_error_when_no_place_is_given(client, lab, category):
    response = client.post(CREATE, _form(lab, category, address_text=""))

    assert response.status_code == 400
    assert response.context["form"].location_errors
    assert 'data-testid="location-error"' in response.content.decode()


def test_create_saves_map_point_when_coordinates_are_given(client, lab, category):
    client.post(
        CREATE, _form(lab, category, address_text="", latitude="45.4612341", longitude="9.12")
    )

    report = Report.objects.get()
    assert (report.latitude, report.longitude) == (Decimal("45.461234"), Decimal("9.120000"))


def test_create_refuses_building_when_it_is_in_another_district(client, lab, category):
    elsewhere = BuildingFactory()

    response = client.post(CREATE, _form(lab, category, building=elsewhere.pk))

    assert "building" in response.context["form"].errors
    assert not Report.objects.exists()


def test_create_preselects_lab_and_lists_its_categories_when_lab_is_in_query(
    client, lab, other_lab, category
):
    CategoryFactory(lab=other_lab, name_it="Categoria di altri")

    response = client.get(CREATE, {"lab": lab.slug})

    content = response.content.decode()
    assert response.context["lab"] == lab
    assert "Ascensore" in content
    assert "Guasti degli ascensori" in content
    assert "Categoria di altri" not in content


def test_create_shows_category_questions_without_errors_when_continue_is_pressed(
    client, lab, category
):
    CategoryAttributeFactory(category=category, code="giorni", is_required=True)

    response = client.post(
        CREATE, {"step": "refresh", "lab": lab.slug, "category": category.code, "description": "x"}
    )

    form = response.context["form"]
    assert response.status_code == 200
    assert "attribute[giorni]" in form.fields
    assert not form.is_bound
    assert 'data-testid="form-errors"' not in response.content.decode()
    assert "x</textarea>" in response.content.decode()


def test_create_lists_stairs_of_chosen_building_when_continue_is_pressed(
    client, lab, category, building
):
    EntranceFactory(building=building, name="Scala Z")
    UnitFactory(building=building, code="INT-99")

    response = client.post(
        CREATE,
        {"step": "refresh", "lab": lab.slug, "category": category.code, "building": building.pk},
    )

    content = response.content.decode()
    assert "Scala Z" in content
    assert "INT-99" not in content


def test_create_saves_answers_when_category_has_extra_questions(client, lab, category):
    CategoryAttributeFactory(
        category=category,
        code="piano",
        datatype=AttributeDatatype.SINGLEVALUELIST,
        values=[{"key": "1", "name": "Primo"}, {"key": "2", "name": "Secondo"}],
        is_required=True,
    )

    client.post(CREATE, _form(lab, category, **{"attribute[piano]": "2"}))

    assert Report.objects.get().attributes == {"piano": "2"}


def test_create_shows_field_error_when_required_question_is_unanswered(client, lab, category):
    CategoryAttributeFactory(category=category, code="giorni", is_required=True)

    response = client.post(CREATE, _form(lab, category))

    assert "attribute[giorni]" in response.context["form"].errors
    assert not Report.objects.exists()


# --- Tracking -------------------------------------------------------------------------------


def test_track_shows_history_and_public_comments_but_no_personal_data(
    client, lab, category, building, make_user
):
    staff = make_user(
        "lab_operator", lab, username="gianna.staff", first_name="Gianna", last_name="Operatrice"
    )
    unit = UnitFactory(building=building, code="INT-42")
    report = _submit_service(lab, category, unit=unit)
    services.report_acknowledge(report=report, actor=staff, note="Presa in carico dal laboratorio")
    services.report_comment_add(
        report=report,
        actor=staff,
        body="Il tecnico passa giovedì",
        visibility=CommentVisibility.PUBLIC,
    )
    services.report_comment_add(
        report=report,
        actor=staff,
        body="Nota interna riservata",
        visibility=CommentVisibility.INTERNAL,
    )

    response = client.get(reverse("reports_public:track", args=[report.tracking_code]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Presa in carico dal laboratorio" in content
    assert "Il tecnico passa giovedì" in content
    assert "Via Segneri 3" in content
    for secret in [
        "Muffa segreta",
        "giulia.riservata@example.org",
        "Giulia Riservata",
        "1234567",
        "Nota interna riservata",
        "Gianna",
        "Operatrice",
        "gianna.staff",
        "INT-42",
    ]:
        assert secret not in content, secret


def test_track_answers_404_with_message_when_code_is_unknown(client) -> None:
    response = client.get(reverse("reports_public:track", args=["SG-ZZZZ-9999"]))

    assert response.status_code == 404
    assert 'data-testid="not-found"' in response.content.decode()


def test_track_lookup_redirects_to_report_when_code_is_typed_loosely(client, lab, category):
    report = _submit_service(lab, category, address_text="Via Segneri 3")
    loose = report.tracking_code.replace("-", " ").lower()

    response = client.get(reverse("reports_public:track_lookup"), {"code": loose})

    assert response.status_code == 302
    assert response["Location"] == reverse("reports_public:track", args=[report.tracking_code])


def test_track_lookup_shows_field_error_when_code_is_unknown(client, lab) -> None:
    response = client.get(reverse("reports_public:track_lookup"), {"code": "SG-ZZZZ-9999"})

    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert response.context["not_found"] is True


def test_track_links_to_target_when_report_was_merged(client, lab, category, operator):
    target = _submit_service(lab, category, address_text="Via Segneri 3")
    duplicate = _submit_service(lab, category, address_text="Via Segneri 3")
    services.report_merge(report=duplicate, actor=operator, into=target)

    response = client.get(reverse("reports_public:track", args=[duplicate.tracking_code]))

    content = response.content.decode()
    assert 'data-testid="merged-link"' in content
    assert reverse("reports_public:track", args=[target.tracking_code]) in content


def test_track_offers_reopen_form_when_resolved_within_window(client, lab, category, operator):
    report = _resolved(lab, category, operator)

    response = client.get(reverse("reports_public:track", args=[report.tracking_code]))

    assert 'data-testid="reopen-form"' in response.content.decode()


def test_track_explains_why_not_when_reopen_window_has_passed(client, lab, category, operator):
    report = _resolved(lab, category, operator)

    with time_machine.travel(timezone.now() + dt.timedelta(days=40)):
        response = client.get(reverse("reports_public:track", args=[report.tracking_code]))

    content = response.content.decode()
    assert 'data-testid="reopen-closed"' in content
    assert 'data-testid="reopen-form"' not in content


def test_track_hides_reopen_section_when_report_is_open(client, lab, category) -> None:
    report = _submit_service(lab, category, address_text="Via Segneri 3")

    response = client.get(reverse("reports_public:track", args=[report.tracking_code]))

    assert 'data-testid="reopen-section"' not in response.content.decode()


def test_reopen_reopens_report_when_within_window(client, lab, category, operator):
    report = _resolved(lab, category, operator)

    response = client.post(
        reverse("reports_public:reopen", args=[report.tracking_code]),
        {"reason": "Si è rotto di nuovo"},
    )

    report.refresh_from_db()
    assert response.status_code == 302
    assert report.status == ReportStatus.REOPENED
    assert report.status_changes.last().note == "Si è rotto di nuovo"


def test_reopen_changes_nothing_when_window_has_passed(client, lab, category, operator):
    report = _resolved(lab, category, operator)

    with time_machine.travel(timezone.now() + dt.timedelta(days=40)):
        response = client.post(
            reverse("reports_public:reopen", args=[report.tracking_code]),
            {"reason": "Si è rotto di nuovo"},
        )

    report.refresh_from_db()
    assert response.status_code == 400
    assert report.status == ReportStatus.RESOLVED
    assert report.status_changes.count() == 3


def test_reopen_changes_nothing_when_report_is_not_resolved(client, lab, category):
    report = _submit_service(lab, category, address_text="Via Segneri 3")

    response = client.post(
        reverse("reports_public:reopen", args=[report.tracking_code]), {"reason": "Perché sì"}
    )

    report.refresh_from_db()
    assert response.status_code == 400
    assert report.status == ReportStatus.SUBMITTED
    assert "cannot become" in response.content.decode() or "non può" in response.content.decode()


def test_reopen_shows_field_error_when_reason_is_empty(client, lab, category, operator):
    report = _resolved(lab, category, operator)

    response = client.post(
        reverse("reports_public:reopen", args=[report.tracking_code]), {"reason": ""}
    )

    report.refresh_from_db()
    assert response.status_code == 400
    assert "reason" in response.context["reopen_form"].errors
    assert report.status == ReportStatus.RESOLVED


# --- The public list and map ----------------------------------------------------------------


@pytest.fixture
def dataset(lab, other_lab, building):
    """Two buildings of lab A, a report elsewhere, a private category and old resolutions."""
    now = timezone.now()
    lift = CategoryFactory(lab=lab, name_it="Ascensore")
    light = CategoryFactory(lab=lab, name_it="Illuminazione")
    private = CategoryFactory(lab=lab, name_it="Conflitti di vicinato", is_public=False)
    second = BuildingFactory(district=lab.district, street="Via Manzano", number="4")
    ReportFactory(category=lift, building=building)
    ReportFactory(category=lift, building=building, status=ReportStatus.IN_PROGRESS)
    ReportFactory(category=light, building=building, status=ReportStatus.REOPENED)
    ReportFactory(
        category=lift,
        building=building,
        status=ReportStatus.CLOSED,
        resolved_at=now - dt.timedelta(days=30),
    )
    ReportFactory(  # resolved too long ago: not counted
        category=lift,
        building=building,
        status=ReportStatus.CLOSED,
        resolved_at=now - dt.timedelta(days=400),
    )
    ReportFactory(category=lift, building=building, status=ReportStatus.REJECTED)
    ReportFactory(category=private, building=building)
    ReportFactory(category=private, building=second)
    ReportFactory(
        category=light,
        building=second,
        status=ReportStatus.RESOLVED,
        resolved_at=now - dt.timedelta(days=2),
    )
    ReportFactory(category=light, building=None, address_text="Giardino di via Odazio")
    other = CategoryFactory(lab=other_lab, name_it="Pulizie")
    ReportFactory(category=other, building=BuildingFactory(district=other_lab.district))
    return {"lift": lift, "light": light, "private": private, "second": second, "other": other}


def _by_address(summary):
    return {b["address"]: b for b in summary["buildings"]}


def test_public_summary_counts_open_and_resolved_per_building_when_dataset_is_small(
    dataset, building
):
    summary = selectors.public_report_building_summary()

    rows = _by_address(summary)
    first = rows["Via Segneri 3"]
    assert (first["open_count"], first["resolved_count"]) == (3, 1)
    assert {c["name"]: (c["open_count"], c["resolved_count"]) for c in first["categories"]} == {
        "Ascensore": (2, 1),
        "Illuminazione": (1, 0),
    }
    assert (rows["Via Manzano 4"]["open_count"], rows["Via Manzano 4"]["resolved_count"]) == (0, 1)
    assert summary["totals"] == {"open_count": 5, "resolved_count": 2}


def test_public_summary_counts_reports_without_building_as_elsewhere_per_lab(dataset, lab):
    summary = selectors.public_report_building_summary(lab_id=lab.pk)

    assert [(e["lab_name"], e["open_count"]) for e in summary["elsewhere"]] == [(lab.name, 1)]


def test_public_summary_filters_by_category_when_asked(dataset, building):
    summary = selectors.public_report_building_summary(category_id=dataset["light"].pk)

    rows = _by_address(summary)
    assert rows["Via Segneri 3"]["open_count"] == 1
    assert summary["totals"] == {"open_count": 2, "resolved_count": 1}


def test_public_summary_counts_only_the_given_buildings_when_asked(dataset, building):
    summary = selectors.public_report_building_summary(building_ids={dataset["second"].pk})

    assert list(_by_address(summary)) == ["Via Manzano 4"]
    assert summary["elsewhere"] == []
    assert summary["totals"] == {"open_count": 0, "resolved_count": 1}


def test_public_summary_leaves_out_closed_labs_when_a_lab_closes(dataset, other_lab):
    other_lab.status = LabStatus.CLOSED
    other_lab.save()

    summary = selectors.public_report_building_summary()

    assert all(b["lab_name"] != other_lab.name for b in summary["buildings"])


def test_list_shows_counts_per_building_and_elsewhere_when_anonymous(client, dataset, lab):
    response = client.get(reverse("reports_public:list"), {"lab": lab.slug})

    content = response.content.decode()
    assert response.status_code == 200
    assert "Via Segneri 3" in content
    assert 'data-testid="elsewhere-table"' in content
    assert reverse("reports_public:map") + f"?lab={lab.slug}" in content


def test_list_never_shows_private_categories_or_report_text(client, dataset):
    content = client.get(reverse("reports_public:list")).content.decode()

    assert "Conflitti di vicinato" not in content
    assert "fermo da tre giorni" not in content
    assert "Giardino di via Odazio" not in content


def test_list_filters_by_lab_and_category_when_chosen(client, dataset, lab, other_lab):
    response = client.get(
        reverse("reports_public:list"), {"lab": other_lab.slug, "category": dataset["other"].code}
    )

    summary = response.context["summary"]
    assert summary["totals"] == {"open_count": 1, "resolved_count": 0}
    assert "Via Segneri 3" not in response.content.decode()


def test_list_runs_the_same_queries_when_data_grows(
    client, lab, category, building, django_assert_num_queries
):
    ReportFactory(category=category, building=building)
    cache.clear()
    with django_assert_num_queries(3):
        client.get(reverse("reports_public:list"))

    for n in range(15):
        ReportFactory(
            category=CategoryFactory(lab=lab),
            building=BuildingFactory(district=lab.district, number=str(100 + n)),
        )
    cache.clear()
    with django_assert_num_queries(3):
        client.get(reverse("reports_public:list"))


def test_map_gives_one_point_per_building_with_coordinates(client, dataset, building):
    response = client.get(reverse("reports_public:map"))

    content = response.content.decode()
    points = response.context["points"]
    assert [(p["label"], p["open"], p["resolved"]) for p in points] == [("Via Segneri 3", 3, 1)]
    assert "Conflitti di vicinato" not in json.dumps(points)
    assert 'data-testid="list-link"' in content
    assert 'id="report-points"' in content


# --- Portal links and the public marker -----------------------------------------------------


def test_home_links_to_report_pages_when_anonymous(client) -> None:
    content = client.get(reverse("portal:home")).content.decode()

    for name in ["reports_public:create", "reports_public:track_lookup", "reports_public:list"]:
        assert reverse(name) in content


def test_lab_detail_links_to_form_with_lab_preselected(client, lab) -> None:
    content = client.get(reverse("portal:lab_detail", args=[lab.slug])).content.decode()

    assert f"{CREATE}?lab={lab.slug}" in content


@pytest.mark.parametrize(
    "view",
    [
        public_views.create,
        public_views.submitted,
        public_views.track,
        public_views.track_lookup,
        public_views.reopen,
        public_views.report_list,
        public_views.report_map,
    ],
)
def test_public_view_carries_public_marker(view) -> None:
    assert getattr(view, "quartiere_public", False) is True


def test_create_hides_closed_labs_when_listing_labs(client, lab) -> None:
    LabFactory(name="Laboratorio Chiuso", slug="chiuso", status=LabStatus.CLOSED)

    content = client.get(CREATE).content.decode()

    assert "Laboratorio Chiuso" not in content


# --- Duplicate warning ----------------------------------------------------------------------


def test_create_lists_open_reports_in_the_building_and_saves_nothing_until_confirmed(
    client, lab, category, building
):
    existing = _submit_service(lab, category, building=building)

    response = client.post(CREATE, _form(lab, category, building=building.pk, address_text=""))

    assert response.status_code == 200
    assert Report.objects.count() == 1
    content = response.content.decode()
    assert 'data-testid="duplicates"' in content
    assert existing.tracking_code in content
    assert "Muffa segreta" not in content  # the other report's description stays private


def test_create_saves_the_report_when_the_person_confirms_it_is_different(
    client, lab, category, building
):
    _submit_service(lab, category, building=building)

    response = client.post(
        CREATE,
        _form(lab, category, building=building.pk, address_text="", confirm_different="on"),
    )

    assert response.status_code == 302
    assert Report.objects.count() == 2


def test_create_gives_no_duplicate_warning_for_a_private_category(client, lab, building):
    private = CategoryFactory(lab=lab, is_public=False, name_it="Conflitti di vicinato")
    _submit_service(lab, private, building=building)

    response = client.post(CREATE, _form(lab, private, building=building.pk, address_text=""))

    assert response.status_code == 302
    assert Report.objects.count() == 2
