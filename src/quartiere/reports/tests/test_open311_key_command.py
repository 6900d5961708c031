"""quartiere open311-key create | list | revoke, and the reports admin (keys, categories)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from quartiere.cli import ALIASES, COMMANDS
from quartiere.core.models import AuditEvent
from quartiere.reports import services
from quartiere.reports.models import Open311Key

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("open311_key", *args, stdout=out)
    return out.getvalue()


def test_open311_key_create_prints_a_working_key_once_when_named() -> None:
    output = _run("create", "App di quartiere")

    key = Open311Key.objects.get()
    raw = output.splitlines()[1]
    assert raw.startswith(f"{key.prefix}.")
    assert key.key_hash != raw
    assert raw not in key.key_hash
    assert services.open311_key_authenticate(raw) == key
    assert key.lab is None


def test_open311_key_create_binds_key_to_lab_when_lab_given(lab) -> None:
    output = _run("create", "App A", "--lab", lab.slug)

    assert Open311Key.objects.get().lab == lab
    assert f"lab {lab.slug}" in output


def test_open311_key_create_fails_when_lab_is_unknown() -> None:
    with pytest.raises(CommandError, match="nowhere"):
        _run("create", "App", "--lab", "nowhere")

    assert not Open311Key.objects.exists()


def test_open311_key_create_fails_when_name_is_blank() -> None:
    with pytest.raises(CommandError):
        _run("create", "   ")


def test_open311_key_list_shows_prefix_and_state_but_no_secret_when_keys_exist(lab) -> None:
    active, raw = services.open311_key_create(name="Attiva", lab=lab)
    revoked, _raw = services.open311_key_create(name="Vecchia")
    services.open311_key_revoke(key=revoked, actor=None)

    output = _run("list")

    rows = {line.split()[0]: line.split()[1] for line in output.splitlines()[1:]}
    assert rows == {active.prefix: "active", revoked.prefix: "revoked"}
    assert lab.slug in output
    assert raw not in output
    assert active.key_hash not in output


def test_open311_key_list_says_so_when_there_are_no_keys() -> None:
    assert "No Open311 keys" in _run("list")


def test_open311_key_revoke_deactivates_and_audits_when_prefix_matches() -> None:
    key, raw = services.open311_key_create(name="App")

    output = _run("revoke", key.prefix)

    key.refresh_from_db()
    assert not key.is_active
    assert services.open311_key_authenticate(raw) is None
    assert "Revoked" in output
    assert AuditEvent.objects.filter(action="reports.open311_key_revoke").count() == 1


def test_open311_key_revoke_fails_when_prefix_is_unknown() -> None:
    with pytest.raises(CommandError, match="No Open311 key"):
        _run("revoke", "00000000")


def test_open311_key_revoke_reports_already_revoked_when_key_is_inactive() -> None:
    key, _raw = services.open311_key_create(name="App")
    services.open311_key_revoke(key=key, actor=None)

    assert "already revoked" in _run("revoke", key.prefix)


def test_cli_lists_open311_key_command_when_asked_for_usage() -> None:
    assert "open311-key" in COMMANDS
    assert ALIASES["open311-key"] == "open311_key"


# --- the admin: keys revoked through the service, categories saved through the services ------


@pytest.fixture
def admin_client(client):
    from quartiere.accounts.tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_revoke_action_revokes_selected_keys_when_chosen(admin_client) -> None:
    key, raw = services.open311_key_create(name="App")
    kept, _raw = services.open311_key_create(name="Altra")

    response = admin_client.post(
        "/admin/reports/open311key/", {"action": "revoke", "_selected_action": [key.pk]}
    )

    assert response.status_code == 302
    key.refresh_from_db()
    kept.refresh_from_db()
    assert (key.is_active, kept.is_active) == (False, True)
    assert services.open311_key_authenticate(raw) is None
    assert AuditEvent.objects.filter(action="reports.open311_key_revoke").count() == 1


def test_admin_key_page_is_read_only_when_opened(admin_client) -> None:
    key, _raw = services.open311_key_create(name="App")

    assert admin_client.get("/admin/reports/open311key/add/").status_code == 403
    response = admin_client.post(f"/admin/reports/open311key/{key.pk}/change/", {"name": "X"})

    assert response.status_code == 403
    key.refresh_from_db()
    assert key.name == "App"


def test_admin_category_add_saves_category_and_question_through_services_when_valid(
    admin_client, lab
) -> None:
    from quartiere.reports.models import Category

    data = {
        "lab": lab.pk,
        "code": "lift-a",
        "group": "",
        "name_it": "Ascensore",
        "name_en": "Lift",
        "description_it": "",
        "description_en": "",
        "responsible_organisation": "",
        "acknowledge_days": 2,
        "resolve_days": 10,
        "is_public": "on",
        "is_active": "on",
        "attributes-TOTAL_FORMS": 1,
        "attributes-INITIAL_FORMS": 0,
        "attributes-MIN_NUM_FORMS": 0,
        "attributes-MAX_NUM_FORMS": 1000,
        "attributes-0-code": "floor",
        "attributes-0-datatype": "string",
        "attributes-0-description_it": "Piano?",
        "attributes-0-description_en": "Floor?",
        "attributes-0-values": "[]",
        "attributes-0-order": 1,
    }

    response = admin_client.post("/admin/reports/category/add/", data)

    assert response.status_code == 302, response.content[:2000]
    category = Category.objects.get()
    assert category.code == "lift-a"
    assert [a.code for a in category.attributes.all()] == ["floor"]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"reports.category_create", "reports.category_attribute_save"} <= actions


def test_admin_report_pages_are_read_only_when_opened(admin_client, lab) -> None:
    from quartiere.reports.tests.factories import ReportFactory

    report = ReportFactory(category__lab=lab)

    assert admin_client.get("/admin/reports/report/").status_code == 200
    assert admin_client.get(f"/admin/reports/report/{report.pk}/change/").status_code == 200
    assert admin_client.get("/admin/reports/report/add/").status_code == 403
