from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from quartiere.participation.enums import CommentStatus, ProposalStatus
from quartiere.participation.models import Proposal, Support, WorkshopPhoto
from quartiere.participation.tests.factories import (
    CommentFactory,
    ProcessFactory,
    ProposalFactory,
    SupportFactory,
    WorkshopFactory,
)
from quartiere.people.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


# --- Public pages ---------------------------------------------------------------------------


def test_process_list_is_public(client, process):
    response = client.get(reverse("participation_public:process_list"))
    assert response.status_code == 200
    assert process.title_it in response.content.decode()


def test_draft_process_is_not_public(client, lab):
    draft = ProcessFactory(lab=lab, status="draft")
    response = client.get(reverse("participation_public:process_detail", args=[draft.slug]))
    assert response.status_code == 404


def test_process_page_shows_no_personal_data(client, process):
    resident = ResidentFactory(lab=process.lab, first_name="Zelinda", last_name="Quarantotti")
    ProposalFactory(process=process, author_resident=resident, author_public="Zelinda Q.")
    html = client.get(reverse("participation_public:process_detail", args=[process.slug]))
    text = html.content.decode()
    assert "Zelinda Q." in text
    assert "Quarantotti" not in text


def test_process_page_hides_proposals_awaiting_moderation(client, process):
    ProposalFactory(process=process, status=ProposalStatus.SUBMITTED, title="Segreta")
    text = client.get(
        reverse("participation_public:process_detail", args=[process.slug])
    ).content.decode()
    assert "Segreta" not in text


def test_process_page_sorts_by_supports(client, process):
    low = ProposalFactory(process=process, title="Poco sostenuta")
    high = ProposalFactory(process=process, title="Molto sostenuta")
    for _ in range(2):
        SupportFactory(proposal=high, resident=ResidentFactory(lab=process.lab))
    SupportFactory(proposal=low, resident=ResidentFactory(lab=process.lab))
    text = client.get(
        reverse("participation_public:process_detail", args=[process.slug]), {"sort": "supports"}
    ).content.decode()
    assert text.index("Molto sostenuta") < text.index("Poco sostenuta")


def test_process_page_query_count_does_not_grow_with_proposals(
    client, process, django_assert_max_num_queries
):
    WorkshopFactory(process=process)
    for _ in range(30):
        ProposalFactory(process=process)
    url = reverse("participation_public:process_detail", args=[process.slug])
    client.get(url)
    with django_assert_max_num_queries(9) as ctx:
        client.get(url)
    first = len(ctx.captured_queries)
    for _ in range(30):
        ProposalFactory(process=process)
    with django_assert_max_num_queries(first):
        client.get(url)


def test_proposal_page_hides_hidden_comments(client, proposal):
    CommentFactory(proposal=proposal, status=CommentStatus.APPROVED, body="Visibile")
    CommentFactory(proposal=proposal, status=CommentStatus.HIDDEN, body="Nascosto")
    CommentFactory(proposal=proposal, status=CommentStatus.PENDING, body="In attesa")
    url = reverse("participation_public:proposal_detail", args=[proposal.process.slug, proposal.pk])
    text = client.get(url).content.decode()
    assert "Visibile" in text
    assert "Nascosto" not in text
    assert "In attesa" not in text


def test_support_button_records_a_support(login, verified, proposal):
    client = login(verified)
    url = reverse("participation_public:support", args=[proposal.process.slug, proposal.pk])
    response = client.post(url)
    assert response.status_code == 302
    assert Support.objects.filter(proposal=proposal).count() == 1


def test_second_support_shows_the_refusal(login, verified, proposal):
    client = login(verified)
    url = reverse("participation_public:support", args=[proposal.process.slug, proposal.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert Support.objects.filter(proposal=proposal).count() == 1
    assert response.context["messages"]


def test_support_needs_login(client, proposal):
    url = reverse("participation_public:support", args=[proposal.process.slug, proposal.pk])
    response = client.post(url)
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]
    assert not Support.objects.exists()


def test_proposal_form_creates_a_proposal(login, verified, process):
    client = login(verified)
    url = reverse("participation_public:proposal_create", args=[process.slug])
    response = client.post(url, {"title": "Panchine", "description": "Più panchine " * 5})
    assert response.status_code == 302
    assert Proposal.objects.get().status == ProposalStatus.SUBMITTED


def test_proposal_form_shows_refusal_to_a_resident_of_another_district(
    login, make_user, other_lab, process
):
    from django.utils import timezone

    from quartiere.accounts.enums import Role

    user = make_user(Role.RESIDENT, other_lab, username="far")
    ResidentFactory(lab=other_lab, user=user, verified_at=timezone.now())
    response = login(user).get(reverse("participation_public:proposal_create", args=[process.slug]))
    assert response.status_code == 200
    assert response.context["refusal"]


# --- Back office: permission matrix ---------------------------------------------------------


def _urls(process, proposal):
    return [
        reverse("participation:process_list"),
        reverse("participation:process_detail", args=[process.pk]),
        reverse("participation:proposal_detail", args=[proposal.pk]),
        reverse("participation:moderation"),
        reverse("participation:figures"),
    ]


@pytest.mark.parametrize("who", ["coordinator", "operator"])
def test_lab_staff_open_the_back_office_pages(request, login, who, process, proposal):
    client = login(request.getfixturevalue(who))
    for url in _urls(process, proposal):
        assert client.get(url).status_code == 200, url


def test_anonymous_users_are_sent_to_log_in(client, process, proposal):
    for url in _urls(process, proposal):
        assert client.get(url).status_code == 302, url


def test_residents_are_refused_the_back_office(login, verified, process, proposal):
    client = login(verified)
    for url in _urls(process, proposal):
        assert client.get(url).status_code == 403, url


def test_other_lab_staff_get_404_on_this_lab_process(login, other_operator, process, proposal):
    client = login(other_operator)
    assert client.get(reverse("participation:process_detail", args=[process.pk])).status_code == 404
    assert (
        client.get(reverse("participation:proposal_detail", args=[proposal.pk])).status_code == 404
    )


def test_operator_cannot_create_processes_or_decide(login, operator, proposal):
    client = login(operator)
    assert client.get(reverse("participation:process_create")).status_code == 403
    url = reverse("participation:proposal_decide", args=[proposal.pk])
    assert client.post(url, {"outcome": "accepted", "reason": "ok"}).status_code == 403


def test_coordinator_records_an_outcome(login, coordinator, proposal):
    client = login(coordinator)
    url = reverse("participation:proposal_decide", args=[proposal.pk])
    response = client.post(url, {"outcome": "rejected", "reason": "Troppo costosa."})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED


def test_coordinator_creates_a_process(login, coordinator):
    client = login(coordinator)
    response = client.post(
        reverse("participation:process_create"),
        {
            "title_it": "Nuovo parco",
            "slug": "nuovo-parco",
            "description_it": "Descrizione",
            "support_threshold": 10,
            "status": "draft",
        },
    )
    assert response.status_code == 302


def test_operator_enters_a_proposal_for_an_offline_resident(login, operator, process):
    resident = ResidentFactory(lab=process.lab)
    client = login(operator)
    response = client.post(
        reverse("participation:proposal_enter", args=[process.pk]),
        {
            "resident_code": resident.codice_fiscale,
            "title": "Orti",
            "description": "Orti condivisi nel cortile grande.",
        },
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.author_resident == resident
    assert proposal.submitted_by == operator


def test_operator_hides_a_comment_with_a_reason(login, operator, proposal):
    comment = CommentFactory(proposal=proposal, status=CommentStatus.APPROVED)
    client = login(operator)
    client.post(
        reverse("participation:comment_moderate", args=[comment.pk]),
        {"decision": "hide", "reason": "Insulti"},
    )
    comment.refresh_from_db()
    assert comment.status == CommentStatus.HIDDEN
    assert comment.moderation_reason == "Insulti"


def test_export_lists_proposals_with_support_counts(login, coordinator, proposal):
    SupportFactory(proposal=proposal, resident=ResidentFactory(lab=proposal.process.lab))
    client = login(coordinator)
    url = reverse("participation:proposal_export", args=[proposal.process_id])
    response = client.get(url, {"format": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert proposal.title in body
    assert client.get(url, {"format": "xlsx"}).status_code == 200


def _jpeg_with_exif() -> bytes:
    img = Image.new("RGB", (40, 30), "green")
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_workshop_photo_is_stored_without_exif(login, operator, process, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    workshop = WorkshopFactory(process=process)
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(operator)
    response = client.post(
        reverse("participation:photo_add", args=[workshop.pk]),
        {
            "photo": SimpleUploadedFile("a.jpg", _jpeg_with_exif(), "image/jpeg"),
            "caption": "Tavoli di lavoro",
        },
    )
    assert response.status_code == 302
    photo = WorkshopPhoto.objects.get()
    with Image.open(photo.file.path) as img:
        assert not img.getexif()
    public = client.get(reverse("participation_public:photo", args=[photo.pk]))
    assert public.status_code == 200


def test_workshop_photo_refuses_a_file_that_is_not_an_image(login, operator, process):
    workshop = WorkshopFactory(process=process)
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(operator)
    response = client.post(
        reverse("participation:photo_add", args=[workshop.pk]),
        {"photo": SimpleUploadedFile("a.jpg", b"not an image", "image/jpeg"), "caption": "x"},
    )
    assert response.status_code == 400
    assert not WorkshopPhoto.objects.exists()


def test_workshop_with_a_start_time_becomes_a_published_activity(login, coordinator, process):
    client = login(coordinator)
    response = client.post(
        reverse("participation:workshop_create", args=[process.pk]),
        {
            "title_it": "Laboratorio di co-progettazione",
            "held_on": "2026-12-03",
            "start_time": "18:00",
            "duration_minutes": 120,
            "participant_count": 0,
            "place": "Scuola di via Narcisi",
        },
    )
    assert response.status_code == 302
    workshop = process.workshops.get()
    assert workshop.activity is not None
    assert workshop.activity.is_published
    assert workshop.activity.sessions.count() == 1


def test_workshop_form_pages_open(login, coordinator, process):
    client = login(coordinator)
    workshop = WorkshopFactory(process=process)
    assert (
        client.get(reverse("participation:workshop_create", args=[process.pk])).status_code == 200
    )
    assert client.get(reverse("participation:workshop_edit", args=[workshop.pk])).status_code == 200
    assert client.get(reverse("participation:phase_create", args=[process.pk])).status_code == 200
    assert client.get(reverse("participation:process_edit", args=[process.pk])).status_code == 200
    assert client.get(reverse("participation:proposal_enter", args=[process.pk])).status_code == 200
