"""Back-office pages: permissions matrix, edits through forms, friendly errors, query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from quartiere.accounts.enums import Role
from quartiere.core.models import AuditEvent
from quartiere.programme.models import Allocation, Document, Milestone, NewsItem
from quartiere.programme.tests.factories import (
    ActionFactory,
    AllocationFactory,
    MilestoneFactory,
    NewsItemFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _urls(programme, action) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "detail": reverse("programme:programme_detail", args=[programme.pk]),
        "action": reverse("programme:action_detail", args=[action.pk]),
        "edit": reverse("programme:action_edit", args=[action.pk]),
        "history": reverse("programme:action_history", args=[action.pk]),
        "news": reverse("programme:news_list", args=[programme.pk]),
        "news_new": reverse("programme:news_create", args=[programme.pk]),
        "documents": reverse("programme:document_list", args=[programme.pk]),
        "import": reverse("programme:import", args=[programme.pk]),
        "milestone_new": reverse("programme:milestone_create", args=[action.pk]),
        "allocation_new": reverse("programme:allocation_create", args=[action.pk]),
    }


READ = ("detail", "action", "history", "news", "documents")
WRITE = ("edit", "news_new", "import", "milestone_new", "allocation_new")


@pytest.mark.parametrize(
    ("who", "read", "write"),
    [
        ("coordinator", 200, 200),
        ("operator", 200, 200),
        ("region_official", 200, 403),
        ("housing_staff", 403, 403),
        ("other_operator", 404, 404),
    ],
)
def test_permissions_matrix(who, read, write, request, tree, programme, login) -> None:  # type: ignore[no-untyped-def]
    client = login(request.getfixturevalue(who))
    urls = _urls(programme, tree["c1"])
    for name in READ:
        assert client.get(urls[name]).status_code == read, name
    for name in WRITE:
        expected = 403 if read == 403 else write
        assert client.get(urls[name]).status_code == expected, name


def test_anonymous_user_is_sent_to_login(tree, programme, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(_urls(programme, tree["c1"])["detail"])
    assert response.status_code == 302


def test_region_official_sees_no_edit_buttons(tree, programme, region_official, login) -> None:  # type: ignore[no-untyped-def]
    html = login(region_official).get(_urls(programme, tree["c1"])["action"]).content.decode()
    assert 'data-testid="action-edit"' not in html
    assert 'data-testid="allocation-create"' not in html


def test_allocation_over_budget_shows_a_field_error_and_writes_nothing(
    tree, programme, fesr, operator, login
) -> None:
    client = login(operator)
    c2 = tree["c2"]
    response = client.post(
        reverse("programme:allocation_create", args=[c2.pk]),
        {"source": fesr.pk, "amount": "50000", "committed_amount": "0"},
    )
    assert response.status_code == 200
    assert 'data-testid="form-errors"' in response.content.decode()
    assert "100.000" in response.content.decode() or "100000" in response.content.decode()
    assert not Allocation.objects.filter(action=c2, source=fesr).exists()


def test_milestone_before_start_shows_a_field_error(tree, operator, login) -> None:  # type: ignore[no-untyped-def]
    leaf = tree["leaf"]
    response = login(operator).post(
        reverse("programme:milestone_create", args=[leaf.pk]),
        {"title_it": "Troppo presto", "planned_on": "2019-01-01", "weight": "1"},
    )
    assert response.status_code == 200
    assert "2020-01-01" in response.content.decode()
    assert not Milestone.objects.filter(action=leaf).exists()


def test_edit_action_updates_last_updated_and_history(tree, operator, login) -> None:  # type: ignore[no-untyped-def]
    leaf = tree["leaf"]
    client = login(operator)
    form = client.get(reverse("programme:action_edit", args=[leaf.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "buildings"}
    data.update(
        title_it="Titolo nuovo",
        line=leaf.line_id,
        planned_start_on="2020-01-01",
        planned_end_on="2026-12-31",
        status="design",
        order=1,
        is_published="on",
    )
    data.pop("parent", None)
    data.pop("responsible_organisation", None)
    response = client.post(reverse("programme:action_edit", args=[leaf.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    leaf.refresh_from_db()
    assert leaf.title_it == "Titolo nuovo"
    assert leaf.last_updated_by == operator
    history = client.get(reverse("programme:action_history", args=[leaf.pk])).content.decode()
    assert "programme.action_update" in history


def test_news_create_sanitises_and_publish(programme, operator, login) -> None:  # type: ignore[no-untyped-def]
    client = login(operator)
    response = client.post(
        reverse("programme:news_create", args=[programme.pk]),
        {"title_it": "Festa", "body_it": "<p>Ciao</p><script>alert(1)</script>"},
    )
    assert response.status_code == 302
    item = NewsItem.objects.get(title_it="Festa")
    assert item.body_it == "<p>Ciao</p>"
    assert not item.is_published
    client.post(reverse("programme:news_publish", args=[programme.pk, item.pk]))
    item.refresh_from_db()
    assert item.is_published


def test_document_upload_checks_the_content(programme, operator, login) -> None:  # type: ignore[no-untyped-def]
    client = login(operator)
    url = reverse("programme:document_list", args=[programme.pk])
    fake = SimpleUploadedFile("verbale.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post(url, {"title_it": "Falso", "published_on": "2024-01-01", "file": fake})
    assert response.status_code == 200
    assert not Document.objects.exists()
    real = SimpleUploadedFile("verbale.pdf", PDF, content_type="application/pdf")
    response = client.post(
        url, {"title_it": "Verbale", "published_on": "2024-01-01", "file": real, "is_public": "on"}
    )
    assert response.status_code == 302
    assert Document.objects.get().size_bytes == len(PDF)


def test_import_page_lists_line_level_errors(tree, programme, operator, login) -> None:  # type: ignore[no-untyped-def]
    data = b"action,source,amount\nc1,POR FESR,200000\nc1,Comune,100000\nleaf,POR FXX,1\n"
    response = login(operator).post(
        reverse("programme:import", args=[programme.pk]),
        {"kind": "allocations", "file": SimpleUploadedFile("a.csv", data)},
    )
    html = response.content.decode()
    with translation.override("it"):
        expected = escape(gettext("unknown source '%(code)s'") % {"code": "POR FXX"})
    assert expected in html
    assert 'data-testid="import-error"' in html
    assert not AuditEvent.objects.filter(action="programme.allocations_import").exists()


def test_payment_beyond_committed_is_refused(tree, fesr, operator, login) -> None:  # type: ignore[no-untyped-def]
    allocation = Allocation.objects.get(action=tree["c1"], source=fesr)
    response = login(operator).post(
        reverse("programme:payment_create", args=[tree["c1"].pk, allocation.pk]),
        {"paid_on": "2024-01-01", "amount": "150000.01"},
    )
    assert response.status_code == 200
    assert not allocation.payments.exists()


def test_programme_detail_queries_do_not_grow_with_actions(
    tree, programme, fesr, operator, login, django_assert_max_num_queries
) -> None:
    client = login(operator)
    url = reverse("programme:programme_detail", args=[programme.pk])
    client.get(url)
    with django_assert_max_num_queries(22) as ctx:
        client.get(url)
    before = len(ctx.captured_queries)
    for n in range(12):
        a = ActionFactory(line=tree["l2"], key=f"x-{n}")
        MilestoneFactory(action=a, planned_on=dt.date(2021, 1, 1))
        AllocationFactory(action=a, source=fesr, amount=Decimal("10"))
    with django_assert_max_num_queries(before):
        client.get(url)


def test_news_list_queries_do_not_grow(
    programme, operator, login, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = login(operator)
    url = reverse("programme:news_list", args=[programme.pk])
    NewsItemFactory(programme=programme)
    client.get(url)
    with django_assert_max_num_queries(30) as ctx:
        client.get(url)
    before = len(ctx.captured_queries)
    for _ in range(10):
        NewsItemFactory(programme=programme)
    with django_assert_max_num_queries(before):
        client.get(url)


def test_coordinator_of_another_lab_cannot_edit(
    tree, programme, make_user, other_lab, login
) -> None:  # type: ignore[no-untyped-def]
    other = make_user(Role.LAB_COORDINATOR, other_lab)
    response = login(other).post(reverse("programme:action_delete", args=[tree["leaf"].pk]))
    assert response.status_code == 404


def test_coordinator_adds_a_funding_source_and_an_action_line(
    programme, coordinator, login
) -> None:  # type: ignore[no-untyped-def]
    client = login(coordinator)
    response = client.post(
        reverse("programme:source_list"),
        {"code": "FONDAZIONE", "name_it": "Fondazione Cariplo", "kind": "other", "order": "9"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("programme:line_create", args=[programme.pk]),
        {"code": "5", "name_it": "Monitoraggio", "order": "5"},
    )
    assert response.status_code == 302
    assert programme.lines.filter(code="5").exists()
    assert AuditEvent.objects.filter(action="programme.funding_source_create").exists()


def test_duplicate_source_code_is_a_field_error(coordinator, login) -> None:  # type: ignore[no-untyped-def]
    response = login(coordinator).post(
        reverse("programme:source_list"),
        {"code": "POR FESR", "name_it": "Doppione", "kind": "eu", "order": "1"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["code"]


def test_region_official_cannot_add_sources_or_edit_the_programme(
    programme, region_official, login
) -> None:
    client = login(region_official)
    assert client.get(reverse("programme:source_list")).status_code == 200
    response = client.post(
        reverse("programme:source_list"), {"code": "X", "name_it": "X", "kind": "other", "order": 1}
    )
    assert response.status_code == 403
    assert client.get(reverse("programme:programme_edit", args=[programme.pk])).status_code == 403


def test_operator_cannot_edit_the_programme_but_coordinator_can(
    programme, operator, coordinator, login
) -> None:
    url = reverse("programme:programme_edit", args=[programme.pk])
    assert login(operator).get(url).status_code == 403
    response = login(coordinator).post(
        url,
        {"name": "Nuovo nome", "description_it": "Testo", "total_budget_amount": "1000"},
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.name == "Nuovo nome"
