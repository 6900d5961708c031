"""The public portal: open labs only, no personal data, no log-in needed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quartiere.accounts.enums import LabStatus
from quartiere.accounts.tests.factories import LabFactory
from quartiere.people.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def test_home_hides_lab_when_closed(client, lab) -> None:
    LabFactory(name="Laboratorio Chiuso", slug="chiuso", status=LabStatus.CLOSED)

    content = client.get(reverse("portal:home")).content.decode()

    assert lab.name in content
    assert "Laboratorio Chiuso" not in content


def test_home_shows_no_personal_data_when_residents_exist(client, lab) -> None:
    resident = ResidentFactory(lab=lab, first_name="Riservata", last_name="Privatissima")

    pages = [
        reverse("portal:home"),
        reverse("portal:labs"),
        reverse("portal:lab_detail", args=[lab.slug]),
    ]

    for url in pages:
        content = client.get(url).content.decode()
        assert "Privatissima" not in content
        assert resident.codice_fiscale not in content


def test_lab_detail_shows_lab_when_slug_is_open(client, lab) -> None:
    response = client.get(reverse("portal:lab_detail", args=[lab.slug]))

    assert response.status_code == 200
    assert response.context["lab"] == lab


@pytest.mark.parametrize("slug", ["non-esiste", "chiuso"])
def test_lab_detail_answers_404_when_lab_unknown_or_closed(client, slug: str) -> None:
    LabFactory(slug="chiuso", status=LabStatus.CLOSED)

    assert client.get(reverse("portal:lab_detail", args=[slug])).status_code == 404


@pytest.mark.parametrize("name", ["portal:accessibility", "portal:privacy", "portal:labs"])
def test_static_pages_load_when_anonymous(client, name: str) -> None:
    assert client.get(reverse(name)).status_code == 200


def test_set_language_switches_page_language_when_posted(client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    page = client.get(reverse("portal:home"))
    assert '<html lang="en"' in page.content.decode()
