"""Open data: CSV and JSON with OpenCoesione fields, no personal data; news feeds."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from quartiere.programme import services
from quartiere.programme.models import Allocation
from quartiere.programme.tests.factories import NewsItemFactory

pytestmark = pytest.mark.django_db


def _url(programme, name: str, fmt: str) -> str:  # type: ignore[no-untyped-def]
    return reverse("opendata:dataset", args=[programme.slug, name, fmt])


def _csv(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def test_actions_csv_has_opencoesione_fields_and_funding_by_kind(tree, programme) -> None:
    services.action_update(actor=None, action=tree["c1"], cup="B41B16000230007")
    response = Client().get(_url(programme, "actions", "csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = {r["QRT_CHIAVE"]: r for r in _csv(response)}
    c1 = rows["c1"]
    assert c1["CUP"] == "B41B16000230007"
    assert c1["OC_TITOLO_PROGETTO"] == tree["c1"].title_it
    assert c1["OC_STATO_PROGETTO"] == "In corso"
    assert c1["FINANZ_UE"] == "200000.00"
    assert c1["FINANZ_COMUNE"] == "100000.00"
    assert c1["FINANZ_TOTALE_PUBBLICO"] == "300000.00"
    assert c1["IMPEGNI"] == "150000.00"
    assert c1["OC_DATA_FINE_PROGETTO_PREVISTA"] == "2026-12-31"
    assert rows["c2"]["QRT_AZIONE_PADRE"] == rows["parent"]["COD_LOCALE_PROGETTO"]


def test_allocations_and_payments_json_match_the_database(tree, programme, fesr) -> None:
    allocation = Allocation.objects.get(action=tree["c1"], source=fesr)
    services.payment_create(
        actor=None, allocation=allocation, paid_on=dt.date(2023, 5, 2), amount=Decimal("1234.5")
    )
    data = json.loads(Client().get(_url(programme, "allocations", "json")).content)
    assert data["licence"] == "CC-BY-4.0"
    assert {f["name"] for f in data["fields"]} >= {
        "COD_LOCALE_PROGETTO",
        "IMPEGNI",
        "TOT_PAGAMENTI",
    }
    total = sum(Decimal(str(r["QRT_IMPORTO_ASSEGNATO"])) for r in data["records"])
    assert total == Decimal("430000")
    payments = json.loads(Client().get(_url(programme, "payments", "json")).content)["records"]
    assert payments == [
        {
            "COD_LOCALE_PROGETTO": payments[0]["COD_LOCALE_PROGETTO"],
            "CUP": "",
            "QRT_COD_FONTE": "POR FESR",
            "QRT_DATA_PAGAMENTO": "2023-05-02",
            "QRT_IMPORTO_PAGAMENTO": 1234.5,
            "QRT_RIFERIMENTO": "",
        }
    ]


def test_programme_dataset_totals_add_up(tree, programme) -> None:
    row = _csv(Client().get(_url(programme, "programme", "csv")))[0]
    assert Decimal(row["FINANZ_UE"]) + Decimal(row["FINANZ_COMUNE"]) == Decimal(
        row["FINANZ_TOTALE_PUBBLICO"]
    )
    assert row["FINANZ_TOTALE_PUBBLICO"] == "430000.00"


def test_open_data_holds_no_personal_data(tree, programme, operator) -> None:
    services.action_update(actor=operator, action=tree["c1"], title_en="Renamed")
    for name in ("programme", "actions", "allocations", "payments"):
        body = Client().get(_url(programme, name, "json")).content.decode()
        assert operator.username not in body
        assert operator.email not in body
        assert operator.last_name not in body


def test_unpublished_programme_and_unknown_dataset_are_not_found(programme) -> None:
    assert Client().get(_url(programme, "residents", "csv")).status_code == 404
    assert Client().get(_url(programme, "actions", "xml")).status_code == 404
    programme.is_published = False
    programme.save()
    assert Client().get(_url(programme, "actions", "csv")).status_code == 404


def test_index_lists_datasets_field_meanings_and_licence(programme) -> None:
    response = Client().get(reverse("opendata:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "CC BY 4.0" in html
    assert "OC_STATO_PROGETTO" in html
    assert _url(programme, "payments", "csv") in html


def test_news_feed_lists_published_news_with_sanitised_content(programme) -> None:
    NewsItemFactory(
        programme=programme,
        title_it="Aperto il parco",
        body_it="<p>Evviva</p><script>alert(1)</script>",
    )
    NewsItemFactory(
        programme=programme, title_it="Bozza segreta", status="draft", published_at=None
    )
    response = Client().get(reverse("opendata:news_feed", args=[programme.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    body = response.content.decode()
    assert "Aperto il parco" in body
    assert "Bozza segreta" not in body
    assert "alert(1)" not in body


def test_atom_feed_answers(programme) -> None:
    NewsItemFactory(programme=programme, title_it="Festa")
    response = Client().get(reverse("opendata:news_atom", args=[programme.slug]))
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "Festa" in response.content.decode()
