"""Friendly error pages: 404 for unknown addresses, 500 when a view fails."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import get_resolver

from quartiere.core import views as core_views

pytestmark = pytest.mark.django_db

NOT_FOUND_TEXTS = ("Page not found", "Pagina non trovata")
SERVER_ERROR_TEXTS = ("Something went wrong", "Si è verificato un errore")


def test_unknown_url_renders_friendly_404_page_when_anonymous(client) -> None:
    response = client.get("/questa-pagina-non-esiste/", HTTP_ACCEPT_LANGUAGE="en")

    content = response.content.decode()
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert any(text in content for text in NOT_FOUND_TEXTS)


def test_unknown_backoffice_url_renders_friendly_404_page_when_logged_in(login, operator) -> None:
    response = login(operator).get("/backoffice/nulla/")

    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]


def test_error_handlers_are_quartiere_views_when_project_urlconf_loaded() -> None:
    resolver = get_resolver()

    assert resolver.resolve_error_handler(404) is core_views.page_not_found
    assert resolver.resolve_error_handler(500) is core_views.server_error
    assert resolver.resolve_error_handler(403) is core_views.permission_denied


def test_server_error_renders_500_page_when_called() -> None:
    response = core_views.server_error(RequestFactory().get("/"))

    content = response.content.decode()
    assert response.status_code == 500
    assert all(text in content for text in SERVER_ERROR_TEXTS)


@pytest.mark.urls("quartiere.backoffice.tests.urls_failing")
def test_failing_view_renders_friendly_500_page_when_exception_escapes() -> None:
    client = Client(raise_request_exception=False)

    response = client.get("/failing/")

    assert response.status_code == 500
    assert "Si è verificato un errore" in response.content.decode()
    assert "boom" not in response.content.decode()
