"""Open data of the regeneration programmes: CSV and JSON with OpenCoesione field names, feeds.

Everything here is public (``@public``) and holds no personal data: programmes, actions,
allocations by funding source and payments, plus an RSS/Atom feed of each programme's news.

Field names follow the OpenCoesione "progetti" dataset where the meaning is the same
(COD_LOCALE_PROGETTO, CUP, OC_TITOLO_PROGETTO, OC_STATO_PROGETTO, FINANZ_UE, FINANZ_REGIONE,
FINANZ_COMUNE, IMPEGNI, TOT_PAGAMENTI, ...); fields that OpenCoesione does not have carry the
``QRT_`` prefix (Quartiere). Amounts are in euro with a dot as decimal separator; dates are ISO
8601 (YYYY-MM-DD), unlike OpenCoesione's own files (YYYYMMDD, decimal comma).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override
from django.views.decorators.http import require_GET

from quartiere.core.views import public
from quartiere.programme import selectors
from quartiere.programme.enums import ActionStatus, FundingKind
from quartiere.programme.models import Programme
from quartiere.programme.sanitise import clean_html, plain_text

LICENCE = "CC-BY-4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"

# OpenCoesione OC_STATO_PROGETTO: "Non avviato", "In corso", "Concluso" (also "Liquidato").
OC_STATO_PROGETTO = {
    ActionStatus.PLANNED: "Non avviato",
    ActionStatus.DESIGN: "In corso",
    ActionStatus.TENDERING: "In corso",
    ActionStatus.IN_PROGRESS: "In corso",
    ActionStatus.SUSPENDED: "In corso",
    ActionStatus.COMPLETED: "Concluso",
}
# OpenCoesione OC_STATO_PROCEDURALE (phases of public works).
OC_STATO_PROCEDURALE = {
    ActionStatus.PLANNED: "Non avviato",
    ActionStatus.DESIGN: "In corso di progettazione",
    ActionStatus.TENDERING: "In affidamento",
    ActionStatus.IN_PROGRESS: "In esecuzione",
    ActionStatus.SUSPENDED: "In esecuzione",
    ActionStatus.COMPLETED: "Eseguito",
}
KIND_FIELD: dict[str, str] = {
    FundingKind.EU: "FINANZ_UE",
    FundingKind.NATIONAL: "FINANZ_STATO",
    FundingKind.REGIONAL: "FINANZ_REGIONE",
    FundingKind.MUNICIPAL: "FINANZ_COMUNE",
    FundingKind.OTHER: "FINANZ_ALTRO_PUBBLICO",
}


@dataclass(frozen=True)
class Column:
    name: str
    meaning: Any  # lazy translated text
    opencoesione: bool = True


def _c(name: str, meaning: Any, oc: bool = True) -> Column:
    return Column(name, meaning, oc)


FUNDING_COLUMNS = [
    _c("FINANZ_UE", _("EU funds (POR FESR, POR FSE, PON METRO ...), in euro.")),
    _c(
        "FINANZ_STATO",
        _(
            "National funds, in euro (OpenCoesione splits them into several FINANZ_STATO_* "
            "columns; here they are summed)."
        ),
    ),
    _c("FINANZ_REGIONE", _("Regional funds, in euro.")),
    _c("FINANZ_COMUNE", _("Municipal funds, in euro.")),
    _c("FINANZ_ALTRO_PUBBLICO", _("Other public funds, in euro.")),
    _c("FINANZ_TOTALE_PUBBLICO", _("Total public funding: the sum of the columns above.")),
    _c("IMPEGNI", _("Legally binding commitments, in euro.")),
    _c("TOT_PAGAMENTI", _("Total payments made, in euro.")),
]

DATASETS: dict[str, dict[str, Any]] = {
    "programme": {
        "title": _("Programme"),
        "description": _("The programme with its total funding by level of government."),
        "columns": [
            _c("QRT_COD_PROGRAMMA", _("Short code of the programme."), False),
            _c("OC_DESCRIZIONE_PROGRAMMA", _("Name of the programme.")),
            _c("DEN_COMUNE", _("Municipality.")),
            _c("QRT_LABORATORIO", _("Social lab that communicates the programme."), False),
            _c(
                "QRT_BUDGET_DICHIARATO",
                _("Declared total budget of the programme, in euro."),
                False,
            ),
            *FUNDING_COLUMNS,
            _c("QRT_DATA_INIZIO", _("Start date of the programme."), False),
            _c("QRT_DATA_FINE", _("End date of the programme."), False),
        ],
    },
    "actions": {
        "title": _("Actions (projects)"),
        "description": _(
            "Each action of the programme, with its CUP, status, dates, funding by level of "
            "government, commitments and payments."
        ),
        "columns": [
            _c("COD_LOCALE_PROGETTO", _("Local code of the project given by the programme.")),
            _c("CUP", _("Codice Unico di Progetto (15 characters), empty if none.")),
            _c("OC_TITOLO_PROGETTO", _("Title of the project.")),
            _c("OC_SINTESI_PROGETTO", _("Short description of the project.")),
            _c("QRT_CHIAVE", _("Stable key of the action in Quartiere."), False),
            _c("QRT_LINEA_AZIONE", _("Action line (code and name)."), False),
            _c("QRT_AZIONE_PADRE", _("Local code of the parent action, if any."), False),
            _c(
                "OC_STATO_PROGETTO",
                _(
                    "Status: Non avviato (not started), In corso (in progress), "
                    "Concluso (completed)."
                ),
            ),
            _c(
                "OC_STATO_PROCEDURALE",
                _(
                    "Procedural phase: Non avviato, In corso di progettazione, In affidamento, "
                    "In esecuzione, Eseguito."
                ),
            ),
            _c(
                "QRT_STATO",
                _(
                    "Detailed status: planned, design, tendering, in_progress, completed, "
                    "suspended."
                ),
                False,
            ),
            _c("QRT_AVANZAMENTO", _("Physical progress from the milestones, 0-100 (%)."), False),
            _c("QRT_DATA_INIZIO_PREVISTA", _("Planned start date."), False),
            _c("OC_DATA_INIZIO_PROGETTO", _("Actual start date.")),
            _c("OC_DATA_FINE_PROGETTO_PREVISTA", _("Planned end date.")),
            _c("OC_DATA_FINE_PROGETTO_EFFETTIVA", _("Actual end date.")),
            _c("QRT_COSTO_PREVISTO", _("Budget of the action, in euro."), False),
            *FUNDING_COLUMNS,
            _c("OC_DENOM_ATTUATORE", _("Body responsible for carrying out the project.")),
            _c("QRT_LUOGO", _("Place (address or area)."), False),
            _c("QRT_LAT", _("Latitude (WGS84), if given."), False),
            _c("QRT_LON", _("Longitude (WGS84), if given."), False),
            _c("QRT_ULTIMO_AGGIORNAMENTO", _("When the action's data last changed."), False),
        ],
    },
    "allocations": {
        "title": _("Funding by source"),
        "description": _(
            "How much each funding source gives each action, with commitments and payments."
        ),
        "columns": [
            _c("COD_LOCALE_PROGETTO", _("Local code of the project.")),
            _c("CUP", _("Codice Unico di Progetto.")),
            _c("OC_TITOLO_PROGETTO", _("Title of the project.")),
            _c("QRT_COD_FONTE", _("Funding source (e.g. POR FESR, PON METRO)."), False),
            _c("QRT_DESCR_FONTE", _("Name of the funding source."), False),
            _c(
                "QRT_TIPO_FONTE",
                _("Level of government: eu, national, regional, municipal, other."),
                False,
            ),
            _c("QRT_IMPORTO_ASSEGNATO", _("Amount allocated by the source, in euro."), False),
            _c("IMPEGNI", _("Commitments on this allocation, in euro.")),
            _c("TOT_PAGAMENTI", _("Payments on this allocation, in euro.")),
        ],
    },
    "payments": {
        "title": _("Payments"),
        "description": _("Each payment made, by date, action and funding source."),
        "columns": [
            _c("COD_LOCALE_PROGETTO", _("Local code of the project.")),
            _c("CUP", _("Codice Unico di Progetto.")),
            _c("QRT_COD_FONTE", _("Funding source of the payment."), False),
            _c("QRT_DATA_PAGAMENTO", _("Date of the payment."), False),
            _c("QRT_IMPORTO_PAGAMENTO", _("Amount paid, in euro."), False),
            _c("QRT_RIFERIMENTO", _("Reference of the payment order."), False),
        ],
    },
}
FORMATS = ("csv", "json")


def _money(value: Decimal | None) -> Decimal:
    return (value or Decimal("0")).quantize(Decimal("0.01"))


def _date(value: Any) -> str:
    return value.isoformat() if value else ""


def _funding_values(by_kind: dict[str, Decimal]) -> dict[str, Decimal]:
    out = {KIND_FIELD[k]: _money(by_kind.get(k)) for k in FundingKind.values}
    out["FINANZ_TOTALE_PUBBLICO"] = _money(
        sum((by_kind.get(k, Decimal(0)) for k in FundingKind.values), Decimal(0))
    )
    out["IMPEGNI"] = _money(by_kind.get("_committed"))
    out["TOT_PAGAMENTI"] = _money(by_kind.get("_paid"))
    return out


def _programme_rows(programme: Programme) -> list[dict[str, Any]]:
    by_kind: dict[str, Decimal] = {}
    for row in selectors.opendata_actions(programme=programme):
        for k, v in row["funding"].items():
            by_kind[k] = by_kind.get(k, Decimal(0)) + v
    return [
        {
            "QRT_COD_PROGRAMMA": programme.slug,
            "OC_DESCRIZIONE_PROGRAMMA": programme.name,
            "DEN_COMUNE": programme.municipality,
            "QRT_LABORATORIO": programme.lab.name,
            "QRT_BUDGET_DICHIARATO": _money(programme.total_budget_amount),
            **_funding_values(by_kind),
            "QRT_DATA_INIZIO": _date(programme.starts_on),
            "QRT_DATA_FINE": _date(programme.ends_on),
        }
    ]


def _local_code(action: Any) -> str:
    return action.code or f"{action.programme_id}-{action.key}"


def _action_rows(programme: Programme) -> list[dict[str, Any]]:
    out = []
    for row in selectors.opendata_actions(programme=programme):
        a = row["action"]
        out.append(
            {
                "COD_LOCALE_PROGETTO": _local_code(a),
                "CUP": a.cup,
                "OC_TITOLO_PROGETTO": a.title_it,
                "OC_SINTESI_PROGETTO": plain_text(a.description_it),
                "QRT_CHIAVE": a.key,
                "QRT_LINEA_AZIONE": f"{a.line.code} {a.line.name_it}",
                "QRT_AZIONE_PADRE": _local_code(a.parent) if a.parent_id else "",
                "OC_STATO_PROGETTO": OC_STATO_PROGETTO.get(a.status, ""),
                "OC_STATO_PROCEDURALE": OC_STATO_PROCEDURALE.get(a.status, ""),
                "QRT_STATO": a.status,
                "QRT_AVANZAMENTO": round(row["progress"] * 100, 1),
                "QRT_DATA_INIZIO_PREVISTA": _date(a.planned_start_on),
                "OC_DATA_INIZIO_PROGETTO": _date(a.actual_start_on),
                "OC_DATA_FINE_PROGETTO_PREVISTA": _date(a.planned_end_on),
                "OC_DATA_FINE_PROGETTO_EFFETTIVA": _date(a.actual_end_on),
                "QRT_COSTO_PREVISTO": _money(a.budget_amount),
                **_funding_values(row["funding"]),
                "OC_DENOM_ATTUATORE": a.responsible_organisation.name
                if a.responsible_organisation_id
                else "",
                "QRT_LUOGO": a.place_label,
                "QRT_LAT": a.latitude if a.latitude is not None else "",
                "QRT_LON": a.longitude if a.longitude is not None else "",
                "QRT_ULTIMO_AGGIORNAMENTO": a.last_updated_at.isoformat()
                if a.last_updated_at
                else "",
            }
        )
    return out


def _allocation_rows(programme: Programme) -> list[dict[str, Any]]:
    return [
        {
            "COD_LOCALE_PROGETTO": _local_code(al.action),
            "CUP": al.action.cup,
            "OC_TITOLO_PROGETTO": al.action.title_it,
            "QRT_COD_FONTE": al.source.code,
            "QRT_DESCR_FONTE": al.source.name_it,
            "QRT_TIPO_FONTE": al.source.kind,
            "QRT_IMPORTO_ASSEGNATO": _money(al.amount),
            "IMPEGNI": _money(al.committed_amount),
            "TOT_PAGAMENTI": _money(al.paid_amount),  # type: ignore[attr-defined]
        }
        for al in selectors.opendata_allocations(programme=programme)
    ]


def _payment_rows(programme: Programme) -> list[dict[str, Any]]:
    return [
        {
            "COD_LOCALE_PROGETTO": _local_code(p.allocation.action),
            "CUP": p.allocation.action.cup,
            "QRT_COD_FONTE": p.allocation.source.code,
            "QRT_DATA_PAGAMENTO": _date(p.paid_on),
            "QRT_IMPORTO_PAGAMENTO": _money(p.amount),
            "QRT_RIFERIMENTO": p.reference,
        }
        for p in selectors.opendata_payments(programme=programme)
    ]


ROWS: dict[str, Callable[[Programme], list[dict[str, Any]]]] = {
    "programme": _programme_rows,
    "actions": _action_rows,
    "allocations": _allocation_rows,
    "payments": _payment_rows,
}


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _csv_response(
    columns: list[str], rows: Iterable[dict[str, Any]], filename: str
) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}.csv"'
    return response


def _get_programme(slug: str) -> Programme:
    try:
        return selectors.programme_public_get(slug=slug)
    except Programme.DoesNotExist as exc:
        raise Http404 from exc


@public
@require_GET
def dataset(request: HttpRequest, slug: str, name: str, fmt: str) -> HttpResponse:
    """One dataset of one programme as CSV or JSON."""
    if name not in DATASETS or fmt not in FORMATS:
        raise Http404
    programme = _get_programme(slug)
    spec = DATASETS[name]
    columns = [c.name for c in spec["columns"]]
    rows = ROWS[name](programme)
    filename = f"{programme.slug}-{name}"
    if fmt == "csv":
        response = _csv_response(columns, rows, filename)
    else:
        with override("it"):
            payload = {
                "dataset": name,
                "programme": programme.slug,
                "title": str(spec["title"]),
                "licence": LICENCE,
                "licence_url": LICENCE_URL,
                "publisher": programme.lab.name,
                "fields": [
                    {"name": c.name, "description": str(c.meaning), "opencoesione": c.opencoesione}
                    for c in spec["columns"]
                ],
                "records": [{c: _json_value(r.get(c)) for c in columns} for r in rows],
            }
        response = HttpResponse(
            json.dumps(payload, ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )
    response["Access-Control-Allow-Origin"] = "*"
    response["Link"] = f'<{LICENCE_URL}>; rel="license"'
    return response


@public
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The datasets of every published programme, their field meanings and the licence."""
    programmes = list(selectors.programme_public_list())
    datasets = [
        {"name": name, **spec, "columns": spec["columns"]} for name, spec in DATASETS.items()
    ]
    return render(
        request,
        "programme/opendata/index.html",
        {
            "programmes": programmes,
            "datasets": datasets,
            "formats": FORMATS,
            "licence_url": LICENCE_URL,
        },
    )


class _NewsFeed(Feed):
    """The published news of a programme (sanitised HTML)."""

    feed_type: type = Rss201rev2Feed

    def get_object(self, request: HttpRequest, slug: str) -> Programme:  # type: ignore[override]
        return _get_programme(slug)

    def title(self, obj: Programme) -> str:
        return f"{obj.name}: {_('news')}"

    def link(self, obj: Programme) -> str:
        return reverse("opendata:index")

    def description(self, obj: Programme) -> str:
        return plain_text(obj.description)[:300]

    def items(self, obj: Programme) -> list[Any]:
        items = selectors.news_public_list(programme=obj, limit=30)
        for item in items:
            item.feed_programme_slug = obj.slug  # type: ignore[attr-defined]
        return items

    def item_title(self, item: Any) -> str:
        return item.title

    def item_description(self, item: Any) -> str:
        return clean_html(item.body)

    def item_link(self, item: Any) -> str:
        try:
            return reverse(
                "programme_public:news_detail", args=[item.feed_programme_slug, item.slug]
            )
        except NoReverseMatch:  # the portal route may not exist yet
            return reverse("opendata:index") + f"#news-{item.pk}"

    def item_guid(self, item: Any) -> str:
        return f"quartiere-news-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Any) -> Any:
        return item.published_at

    def item_updateddate(self, item: Any) -> Any:
        return item.updated_at


class _AtomNewsFeed(_NewsFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: Programme) -> str:
        return self.description(obj)


news_rss = public(_NewsFeed())
news_atom = public(_AtomNewsFeed())
