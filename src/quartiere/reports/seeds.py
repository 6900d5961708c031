"""Demo reports: each lab's categories and policy, and two years of segnalazioni with their
histories (acknowledged, forwarded, in progress, resolved, closed, rejected, merged,
reopened), comments, followers and a recent outbox.

Everything is synthetic: contacts use example.org. Rows are built in memory and written by one
bulk service call per lab (COPY on PostgreSQL); the due dates come from the same business-day
rules as ``report_submit``. Seasons shape the figures (heating in winter, leaks in autumn,
building sites growing with the works), and lift or boiler failures bring several neighbours
to report the same thing, some merged. At region scale (100 labs, a million reports, for the
benchmarks) a few labs are drawn report by report and the others replay their stories in their
own buildings, so the whole region seeds in a few minutes.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import itertools
import math
import random
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from quartiere.accounts import selectors as account_selectors
from quartiere.accounts.enums import Role
from quartiere.people import selectors as people_selectors
from quartiere.reports import services, sla
from quartiere.reports.enums import (
    AttributeDatatype,
    CommentVisibility,
    NotificationStatus,
    ReportChannel,
    ReportStatus,
)
from quartiere.reports.models import (
    Notification,
    Report,
    ReportComment,
    ReportFollower,
    ReportStatusChange,
)
from quartiere.territory import selectors as territory_selectors
from quartiere.territory.enums import BuildingStatus

S = ReportStatus
SUBDIVISION = "MI"
REOPEN_DAYS = 15
# Reports per lab; at region scale 100 labs x 10,000 = 1,000,000.
COUNTS = {
    "tiny": {"lorenteggio": 6, "bollate": 0},
    "district": {"lorenteggio": 3000, "bollate": 600},
    "region": {},
}
REGION_PER_LAB = 10_000
# Share of duplicates (same category and building while one is open) that staff merge.
MERGE_SHARE = 0.35
REGION_TEMPLATES = 4  # labs drawn one by one at region scale; the others replay them
OUTBOX = {"tiny": 40, "district": 150, "region": 25}  # recent public changes e-mailed
DAYS = {"tiny": 120, "district": 730, "region": 730}

FLAT = (1.0,) * 12
HEATING_SEASON = (3.0, 2.6, 1.7, 0.8, 0.1, 0.05, 0.05, 0.05, 0.1, 1.1, 2.4, 3.0)
WINTER = (1.5, 1.4, 1.3, 1.1, 0.8, 0.6, 0.6, 0.6, 0.9, 1.3, 1.6, 1.6)
DARK = (1.4, 1.3, 1.1, 0.9, 0.7, 0.6, 0.6, 0.7, 0.9, 1.2, 1.4, 1.5)
SUMMER = (0.8, 0.8, 0.9, 1.0, 1.1, 1.3, 1.4, 1.1, 1.0, 0.9, 0.8, 0.8)
HOT = (1.0, 1.0, 1.0, 1.0, 1.1, 1.3, 1.4, 1.2, 1.0, 1.0, 1.0, 1.0)
BILLS = (1.5, 1.3, 1.0, 1.0, 0.9, 0.8, 0.7, 0.6, 1.3, 1.1, 1.0, 1.2)
# Desk open Monday to Friday, longer on Thursday; the web form and Open311 never close.
WEEKDAY = (1.25, 1.1, 1.0, 1.15, 0.9, 0.3, 0.15)


@dataclass(frozen=True)
class CategorySpec:
    slug: str
    group: str
    name_it: str
    name_en: str
    description_it: str
    description_en: str
    handler: str  # "owner" (ALER, or whoever owns the buildings), "comune", "lab"
    acknowledge_days: int
    resolve_days: int
    is_public: bool
    weight: float
    months: tuple[float, ...]
    place: str  # "unit", "stair", "building", "vacant", "lab"
    mergeable: bool = False
    cluster: float = 0.0  # chance a report repeats one made in the same building days before
    reject: float = 0.03


CATEGORIES = [
    CategorySpec(
        "lift",
        "Manutenzione",
        "Ascensore",
        "Lift",
        "Ascensore fermo, bloccato tra i piani, porte o pulsanti guasti.",
        "Lift out of order, stuck between floors, broken doors or buttons.",
        "owner",
        1,
        7,
        True,
        10,
        HOT,
        "stair",
        mergeable=True,
        cluster=0.45,
    ),
    CategorySpec(
        "heating",
        "Manutenzione",
        "Riscaldamento",
        "Heating",
        "Termosifoni freddi, centrale termica ferma, acqua calda assente.",
        "Cold radiators, central boiler down, no hot water.",
        "owner",
        1,
        5,
        True,
        9,
        HEATING_SEASON,
        "unit",
        mergeable=True,
        cluster=0.5,
    ),
    CategorySpec(
        "leaks-mould",
        "Manutenzione",
        "Infiltrazioni e muffa",
        "Leaks and mould",
        "Infiltrazioni d'acqua dal tetto o dai piani superiori, muffa e umidità nell'alloggio.",
        "Water coming in from the roof or the flat above, mould and damp in the flat.",
        "owner",
        2,
        30,
        False,
        11,
        WINTER,
        "unit",
    ),
    CategorySpec(
        "cleaning",
        "Parti comuni",
        "Pulizia parti comuni",
        "Cleaning of common areas",
        "Scale, androni, cortili e locali rifiuti sporchi o non puliti secondo il calendario.",
        "Dirty stairs, entrance halls, yards or bin rooms, or cleaning not done as scheduled.",
        "owner",
        2,
        10,
        True,
        10,
        SUMMER,
        "stair",
        mergeable=True,
        cluster=0.2,
    ),
    CategorySpec(
        "lighting",
        "Parti comuni",
        "Illuminazione scale e cortili",
        "Lighting of stairs and yards",
        "Luci spente o guaste nelle scale, negli androni, nei cortili e nei passaggi.",
        "Lights off or broken on stairs, in entrance halls, yards and passages.",
        "comune",
        2,
        10,
        True,
        7,
        DARK,
        "stair",
        mergeable=True,
        cluster=0.25,
    ),
    CategorySpec(
        "safety",
        "Sicurezza",
        "Sicurezza",
        "Safety",
        "Portoni che non chiudono, intrusioni in cantine e solai, pericoli negli spazi comuni.",
        "Front doors that do not lock, break-ins into cellars and lofts, hazards in common areas.",
        "comune",
        1,
        15,
        False,
        6,
        SUMMER,
        "building",
        reject=0.05,
    ),
    CategorySpec(
        "vacant-units",
        "Alloggi",
        "Alloggi vuoti o occupati",
        "Vacant or occupied units",
        "Alloggi sfitti da assegnare, porte forzate, occupazioni abusive, cantine occupate.",
        "Empty flats waiting for tenants, forced doors, squatting, occupied cellars.",
        "owner",
        3,
        40,
        False,
        5,
        FLAT,
        "vacant",
        reject=0.06,
    ),
    CategorySpec(
        "neighbours",
        "Convivenza",
        "Conflitti di vicinato",
        "Neighbour conflicts",
        "Rumori, liti, uso degli spazi comuni: il laboratorio ascolta e propone una mediazione.",
        "Noise, quarrels, use of common spaces: the lab listens and offers mediation.",
        "lab",
        2,
        20,
        False,
        7,
        SUMMER,
        "stair",
        reject=0.07,
    ),
    CategorySpec(
        "rent-help",
        "Sostegno",
        "Morosità e aiuto affitto",
        "Rent arrears help",
        "Difficoltà a pagare affitto e spese, fondo di solidarietà e contributi regionali.",
        "Trouble paying rent and charges; the solidarity fund and regional grants.",
        "lab",
        2,
        15,
        False,
        5,
        BILLS,
        "unit",
    ),
    CategorySpec(
        "information",
        "Sportello",
        "Richiesta informazioni",
        "Information request",
        "Domande su servizi, bandi, cambi alloggio, pratiche ALER e comunali.",
        "Questions about services, calls, housing transfers, ALER and municipal procedures.",
        "lab",
        2,
        5,
        False,
        9,
        FLAT,
        "lab",
        reject=0.02,
    ),
    CategorySpec(
        "building-site",
        "Rigenerazione",
        "Disagi da cantiere",
        "Building-site nuisance",
        "Rumore, polvere, accessi bloccati e sicurezza intorno ai cantieri della rigenerazione.",
        "Noise, dust, blocked access and safety around the regeneration building sites.",
        "owner",
        1,
        10,
        True,
        5,
        SUMMER,
        "building",
        mergeable=True,
        cluster=0.3,
    ),
]

YES_NO = [{"key": "yes", "name": "Sì"}, {"key": "no", "name": "No"}]
ATTRIBUTES: dict[str, list[dict[str, Any]]] = {
    "lift": [
        {
            "code": "reduced-mobility",
            "datatype": AttributeDatatype.SINGLEVALUELIST,
            "is_required": True,
            "description_it": "Sulla scala ci sono persone con mobilità ridotta?",
            "description_en": "Are there people with reduced mobility on the stair?",
            "values": YES_NO,
            "order": 1,
        }
    ],
    "heating": [
        {
            "code": "extent",
            "datatype": AttributeDatatype.SINGLEVALUELIST,
            "is_required": True,
            "description_it": "Il problema riguarda",
            "description_en": "The problem affects",
            "values": [
                {"key": "flat", "name": "Solo il mio alloggio"},
                {"key": "stair", "name": "Tutta la scala"},
                {"key": "building", "name": "Tutto l'edificio"},
            ],
            "order": 1,
        }
    ],
    "leaks-mould": [
        {
            "code": "rooms",
            "datatype": AttributeDatatype.MULTIVALUELIST,
            "is_required": False,
            "description_it": "In quali stanze?",
            "description_en": "Which rooms?",
            "values": [
                {"key": "kitchen", "name": "Cucina"},
                {"key": "bathroom", "name": "Bagno"},
                {"key": "bedroom", "name": "Camera da letto"},
                {"key": "living", "name": "Soggiorno"},
                {"key": "other", "name": "Altro"},
            ],
            "order": 1,
        },
        {
            "code": "months",
            "datatype": AttributeDatatype.NUMBER,
            "is_required": False,
            "description_it": "Da quanti mesi?",
            "description_en": "For how many months?",
            "values": [],
            "order": 2,
        },
    ],
    "building-site": [
        {
            "code": "when",
            "datatype": AttributeDatatype.SINGLEVALUELIST,
            "is_required": False,
            "description_it": "Quando si verifica il disagio?",
            "description_en": "When does the nuisance happen?",
            "values": [
                {"key": "early", "name": "Prima delle 7"},
                {"key": "day", "name": "Di giorno"},
                {"key": "evening", "name": "Dopo le 19"},
                {"key": "weekend", "name": "Nel fine settimana"},
            ],
            "order": 1,
        }
    ],
}

DESCRIPTIONS: dict[str, tuple[list[str], list[str]]] = {
    "lift": (
        [
            "L'ascensore della {scala} è fermo da {giorni} giorni.",
            "L'ascensore si blocca tra il {piano}° e il {piano2}° piano, stamattina è rimasta "
            "chiusa dentro una signora.",
            "Le porte dell'ascensore della {scala} non si chiudono e la cabina non parte.",
            "Ascensore di nuovo fuori servizio: al {piano2}° piano abita una persona in "
            "carrozzina.",
            "Il pulsante di chiamata al piano terra non funziona.",
        ],
        [
            "The lift in {scala} has been out of order for {giorni} days.",
            "The lift stops between floors and makes a loud noise.",
        ],
    ),
    "heating": (
        [
            "I termosifoni dell'alloggio sono freddi da {giorni} giorni.",
            "Manca l'acqua calda in tutta la {scala} da ieri sera.",
            "Il riscaldamento parte solo la mattina, la sera in casa ci sono 16 gradi.",
            "Centrale termica ferma, in casa ci sono bambini piccoli.",
        ],
        [
            "The radiators have been cold for {giorni} days.",
            "No hot water on the whole stair since last night.",
        ],
    ),
    "leaks-mould": (
        [
            "Macchie di muffa sul soffitto della camera da letto, aumentano ogni inverno.",
            "Infiltrazione d'acqua dal bagno del piano di sopra, il soffitto è gonfio.",
            "Quando piove entra acqua dalla finestra del soggiorno.",
            "Muffa nera dietro gli armadi e odore di umido, in casa c'è un bambino asmatico.",
        ],
        [
            "Black mould on the bedroom ceiling, worse every winter.",
            "Water leaking from the bathroom upstairs.",
        ],
    ),
    "cleaning": (
        [
            "Le scale della {scala} non vengono pulite da {settimane} settimane.",
            "Il locale rifiuti è pieno di sacchi e ci sono topi.",
            "Androne sporco e vetri rotti a terra davanti al portone.",
            "Nel cortile ci sono ingombranti abbandonati da giorni.",
        ],
        [
            "The stairs in {scala} have not been cleaned for {settimane} weeks.",
            "Bulky rubbish dumped in the yard.",
        ],
    ),
    "lighting": (
        [
            "Luci delle scale spente dal {piano}° piano in su.",
            "Il cortile è completamente al buio la sera, si rischia di cadere.",
            "La lampada dell'androne della {scala} lampeggia e poi si spegne.",
            "Il timer della luce scale dura pochi secondi.",
        ],
        [
            "Stair lights off from floor {piano} up.",
            "The yard is completely dark at night.",
        ],
    ),
    "safety": (
        [
            "Il portone d'ingresso non si chiude, di notte entrano estranei.",
            "Forzata la porta delle cantine, mancano delle biciclette.",
            "Calcinacci caduti da un balcone sul marciapiede.",
            "La porta del solaio è senza serratura, la sera ci salgono ragazzi estranei.",
            "Il cancello carraio resta aperto, le auto entrano nel cortile dei giochi.",
        ],
        ["The front door does not lock, strangers come in at night."],
    ),
    "vacant-units": (
        [
            "L'alloggio al {piano}° piano è vuoto da mesi, la porta è stata forzata.",
            "Sentiamo rumori nell'alloggio sfitto accanto, forse è stato occupato.",
            "Alloggio vuoto con le finestre aperte, entrano acqua e piccioni.",
            "La cantina accanto alla mia è stata occupata da sconosciuti.",
        ],
        ["The flat on floor {piano} has been empty for months and the door was forced."],
    ),
    "neighbours": (
        [
            "Musica ad alto volume tutte le notti dall'alloggio sopra.",
            "Lite con i vicini per l'uso dello stenditoio comune.",
            "Il cane del vicino abbaia per ore quando resta solo.",
            "Discussioni continue sulla pulizia del pianerottolo, chiediamo una mediazione.",
        ],
        ["Loud music every night from the flat upstairs."],
    ),
    "rent-help": (
        [
            "Ho perso il lavoro e sono indietro di {mesi} mesi con l'affitto: come posso "
            "chiedere aiuto?",
            "Ho ricevuto una lettera di messa in mora da ALER, vorrei capire cosa fare.",
            "Chiedo informazioni sul contributo regionale di solidarietà.",
            "Le spese di riscaldamento sono aumentate molto, non riesco a pagarle.",
        ],
        ["I lost my job and I am {mesi} months behind with the rent: how can I get help?"],
    ),
    "information": (
        [
            "Come si presenta la domanda di cambio alloggio?",
            "Quando riapre il bando per l'assegnazione delle case popolari?",
            "Vorrei sapere a che punto è la mia pratica di voltura del contratto.",
            "Quali documenti servono per rinnovare l'ISEE?",
            "Ci sono corsi di italiano per adulti al laboratorio?",
        ],
        [
            "How do I apply for a transfer to another flat?",
            "Are there Italian classes for adults at the lab?",
        ],
    ),
    "building-site": (
        [
            "Lavori rumorosi dalle 7 del mattino, anche il sabato.",
            "La polvere del cantiere entra in casa, non si possono aprire le finestre.",
            "Il passaggio pedonale verso la fermata è chiuso senza indicazioni.",
            "Recinzione del cantiere divelta, i bambini ci entrano.",
        ],
        ["Noisy works from 7 am, Saturdays too.", "Dust from the site comes into the flats."],
    ),
}

RESOLUTIONS = {
    "lift": [
        "Il tecnico della ditta di manutenzione ha sostituito la scheda di controllo: "
        "ascensore di nuovo in funzione.",
        "Sbloccato l'ascensore e riparate le porte di piano.",
        "Sostituito il pulsante di chiamata al piano terra.",
    ],
    "heating": [
        "Riparata la pompa della centrale termica, riscaldamento ripristinato.",
        "Sfiatati i termosifoni e regolata la valvola: l'alloggio ora scalda.",
        "Ripristinata la produzione di acqua calda.",
    ],
    "leaks-mould": [
        "Sopralluogo del tecnico ALER: riparato lo scarico del piano superiore e trattata la "
        "muffa.",
        "Rifatta la guaina del tetto sopra la scala.",
        "Sostituiti i serramenti del soggiorno; consigliata l'aerazione quotidiana.",
    ],
    "cleaning": [
        "Pulizia straordinaria eseguita dalla ditta incaricata.",
        "Rimossi gli ingombranti dal cortile.",
        "Ripristinato il calendario delle pulizie.",
    ],
    "lighting": [
        "Sostituite le lampade e regolato il timer.",
        "Riparato il quadro elettrico delle parti comuni.",
        "Installati nuovi punti luce a LED nel cortile.",
    ],
    "safety": [
        "Riparata la serratura del portone e sostituito il chiudiporta.",
        "Messo in sicurezza il balcone e rimossi i calcinacci.",
        "Sostituita la porta delle cantine con una porta blindata.",
    ],
    "vacant-units": [
        "Alloggio chiuso con porta antintrusione in attesa di ristrutturazione.",
        "Verificato dal custode sociale: l'alloggio è stato assegnato a una nuova famiglia.",
        "Segnalazione trasmessa alla Polizia Locale, alloggio liberato e messo in sicurezza.",
    ],
    "neighbours": [
        "Incontro di mediazione al laboratorio con le famiglie coinvolte: concordati gli orari.",
        "Colloquio con il vicino, il problema si è risolto.",
        "Proposta una regola condivisa per lo stenditoio, approvata dall'assemblea di scala.",
    ],
    "rent-help": [
        "Presentata la domanda per il contributo di solidarietà.",
        "Concordato con ALER un piano di rientro in 24 rate.",
        "Orientamento ai servizi sociali del Municipio e allo sportello lavoro.",
    ],
    "information": [
        "Informazioni date allo sportello, consegnato il modulo.",
        "Risposto per telefono con i riferimenti dell'ufficio competente.",
        "Fissato un appuntamento con l'operatrice per compilare la domanda.",
    ],
    "building-site": [
        "L'impresa ha spostato l'inizio dei lavori rumorosi alle 8.",
        "Installata la bagnatura contro la polvere e ripristinata la recinzione.",
        "Aperto un percorso pedonale protetto con segnaletica.",
    ],
}
REJECTIONS = [
    "La segnalazione riguarda una proprietà privata: non è di competenza di ALER né del Comune.",
    "Non siamo riusciti a contattarla e la descrizione non basta a individuare il problema: "
    "può inviare una nuova segnalazione con più dettagli.",
    "Al sopralluogo il problema risultava già risolto.",
    "La questione è seguita dall'amministratore del condominio: le abbiamo dato i riferimenti.",
    "Per situazioni di pericolo immediato chiami il 112.",
]
REOPENINGS = [
    "Il problema si è ripresentato dopo pochi giorni.",
    "L'intervento non è stato fatto: il guasto c'è ancora.",
    "La riparazione è stata solo parziale.",
]
PUBLIC_COMMENTS = [
    "Abbiamo sollecitato l'intervento: la ringraziamo per la pazienza.",
    "Il tecnico passerà in mattinata nei prossimi giorni: lasci per favore libero l'accesso.",
    "Ci serve qualche dettaglio in più: può passare al laboratorio in orario di apertura?",
    "La ditta ha programmato l'intervento per la prossima settimana.",
    "Grazie della segnalazione: ne parleremo anche all'assemblea di scala.",
]
INTERNAL_COMMENTS = [
    "Telefonato al referente ALER, pratica aperta.",
    "Parlato con il custode sociale: conferma il problema.",
    "Da verificare al prossimo giro di prossimità.",
    "Segnalazione simile l'anno scorso, stesso alloggio.",
    "Famiglia fragile: seguire con l'assistente sociale.",
    "Richiesto preventivo alla ditta, in attesa.",
]
SMTP_ERRORS = [
    "SMTPRecipientsRefused: (550, '5.1.1 Recipient address rejected: User unknown')",
    "SMTPDataError: (452, '4.2.2 Mailbox full')",
    "SMTPServerDisconnected: Connection unexpectedly closed",
    "TimeoutError: timed out",
]
FIRST_NAMES = ["Maria", "Giuseppe", "Anna", "Luca", "Fatima", "Jose", "Elena", "Mohamed"]
LAST_NAMES = ["Rossi", "Colombo", "Ferrari", "Benali", "Quispe", "Popescu", "Santos", "Hu"]
# (channel, weekday weight, weekend weight, desk-like hours)
CHANNELS = [
    (ReportChannel.DESK, 34, 0),
    (ReportChannel.PHONE, 22, 0),
    (ReportChannel.EMAIL, 12, 12),
    (ReportChannel.OUTREACH, 7, 0),
    (ReportChannel.WEB, 19, 70),
    (ReportChannel.API, 6, 18),
]
CHANNEL_NAMES = [c for c, _w, _we in CHANNELS]
CHANNEL_CUM_OPEN = list(itertools.accumulate(w for _c, w, _we in CHANNELS))
CHANNEL_CUM_CLOSED = list(itertools.accumulate(we for _c, _w, we in CHANNELS))
# Business days to acknowledge: 0, 1, 2, 3, 4, 5 with these weights.
ACK_DELAY_CUM = list(itertools.accumulate([34, 30, 16, 9, 6, 5]))
# Share of reports taken on behalf of a registered resident, by channel.
ON_BEHALF: dict[str, float] = {
    ReportChannel.DESK: 0.75,
    ReportChannel.PHONE: 0.7,
    ReportChannel.OUTREACH: 0.8,
    ReportChannel.EMAIL: 0.4,
}
STAFF_CHANNELS = {ReportChannel.DESK, ReportChannel.PHONE, ReportChannel.OUTREACH}
REPORT_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "lab_id",
    "category_id",
    "status",
    "channel",
    "tracking_code",
    "description",
    "building_id",
    "entrance_id",
    "unit_id",
    "latitude",
    "longitude",
    "address_text",
    "resident_id",
    "submitted_by_id",
    "submitted_with_key_id",
    "contact_name",
    "contact_email",
    "contact_phone",
    "language",
    "attributes",
    "assigned_to_id",
    "forwarded_to_id",
    "merged_into_id",
    "resolution",
    "rejection_reason",
    "reopen_count",
    "submitted_at",
    "acknowledge_due_on",
    "resolve_due_on",
    "acknowledged_at",
    "forwarded_at",
    "resolved_at",
    "closed_at",
    "status_changed_at",
)
CHANGE_COLUMNS = ("id", "report_id", "from_status", "to_status", "actor_id", "at", "note")
COMMENT_COLUMNS = ("id", "created_at", "updated_at", "report_id", "author_id", "visibility", "body")
FOLLOWER_COLUMNS = ("id", "created_at", "updated_at", "report_id", "email", "language")
NOTIFICATION_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "lab_id",
    "report_id",
    "recipient",
    "subject",
    "body",
    "status",
    "attempt_count",
    "last_error",
    "sent_at",
)
# Every status once per lab at tiny scale, with a category that can reach it.
TINY_PLAN = [
    (S.SUBMITTED, "lift"),
    (S.ACKNOWLEDGED, "neighbours"),
    (S.FORWARDED, "heating"),
    (S.IN_PROGRESS, "leaks-mould"),
    (S.RESOLVED, "cleaning"),
    (S.CLOSED, "lighting"),
    (S.REOPENED, "lift"),
    (S.REJECTED, "information"),
    (S.MERGED, "heating"),  # into the forwarded heating report above
]
Event = tuple[str, dt.datetime, int | None, str]


def _int(rng: random.Random, low: int, high: int) -> int:
    """A whole number from low to high inclusive (``randint`` costs ten times more)."""
    return low + int(rng.random() * (high - low + 1))


def _pick(rng: random.Random, items: Any) -> Any:
    """One of ``items`` (``choice`` without its overhead)."""
    return items[int(rng.random() * len(items))]


def seed_demo(*, size: str, rng: random.Random, ctx: dict[str, Any]) -> None:
    """Give each lab its report categories, policy and a history of synthetic reports."""
    reader = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    if reader is None:
        return  # the territory seed creates the administrator the reads below go through
    labs: dict[str, Any] = ctx.get("labs") or labs_from_database(reader)
    if ctx.get("units"):
        units = {key: [_place(u) for u in lab_units] for key, lab_units in ctx["units"].items()}
    else:
        units = places_from_database(reader, labs)
    organisations = {o.pk: o for o in account_selectors.organisation_list()}
    key, _secret = services.open311_key_create(name="App di quartiere (demo)", actor=None)
    ids = _Ids()
    clock = _Clock(SUBDIVISION)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    # A million reports load far faster with the indexes built once at the end.
    loading = services.reports_bulk_load() if size == "region" else contextlib.nullcontext()
    templates: list[tuple[_LabBuilder, dict[str, Any]]] = []
    replicas = 0
    with loading:
        for lab_key, lab in labs.items():
            services.report_policy_update(
                actor=None, lab_id=lab.pk, holiday_subdivision=SUBDIVISION, reopen_days=REOPEN_DAYS
            )
            lab_units = units.get(lab_key, [])
            owner_id = next((u.owner_id for u in lab_units if u.owner_id), None)
            owner = organisations.get(owner_id or 0, lab.lead_organisation)
            categories = _create_categories(lab=lab, code_prefix=lab_key, owner=owner)
            residents = _residents(reader, lab, lab_units)
            staff = _staff(lab)
            # At region scale the labs without demo staff replay one of a few template labs.
            replay = size == "region" and not staff.lab
            if replay and len(templates) == REGION_TEMPLATES:
                template, template_rows = templates[replicas % REGION_TEMPLATES]
                replicas += 1
                rows = _Replica(
                    template=template,
                    rows=template_rows,
                    lab=lab,
                    categories=categories,
                    places=lab_units,
                    residents=residents,
                    ids=ids,
                    rng=rng,
                ).rows()
            else:
                builder = _LabBuilder(
                    rng=rng,
                    lab=lab,
                    size=size,
                    now=now,
                    ids=ids,
                    clock=clock,
                    categories=categories,
                    units=lab_units,
                    residents=residents,
                    staff=staff,
                    api_key_id=key.pk,
                )
                count = COUNTS[size].get(lab_key, REGION_PER_LAB if size == "region" else 0)
                if size == "tiny":
                    builder.build_plan(TINY_PLAN, extra=count if lab_key == "lorenteggio" else 0)
                else:
                    builder.build(count)
                rows = builder.rows()
                if replay:
                    templates.append((builder, rows))
            services.reports_bulk_create(actor=None, lab_id=lab.pk, **rows)


def labs_from_database(reader: Any) -> dict[str, Any]:
    """Return the labs keyed as the territory seed keys them (lorenteggio, bollate, lab001)."""
    labs = {}
    for lab in account_selectors.lab_list(user=reader).order_by("pk"):
        last = lab.slug.rsplit("-", 1)[-1]
        labs[f"lab{last}" if last.isdigit() else last] = lab
    return labs


@dataclass(frozen=True, slots=True)
class Place:
    """A unit with what the reports need of its stair and building."""

    pk: int
    building_id: int
    entrance_id: int
    floor: int
    stair: str
    street: str
    number: str
    latitude: Decimal | None
    longitude: Decimal | None
    has_lift: bool
    status: str
    owner_id: int | None


def _place(unit: Any) -> Place:
    b = unit.building
    return Place(
        unit.pk,
        unit.building_id,
        unit.entrance_id,
        unit.floor,
        unit.entrance.name,
        b.street,
        b.number,
        b.latitude,
        b.longitude,
        b.has_lift,
        b.status,
        b.owner_id,
    )


def places_from_database(reader: Any, labs: dict[str, Any]) -> dict[str, list[Place]]:
    """Return each lab's units when the seeding context does not hold them (seeding on top)."""
    rows = (
        territory_selectors.unit_list(user=reader)
        .order_by("pk")
        .values_list(
            "pk",
            "building_id",
            "entrance_id",
            "floor",
            "entrance__name",
            "building__street",
            "building__number",
            "building__latitude",
            "building__longitude",
            "building__has_lift",
            "building__status",
            "building__owner_id",
            "building__district_id",
        )
    )
    by_district: dict[int, list[Place]] = {}
    for row in rows:
        by_district.setdefault(row[-1], []).append(Place(*row[:-1]))
    return {key: by_district.get(lab.district_id, []) for key, lab in labs.items()}


def _create_categories(*, lab: Any, code_prefix: str, owner: Any) -> list[tuple[CategorySpec, Any]]:
    out = []
    for spec in CATEGORIES:
        handler = {"owner": owner, "comune": lab.lead_organisation, "lab": None}[spec.handler]
        category = services.category_create(
            actor=None,
            lab=lab,
            code=f"{code_prefix}-{spec.slug}",
            group=spec.group,
            name_it=spec.name_it,
            name_en=spec.name_en,
            description_it=spec.description_it,
            description_en=spec.description_en,
            responsible_organisation=handler,
            acknowledge_days=spec.acknowledge_days,
            resolve_days=spec.resolve_days,
            is_public=spec.is_public,
        )
        for attribute in ATTRIBUTES.get(spec.slug, []):
            services.category_attribute_save(actor=None, category=category, **attribute)
        out.append((spec, category))
    return out


def _residents(reader: Any, lab: Any, units: list[Place]) -> dict[int, list[tuple[int, str, str]]]:
    """Map unit id -> adults of the household living there: (resident id, e-mail, language)."""
    if not units:
        return {}
    tenancies = people_selectors.unit_tenants(user=reader, unit_ids=[u.pk for u in units])
    adults: dict[int, list[tuple[int, str, str]]] = {}
    rows = (
        people_selectors.resident_list(
            user=reader, lab_id=lab.pk, has_household="yes", with_address=False
        )
        .filter(household_role__in=["reference", "partner"])
        .values_list("id", "household_id", "email", "preferred_language")
    )
    for pk, household_id, email, language in rows:
        adults.setdefault(household_id, []).append((pk, email, language))
    return {
        unit_id: adults[t.household_id]
        for unit_id, t in tenancies.items()
        if t.household_id in adults
    }


@dataclass
class _Staff:
    coordinators: list[int]
    operators: list[int]
    housing: dict[int, list[int]]  # organisation id -> its housing staff in the lab

    @property
    def lab(self) -> list[int]:
        return self.operators + self.coordinators

    @property
    def heads(self) -> list[int]:
        return self.coordinators or self.lab


def _staff(lab: Any) -> _Staff:
    staff = _Staff([], [], {})
    for user in account_selectors.lab_staff_list(lab_id=lab.pk):
        roles = account_selectors.user_scope(user).roles
        if Role.LAB_COORDINATOR in roles:
            staff.coordinators.append(user.pk)
        elif Role.LAB_OPERATOR in roles:
            staff.operators.append(user.pk)
        elif Role.HOUSING_STAFF in roles:
            for org_id in account_selectors.user_organisation_ids(user):
                staff.housing.setdefault(org_id, []).append(user.pk)
    return staff


class _Ids:
    """Next free ids of the tables written in bulk (the rows carry their ids), and the codes."""

    def __init__(self) -> None:
        self.next = {
            model: (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
            for model in (Report, ReportStatusChange, ReportComment, ReportFollower, Notification)
        }
        self.codes: set[str] = set()
        if self.next[Report] > 1:
            self.codes.update(Report.objects.values_list("tracking_code", flat=True))

    def take(self, model: Any) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value

    def code(self, rng: random.Random) -> str:
        """A new tracking code in the format of ``report_submit``, drawn from ``rng``."""
        alphabet = services.TRACKING_ALPHABET  # 32 symbols: 5 random bits each
        while True:
            bits = rng.getrandbits(40)
            raw = "".join([alphabet[(bits >> shift) & 31] for shift in range(0, 40, 5)])
            code = f"SG-{raw[:4]}-{raw[4:]}"
            if code not in self.codes:
                self.codes.add(code)
                return code


class _Clock:
    """Business days and working hours in the lab's calendar (cached: called a million times)."""

    def __init__(self, subdivision: str) -> None:
        self.subdivision = subdivision
        self.tz = timezone.get_default_timezone()
        self._add: dict[tuple[dt.date, int], dt.date] = {}
        self._open: dict[dt.date, bool] = {}
        self._midnight: dict[dt.date, dt.datetime] = {}

    def is_open(self, day: dt.date) -> bool:
        value = self._open.get(day)
        if value is None:
            value = self._open[day] = sla.is_business_day(day, self.subdivision)
        return value

    def add(self, day: dt.date, days: int) -> dt.date:
        value = self._add.get((day, days))
        if value is None:
            value = self._add[(day, days)] = sla.add_business_days(day, days, self.subdivision)
        return value

    def at(self, day: dt.date, minute: int) -> dt.datetime:
        midnight = self._midnight.get(day)
        if midnight is None:
            midnight = dt.datetime(day.year, day.month, day.day, tzinfo=self.tz)
            self._midnight[day] = midnight
        return midnight + dt.timedelta(minutes=minute)

    def work(self, rng: random.Random, day: dt.date, after: dt.datetime) -> dt.datetime:
        """A moment in working hours on ``day`` (or the next business day), later than after."""
        while not self.is_open(day):
            day += dt.timedelta(days=1)
        when = self.at(day, _int(rng, 9 * 60, 17 * 60 + 50))
        if when <= after:
            when = after + dt.timedelta(minutes=_int(rng, 12, 150))
        return when

    def later(self, rng: random.Random, after: dt.datetime, days: int) -> dt.datetime:
        """A moment in working hours ``days`` business days after ``after``."""
        return self.work(rng, self.add(after.astimezone(self.tz).date(), days), after)


@dataclass(slots=True)
class _Report:
    id: int
    code: str
    spec: CategorySpec
    category: Any
    at: dt.datetime
    day: dt.date
    channel: str
    unit: Any
    place: str
    resident: tuple[int, str, str] | None
    contact: tuple[str, str, str]
    language: str
    description: str
    answers: dict[str, Any]
    followers: list[str]
    events: list[Event]
    merged_into: _Report | None = None
    open_until: dt.datetime | None = None

    def move(self, at: dt.datetime) -> None:
        self.at = at
        self.day = at.astimezone(timezone.get_default_timezone()).date()


class _LabBuilder:
    """Builds one lab's reports and their history rows in memory."""

    def __init__(
        self,
        *,
        rng: random.Random,
        lab: Any,
        size: str,
        now: dt.datetime,
        ids: _Ids,
        clock: _Clock,
        categories: list[tuple[CategorySpec, Any]],
        units: list[Place],
        residents: dict[int, list[tuple[int, str, str]]],
        staff: _Staff,
        api_key_id: int,
    ) -> None:
        self.rng = rng
        self.lab = lab
        self.size = size
        self.now = now
        self.today = timezone.localdate(now)
        self.ids = ids
        self.categories = categories
        self.by_slug = {spec.slug: (spec, category) for spec, category in categories}
        self.clock = clock
        self.staff = staff
        self.api_key_id = api_key_id
        self.residents = residents
        self.places = units
        living = (BuildingStatus.INHABITED, BuildingStatus.BEING_VACATED)
        inhabited = [u for u in units if u.status in living]
        self.occupied = [u for u in inhabited if u.pk in residents] or inhabited
        self.vacant = [u for u in inhabited if u.pk not in residents] or self.occupied
        self.lifted = [u for u in self.occupied if u.has_lift]
        works = {u.street for u in units if u.status == BuildingStatus.UNDER_WORKS}
        self.near_works = [u for u in self.occupied if u.street in works] or self.occupied
        self.neighbours: dict[int, list[Place]] = {}
        for u in self.occupied:
            self.neighbours.setdefault(u.building_id, []).append(u)
        self.reports: list[_Report] = []
        # The notes the workflow services write, in the language active while seeding.
        self.texts = {
            "forwarded": gettext("Forwarded to %(org)s."),
            "merged": gettext("Merged into report %(code)s, which you can follow from now on."),
            "merged_comment": gettext(
                "Report %(code)s was merged into this one (submitted %(date)s): %(text)s"
            ),
        }
        self.comments: list[tuple[_Report, dt.datetime, int | None, str, str]] = []

    # --- Drawing reports --------------------------------------------------------------------

    def _cells(self, days: int) -> tuple[list[tuple[dt.date, int]], list[float]]:
        """Weights of (day, category) over the window: seasons, weekdays, holidays, growth."""
        cells: list[tuple[dt.date, int]] = []
        cum: list[float] = []
        total = 0.0
        start = self.today - dt.timedelta(days=days - 1)
        for offset in range(days):
            day = start + dt.timedelta(days=offset)
            base = WEEKDAY[day.weekday()] * (1.0 if self.clock.is_open(day) else 0.4)
            if day.month == 8:
                base *= 0.6  # the desk works short hours in August
            for index, (spec, _category) in enumerate(self.categories):
                weight = spec.weight * spec.months[day.month - 1] * base
                if spec.slug == "building-site":
                    weight *= 0.2 + 1.8 * offset / days  # the works started during the programme
                elif spec.slug == "lift" and not self.lifted:
                    weight = 0.0
                total += weight
                cells.append((day, index))
                cum.append(total)
        return cells, cum

    def _channel(self, day: dt.date) -> str:
        cum = CHANNEL_CUM_OPEN if self.clock.is_open(day) else CHANNEL_CUM_CLOSED
        return CHANNEL_NAMES[bisect.bisect(cum, self.rng.random() * cum[-1])]

    def _when(self, day: dt.date, channel: str) -> dt.datetime:
        rng = self.rng
        if channel == ReportChannel.DESK:
            minute = _pick(rng, [_int(rng, 570, 750), _int(rng, 870, 1050)])
        elif channel in (ReportChannel.PHONE, ReportChannel.OUTREACH):
            minute = _int(rng, 540, 1080)
        else:
            minute = int(rng.triangular(420, 1430, 1260))
        return self.clock.at(day, minute)

    def _unit(self, spec: CategorySpec) -> Any:
        if spec.place == "vacant":
            pool = self.vacant
        elif spec.slug == "lift":
            pool = self.lifted or self.occupied
        elif spec.slug == "building-site":
            pool = self.near_works
        else:
            pool = self.occupied
        return _pick(self.rng, pool) if pool else None

    def _reporter(
        self, unit: Any, spec: CategorySpec, channel: str
    ) -> tuple[tuple[int, str, str] | None, tuple[str, str, str]]:
        """A resident living there (reports taken on their behalf), or an outside contact."""
        rng = self.rng
        home = unit
        if unit is not None and spec.place == "vacant":
            neighbours = self.neighbours.get(unit.building_id) or []
            home = _pick(rng, neighbours) if neighbours else None
        adults = self.residents.get(home.pk) if home is not None else None
        if adults and rng.random() < ON_BEHALF.get(channel, 0.0):
            return _pick(rng, adults), ("", "", "")
        if channel == ReportChannel.API and rng.random() < 0.3:
            return None, ("", "", "")  # Open311 allows reports without contact details
        first, last = _pick(rng, FIRST_NAMES), _pick(rng, LAST_NAMES)
        email = f"{first}.{last}{_int(rng, 1, 99)}@example.org".lower()
        if channel in (ReportChannel.PHONE, ReportChannel.DESK) and rng.random() < 0.5:
            email = ""
        phone = ""
        if channel != ReportChannel.EMAIL and (not email or rng.random() < 0.4):
            phone = f"+39 3{_int(rng, 10, 99)} {_int(rng, 100, 999)} {_int(rng, 1000, 9999)}"
        return None, (f"{first} {last}", email, phone)

    def _description(self, spec: CategorySpec, language: str, unit: Any) -> str:
        rng = self.rng
        italian, english = DESCRIPTIONS[spec.slug]
        template = _pick(rng, english if language == "en" else italian)
        stair = unit.stair if unit is not None else "Scala A"
        floor = max(1, unit.floor if unit is not None else _int(rng, 1, 5))
        return template.format(
            scala=stair if language == "en" else stair.lower(),
            giorni=_int(rng, 2, 9),
            settimane=_int(rng, 2, 5),
            mesi=_int(rng, 2, 8),
            piano=floor,
            piano2=floor + 1,
        )

    def _answers(self, spec: CategorySpec) -> dict[str, Any]:
        rng = self.rng
        if spec.slug == "lift":
            return {"reduced-mobility": "yes" if rng.random() < 0.35 else "no"}
        if spec.slug == "heating":
            return {"extent": rng.choices(["flat", "stair", "building"], [5, 3, 2])[0]}
        if spec.slug == "leaks-mould":
            answers: dict[str, Any] = {
                "rooms": sorted(rng.sample(["kitchen", "bathroom", "bedroom", "living"], 2))
            }
            if rng.random() < 0.5:
                answers["months"] = str(_int(rng, 1, 24))
            return answers
        if spec.slug == "building-site" and rng.random() < 0.7:
            return {"when": _pick(rng, ["early", "day", "evening", "weekend"])}
        return {}

    def _report(
        self, spec: CategorySpec, category: Any, when: dt.datetime, channel: str, unit: Any
    ) -> _Report:
        rng = self.rng
        resident, contact = self._reporter(unit, spec, channel)
        # Foreign-born residents sometimes prefer English; Italian is the default.
        foreign = resident is not None and resident[2] not in ("", "it")
        language = (
            "en" if rng.random() < (0.4 if foreign else 0.05 if resident is None else 0) else "it"
        )
        email = contact[1] or (resident[1] if resident else "")
        place = spec.place
        if channel in (ReportChannel.WEB, ReportChannel.API) and rng.random() < 0.15:
            place = "point"
        submitter = None
        if channel in STAFF_CHANNELS or channel == ReportChannel.EMAIL:
            submitter = self._actor(self.staff.lab)
        report = _Report(
            id=self.ids.take(Report),
            code=self.ids.code(rng),
            spec=spec,
            category=category,
            at=when,
            day=when.astimezone(self.clock.tz).date(),
            channel=channel,
            unit=unit,
            place=place,
            resident=resident,
            contact=contact,
            language=language,
            description=self._description(spec, language, unit),
            answers=self._answers(spec),
            followers=[email] if email and rng.random() < 0.85 else [],
            events=[(S.SUBMITTED, when, submitter, "")],
        )
        self.reports.append(report)
        return report

    def _actor(self, pool: list[int]) -> int | None:
        return _pick(self.rng, pool) if pool else None

    # --- Histories --------------------------------------------------------------------------

    def build(self, count: int) -> None:
        """Draw ``count`` reports over the window and give each its history up to now."""
        if count <= 0:
            return
        rng = self.rng
        cells, cum = self._cells(DAYS[self.size])
        planned = []
        for day, index in rng.choices(cells, cum_weights=cum, k=count):
            channel = self._channel(day)
            when = self._when(day, channel)
            if when > self.now:
                when = self.now - dt.timedelta(minutes=_int(rng, 5, 600))
            planned.append((when, index, channel))
        planned.sort(key=lambda p: p[0])
        recent: dict[int, tuple[dt.datetime, Any]] = {}
        open_by_place: dict[tuple[int, int], _Report] = {}
        for when, index, channel in planned:
            spec, category = self.categories[index]
            unit = self._unit(spec)
            last = recent.get(index)
            # A lift that breaks or a boiler that stops makes several neighbours report it.
            recent_here = spec.cluster and last and when - last[0] < dt.timedelta(days=3)
            if recent_here and last and rng.random() < spec.cluster:
                unit = _pick(rng, self.neighbours.get(last[1].building_id) or [last[1]])
            if unit is not None:
                recent[index] = (when, unit)
            report = self._report(spec, category, when, channel, unit)
            place = (index, unit.building_id) if unit is not None else None
            target = open_by_place.get(place) if place and spec.mergeable else None
            if (
                target is not None
                and (target.open_until is None or target.open_until > when)
                and rng.random() < MERGE_SHARE
                and self._merge(report, target)
            ):
                continue
            self._history(report)
            if place and spec.mergeable and report.place != "point":
                open_by_place[place] = report

    def build_plan(self, plan: list[tuple[ReportStatus, str]], *, extra: int) -> None:
        """Make one report in each listed status (tiny scale), then ``extra`` drawn ones."""
        forwarded: _Report | None = None
        for n, (status, slug) in enumerate(plan):
            spec, category = self.by_slug[slug]
            if status == S.SUBMITTED:
                when = self.now - dt.timedelta(hours=3)
            elif status in (S.CLOSED, S.REOPENED, S.RESOLVED):
                when = self.now - dt.timedelta(days=80 + n)
            else:
                when = self.now - dt.timedelta(days=25 + n)
            minute = _int(self.rng, 570, 1050)  # while the desk is open
            when = min(self.clock.at(timezone.localdate(when), minute), self.now)
            merging = status == S.MERGED and forwarded is not None
            unit = forwarded.unit if merging and forwarded else self._unit(spec)
            report = self._report(spec, category, when, ReportChannel.DESK, unit)
            if merging and forwarded is not None:
                report.move(forwarded.at + (self.now - forwarded.at) / 2)
                report.events[0] = (S.SUBMITTED, report.at, report.events[0][2], "")
                self._merge(report, forwarded, force=True)
            else:
                self._history(report, stop_at=status)
                if status == S.FORWARDED:
                    forwarded = report
        self.build(extra)

    def _merge(self, report: _Report, target: _Report, *, force: bool = False) -> bool:
        """Merge a duplicate into the open report of the same category and building."""
        rng = self.rng
        at = self.clock.work(rng, report.day + dt.timedelta(days=_int(rng, 0, 1)), report.at)
        if force:
            at = min(at, self.now - dt.timedelta(minutes=5))
        elif at > self.now or (target.open_until is not None and at >= target.open_until):
            return False
        if rng.random() < 0.3 and not force:
            ack = report.at + (at - report.at) / 2
            report.events.append((S.ACKNOWLEDGED, ack, self._actor(self.staff.lab), ""))
        note = self.texts["merged"] % {"code": target.code}
        report.events.append((S.MERGED, at, self._actor(self.staff.lab), note))
        report.merged_into = target
        report.open_until = at
        report.place = report.spec.place  # staff found the building the duplicate is about
        body = self.texts["merged_comment"] % {
            "code": report.code,
            "date": timezone.localtime(report.at).strftime("%d/%m/%Y"),
            "text": report.description[:500],
        }
        self.comments.append(
            (target, at, self._actor(self.staff.lab), CommentVisibility.INTERNAL, body)
        )
        for email in report.followers:
            if email not in target.followers:
                target.followers.append(email)
        return True

    def _history(self, report: _Report, *, stop_at: str | None = None) -> None:
        """Plan the report's whole life, then keep what happened before now."""
        rng, clock, staff = self.rng, self.clock, self.staff
        spec, events = report.spec, report.events
        org = report.category.responsible_organisation
        handlers = staff.housing.get(org.pk, []) if org is not None else []
        forced = stop_at is not None
        age = (self.today - report.day).days
        # Some reports wait beyond their service level, most of all the recent ones.
        stuck = not forced and rng.random() < (0.1 if age < 120 else 0.04 if age < 365 else 0.015)
        reject = stop_at == S.REJECTED or (not forced and rng.random() < spec.reject)
        reopen = stop_at == S.REOPENED or (not forced and rng.random() < 0.05)
        delay = bisect.bisect(ACK_DELAY_CUM, rng.random() * ACK_DELAY_CUM[-1])
        t = clock.work(rng, clock.add(report.day, delay), report.at)
        if reject and rng.random() < 0.5:
            events.append((S.REJECTED, t, self._actor(staff.heads), _pick(rng, REJECTIONS)))
            return self._finish(report, stop_at)
        events.append((S.ACKNOWLEDGED, t, self._actor(staff.lab), ""))
        if reject:
            t = clock.later(rng, t, _int(rng, 0, 3))
            events.append((S.REJECTED, t, self._actor(staff.heads), _pick(rng, REJECTIONS)))
            return self._finish(report, stop_at)
        t = self._handle(report, t, org, handlers, start=stop_at == S.IN_PROGRESS)
        if stuck:
            return self._finish(report, stop_at)
        span = max(1, round(spec.resolve_days * rng.lognormvariate(-0.45, 0.55)))
        t = clock.work(rng, clock.add(report.day, min(span, 20) if forced else span), t)
        resolvers = handlers or staff.lab
        events.append((S.RESOLVED, t, self._actor(resolvers), _pick(rng, RESOLUTIONS[spec.slug])))
        if reopen:
            t += dt.timedelta(minutes=_int(rng, 24 * 60, (REOPEN_DAYS - 3) * 24 * 60))
            events.append((S.REOPENED, t, None, _pick(rng, REOPENINGS)))
            if not forced and rng.random() < 0.85:
                t = self._handle(report, t, org, handlers, start=False, again=True)
                t = clock.later(rng, t, _int(rng, 2, 10))
                resolution = _pick(rng, RESOLUTIONS[spec.slug])
                events.append((S.RESOLVED, t, self._actor(resolvers), resolution))
        if events[-1][0] == S.RESOLVED and (forced or rng.random() < 0.97):
            t = clock.later(rng, t + dt.timedelta(days=_int(rng, 15, 25)), 0)
            events.append((S.CLOSED, t, self._actor(staff.heads), ""))
        return self._finish(report, stop_at)

    def _handle(
        self,
        report: _Report,
        t: dt.datetime,
        org: Any,
        handlers: list[int],
        *,
        start: bool,
        again: bool = False,
    ) -> dt.datetime:
        """Forward to the responsible organisation, and maybe start the work."""
        rng, clock, staff, events = self.rng, self.clock, self.staff, report.events
        if org is not None and (not again or rng.random() < 0.7):
            t = clock.later(rng, t, _pick(rng, [0, 0, 1, 1, 2, 3]))
            note = self.texts["forwarded"] % {"org": org.name}
            events.append((S.FORWARDED, t, self._actor(staff.lab), note))
        if start or rng.random() < (0.65 if org is not None else 0.45):
            t = clock.later(rng, t, _int(rng, 0, 5))
            events.append((S.IN_PROGRESS, t, self._actor(handlers or staff.lab), ""))
        return t

    def _finish(self, report: _Report, stop_at: str | None) -> None:
        events = report.events
        if stop_at is not None:
            cut = next(i for i, e in enumerate(events) if e[0] == stop_at)
            del events[cut + 1 :]
            if events[-1][1] > self.now:  # a planned step must lie in the past
                shift = dt.timedelta(days=(events[-1][1] - self.now).days + 1)
                events[:] = [(s, at - shift, a, n) for s, at, a, n in events]
                report.move(events[0][1])
        for status, at, _actor, _note in events:
            if status == S.RESOLVED or status == S.REJECTED:
                report.open_until = at
                break
        if events[-1][1] > self.now:
            events[:] = [e for e in events if e[1] <= self.now]
        if len(events) < 2:
            return
        # Staff write to the resident, or a note to each other, on part of the reports.
        start = events[1][1]
        end = min(self.now, max(events[-1][1], start + dt.timedelta(days=3)))
        chance = 0.7 if self.size == "tiny" else 0.3
        for visibility, pool, odds in (
            (CommentVisibility.PUBLIC, PUBLIC_COMMENTS, chance),
            (CommentVisibility.INTERNAL, INTERNAL_COMMENTS, chance * 0.8),
        ):
            if self.rng.random() < odds:
                at = start + (end - start) * self.rng.random()
                body = _pick(self.rng, pool)
                self.comments.append((report, at, self._actor(self.staff.lab), visibility, body))

    # --- Rows -------------------------------------------------------------------------------

    def rows(self) -> dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]]:
        """Return the rows of the five tables, in the columns ``reports_bulk_create`` takes."""
        reports, changes, followers = [], [], []
        for r in self.reports:
            report_row, change_rows = self._report_row(r)
            reports.append(report_row)
            changes.extend(change_rows)
            for email in r.followers:
                followers.append(
                    (self.ids.take(ReportFollower), r.at, r.at, r.id, email, r.language)
                )
        comments = [
            (self.ids.take(ReportComment), at, at, report.id, author, visibility, body)
            for report, at, author, visibility, body in sorted(
                self.comments, key=lambda c: (c[1], c[0].id)
            )
        ]
        return {
            "reports": (REPORT_COLUMNS, reports),
            "status_changes": (CHANGE_COLUMNS, changes),
            "comments": (COMMENT_COLUMNS, comments),
            "followers": (FOLLOWER_COLUMNS, followers),
            "notifications": (NOTIFICATION_COLUMNS, self._outbox()),
        }

    def _report_row(self, r: _Report) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
        rng, clock, category, unit = self.rng, self.clock, r.category, r.unit
        status = r.events[-1][0]
        acknowledged_at = forwarded_at = resolved_at = closed_at = None
        forwarded_to = None
        resolution = rejection = ""
        reopen_count = 0
        day = r.day
        ack_due = clock.add(day, category.acknowledge_days)
        resolve_due = clock.add(day, category.resolve_days)
        previous = ""
        changes = []
        for to_status, at, actor, note in r.events:
            if to_status in (S.ACKNOWLEDGED, S.FORWARDED, S.IN_PROGRESS, S.RESOLVED):
                acknowledged_at = acknowledged_at or at
            if to_status == S.FORWARDED:
                forwarded_at, forwarded_to = at, category.responsible_organisation_id
            elif to_status == S.RESOLVED:
                resolved_at, resolution = at, note
            elif to_status in (S.CLOSED, S.MERGED):
                closed_at = at
            elif to_status == S.REJECTED:
                closed_at, rejection = at, note
            elif to_status == S.REOPENED:
                reopen_count += 1
                closed_at = None
                resolve_due = clock.add(at.astimezone(clock.tz).date(), category.resolve_days)
            changes.append(
                (self.ids.take(ReportStatusChange), r.id, previous, to_status, actor, at, note)
            )
            previous = to_status
        last_at = r.events[-1][1]
        assignee = None
        if self.staff.lab and status != S.MERGED:
            org_staff = self.staff.housing.get(forwarded_to or 0, [])
            if org_staff and rng.random() < 0.55:
                assignee = _pick(rng, org_staff)
            elif rng.random() < (0.05 if status == S.SUBMITTED else 0.45):
                assignee = _pick(rng, self.staff.lab)
        building = entrance = unit_id = lat = lon = None
        address = ""
        if r.place == "point" and unit is not None:
            b = unit
            lat = Decimal(b.latitude or 0) + Decimal(_int(rng, -300, 300)) / 1_000_000
            lon = Decimal(b.longitude or 0) + Decimal(_int(rng, -300, 300)) / 1_000_000
            address = f"{b.street}, vicino al civico {b.number}"
        elif r.place == "lab" or unit is None:
            address = self.lab.address or self.lab.name
        else:
            building = unit.building_id
            if r.place in ("stair", "unit", "vacant"):
                entrance = unit.entrance_id
            if r.place in ("unit", "vacant"):
                unit_id = unit.pk
        name, email, phone = r.contact
        row = (
            r.id,
            r.at,
            last_at,
            self.lab.pk,
            category.pk,
            status,
            r.channel,
            r.code,
            r.description,
            building,
            entrance,
            unit_id,
            lat,
            lon,
            address,
            r.resident[0] if r.resident else None,
            r.events[0][2],
            self.api_key_id if r.channel == ReportChannel.API else None,
            name,
            email,
            phone,
            r.language,
            r.answers,
            assignee,
            forwarded_to,
            r.merged_into.id if r.merged_into is not None else None,
            resolution,
            rejection,
            reopen_count,
            r.at,
            ack_due,
            resolve_due,
            acknowledged_at,
            forwarded_at,
            resolved_at,
            closed_at,
            last_at,
        )
        return row, changes

    def _outbox(self) -> list[tuple[Any, ...]]:
        """The e-mails of the most recent public changes: mostly sent, a few bounced."""
        rng = self.rng
        candidates: list[tuple[dt.datetime, int, _Report, str, str]] = []
        for r in self.reports:
            if r.followers:
                candidates.extend((at, r.id, r, s, note) for s, at, _a, note in r.events)
        for r, at, _author, visibility, body in self.comments:
            if r.followers and visibility == CommentVisibility.PUBLIC:
                candidates.append((at, r.id, r, "comment", body))
        candidates = sorted(candidates, key=lambda c: (c[0], c[1]))[-OUTBOX[self.size] :]
        base = settings.QUARTIERE_PUBLIC_URL.rstrip("/")
        rows: list[list[Any]] = []
        for at, _id, r, event, note in candidates:
            status = r.events[0][0]
            for s, when, _a, _n in r.events:
                if when <= at:
                    status = s
            with translation.override(r.language):
                context = {
                    "report": {"tracking_code": r.code},
                    "event": event,
                    "note": note,
                    "status": S(status).label,
                    "category": r.category.name,
                    "tracking_url": base + reverse("reports_public:track", args=[r.code]),
                }
                subject = render_to_string("reports/email/subject.txt", context).strip()[:200]
                body = render_to_string("reports/email/body.txt", context)
            for email in r.followers:
                sent = at + dt.timedelta(seconds=_int(rng, 2, 90))
                rows.append(
                    [
                        self.ids.take(Notification),
                        at,
                        sent,
                        self.lab.pk,
                        r.id,
                        email,
                        subject,
                        body,
                        NotificationStatus.SENT,
                        1,
                        "",
                        sent,
                    ]
                )
        if rows:
            failing = max(1, math.ceil(len(rows) * 0.04))
            for row in rng.sample(rows, min(failing, len(rows))):
                row[8:12] = [
                    NotificationStatus.FAILED,
                    _int(rng, 1, 3),
                    _pick(rng, SMTP_ERRORS),
                    None,
                ]
        return [tuple(row) for row in rows]


# --- Region scale: labs that replay a template lab's reports ---------------------------------

COLUMN = {name: i for i, name in enumerate(REPORT_COLUMNS)}
CODE_IN_TEXT = re.compile(r"SG-[A-Z0-9]{4}-[A-Z0-9]{4}")


class _Layout:
    """A lab's units as buildings -> stairs -> units, to map one lab's places onto another's."""

    def __init__(self, places: list[Place]) -> None:
        self.buildings: list[list[list[Place]]] = []
        self.where: dict[int, tuple[int, int, int]] = {}  # unit id -> building, stair, unit
        self.stair: dict[int, tuple[int, int]] = {}  # stair id -> building, stair
        self.building: dict[int, int] = {}  # building id -> building
        stairs: dict[int, tuple[int, int]] = {}
        for place in places:
            if place.building_id not in self.building:
                self.building[place.building_id] = len(self.buildings)
                self.buildings.append([])
            b = self.building[place.building_id]
            if place.entrance_id not in stairs:
                stairs[place.entrance_id] = (b, len(self.buildings[b]))
                self.buildings[b].append([])
            _b, e = stairs[place.entrance_id]
            self.where[place.pk] = (b, e, len(self.buildings[b][e]))
            self.buildings[b][e].append(place)
        self.stair = stairs

    def unit(self, b: int, e: int = 0, u: int = 0) -> Place:
        stairs = self.buildings[b % len(self.buildings)]
        units = stairs[e % len(stairs)]
        return units[u % len(units)]


class _Replica:
    """One lab's copy of a template lab's reports: the same stories, told in its own buildings,
    with its own categories, residents, ids and tracking codes (region scale only: a million
    reports drawn one by one would take many minutes)."""

    def __init__(
        self,
        *,
        template: _LabBuilder,
        rows: dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]],
        lab: Any,
        categories: list[tuple[CategorySpec, Any]],
        places: list[Place],
        residents: dict[int, list[tuple[int, str, str]]],
        ids: _Ids,
        rng: random.Random,
    ) -> None:
        self.template, self.source, self.lab = template, rows, lab
        self.residents, self.ids, self.rng = residents, ids, rng
        self.category = {
            old.pk: new
            for (_s, old), (_t, new) in zip(template.categories, categories, strict=True)
        }
        self.old_layout = _Layout(template.places)
        self.new_layout = _Layout(places)

    def _place_of(self, unit: Place | None) -> Place | None:
        if unit is None or not self.new_layout.buildings:
            return None
        return self.new_layout.unit(*self.old_layout.where[unit.pk])

    def rows(self) -> dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]]:
        """Return the copied rows, in the columns ``reports_bulk_create`` takes."""
        rng, ids, template = self.rng, self.ids, self.template
        old_reports = template.reports
        first_old = old_reports[0].id if old_reports else 0
        first_new = ids.next[Report]
        ids.next[Report] += len(old_reports)
        lab_id = self.lab.pk
        codes: dict[str, str] = {}
        emails: dict[tuple[int, str], str | None] = {}  # (report, old e-mail) -> new or dropped
        reports = []
        c = COLUMN
        for story, old in zip(old_reports, self.source["reports"][1], strict=True):
            row = list(old)
            new_id = story.id - first_old + first_new
            code = ids.code(rng)
            codes[story.code] = code
            category = self.category[old[c["category_id"]]]
            place = self._place_of(story.unit)
            row[c["id"]] = new_id
            row[c["lab_id"]] = lab_id
            row[c["category_id"]] = category.pk
            row[c["tracking_code"]] = code
            if old[c["forwarded_to_id"]] is not None:
                row[c["forwarded_to_id"]] = category.responsible_organisation_id
            if story.merged_into is not None:
                row[c["merged_into_id"]] = story.merged_into.id - first_old + first_new
            if place is not None and old[c["building_id"]] is not None:
                row[c["building_id"]] = place.building_id
                row[c["entrance_id"]] = place.entrance_id if old[c["entrance_id"]] else None
                row[c["unit_id"]] = place.pk if old[c["unit_id"]] else None
            elif place is not None and old[c["latitude"]] is not None and story.unit is not None:
                row[c["latitude"]] = (
                    old[c["latitude"]] - (story.unit.latitude or 0) + (place.latitude or 0)
                )
                row[c["longitude"]] = (
                    old[c["longitude"]] - (story.unit.longitude or 0) + (place.longitude or 0)
                )
                row[c["address_text"]] = f"{place.street}, vicino al civico {place.number}"
            elif old[c["address_text"]]:
                row[c["address_text"]] = self.lab.address or self.lab.name
            if story.resident is not None:
                adults = self.residents.get(place.pk) if place is not None else None
                resident = _pick(rng, adults) if adults else None
                row[c["resident_id"]] = resident[0] if resident else None
                if story.resident[1]:
                    emails[(story.id, story.resident[1])] = resident[1] if resident else None
            reports.append(tuple(row))

        shift = first_new - first_old

        def report_id(old_id: int) -> int:
            return old_id + shift

        def recode(text: str) -> str:
            if "SG-" not in text:
                return text
            return CODE_IN_TEXT.sub(lambda m: codes.get(m.group(), m.group()), text)

        old_changes = self.source["status_changes"][1]
        first = ids.next[ReportStatusChange]
        ids.next[ReportStatusChange] += len(old_changes)
        changes = [
            (new_id, rid + shift, old, new, actor, at, recode(note) if note else note)
            for new_id, (_id, rid, old, new, actor, at, note) in enumerate(old_changes, first)
        ]
        comments = [
            (ids.take(ReportComment), created, updated, report_id(rid), author, kind, recode(body))
            for _id, created, updated, rid, author, kind, body in self.source["comments"][1]
        ]
        followers = []
        seen: set[tuple[int, str]] = set()
        for _id, created, updated, rid, email, language in self.source["followers"][1]:
            new_email = emails.get((rid, email), email)
            if new_email and (rid, new_email) not in seen:
                seen.add((rid, new_email))
                followers.append(
                    (
                        ids.take(ReportFollower),
                        created,
                        updated,
                        report_id(rid),
                        new_email,
                        language,
                    )
                )
        notifications = []
        for sent in self.source["notifications"][1]:
            _id, created, updated, _lab, rid, recipient, subject, body, *rest = sent
            new_email = emails.get((rid, recipient), recipient)
            if new_email:
                notifications.append(
                    (
                        ids.take(Notification),
                        created,
                        updated,
                        self.lab.pk,
                        report_id(rid),
                        new_email,
                        recode(subject),
                        recode(body),
                        *rest,
                    )
                )
        return {
            "reports": (REPORT_COLUMNS, reports),
            "status_changes": (CHANGE_COLUMNS, changes),
            "comments": (COMMENT_COLUMNS, comments),
            "followers": (FOLLOWER_COLUMNS, followers),
            "notifications": (NOTIFICATION_COLUMNS, notifications),
        }
