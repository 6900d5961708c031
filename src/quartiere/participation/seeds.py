"""Demo data: the Giambellino 129 green area process (2019) and processes open today.

- Lorenteggio, "Giambellino 129 green area" (27,000 m²): information in June 2019, three
  co-design workshops July-November 2019, proposals and supports, outcomes (linked to the
  programme action ``giambellino-129`` when the programme seed created it), results.
- Lorenteggio, "Courtyards of via Segneri" and Bollate, "Piazza della Martesana": processes
  whose supports phase is in force today (dates relative to today), so the demo resident
  ``residente.lorenteggio`` can support a proposal.

Processes, phases and workshops go through the services (audited); the history of proposals,
status changes and supports is written in bulk with its own dates (services date them now).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from quartiere.accounts import selectors as account_selectors
from quartiere.participation import services
from quartiere.participation.enums import (
    PhaseKind,
    ProcessStatus,
    ProposalChannel,
    ProposalStatus,
)
from quartiere.participation.models import (
    Process,
    Proposal,
    ProposalComment,
    ProposalStatusChange,
    Support,
)
from quartiere.people import selectors as people_selectors

GIAMBELLINO_SLUG = "giambellino-129"
G129_TEXT_IT = (
    "Un'area verde di 27.000 m² tra via Giambellino e via Lorenteggio, progettata insieme agli "
    "abitanti in tre laboratori di co-progettazione (luglio-novembre 2019). Le proposte "
    "raccolte e i sostegni degli abitanti hanno orientato il progetto del parco, aperto a "
    "giugno 2024."
)
G129_TEXT_EN = (
    "A 27,000 m² green area between via Giambellino and via Lorenteggio, designed with the "
    "residents in three co-design workshops (July-November 2019). The proposals collected and "
    "the residents' supports shaped the design of the park, opened in June 2024."
)
G129_WORKSHOPS = [
    (
        dt.date(2019, 7, 11),
        "Laboratorio 1: come usiamo l'area oggi",
        "Workshop 1: how we use the area today",
        38,
        "Mappa dei percorsi e dei luoghi frequentati; richieste principali: ombra, panchine, "
        "illuminazione, spazi per bambini piccoli, un'area cani separata.",
    ),
    (
        dt.date(2019, 9, 26),
        "Laboratorio 2: le funzioni del parco",
        "Workshop 2: what the park is for",
        45,
        "Lavoro in tavoli: gioco, sport, orti condivisi, socialità. Scelte le funzioni da "
        "mettere alla prova con i sostegni: orti, campo polivalente, zona relax alberata.",
    ),
    (
        dt.date(2019, 11, 21),
        "Laboratorio 3: restituzione e priorità",
        "Workshop 3: feedback and priorities",
        52,
        "Presentazione del progetto di massima, discussione delle proposte più sostenute e "
        "delle priorità di realizzazione. Verbale inviato ai progettisti del Comune.",
    ),
]
# title, description, outcome, reason, supports share of the threshold
G129_PROPOSALS = [
    (
        "Orti condivisi gestiti dagli abitanti",
        "Una zona di orti in cassoni rialzati, accessibili anche a chi è in sedia a rotelle, "
        "gestita da un'associazione di abitanti con regole semplici e turni.",
        ProposalStatus.ACCEPTED,
        "Realizzati 24 orti rialzati nell'angolo nord; gestione affidata a un'associazione "
        "di abitanti con un patto di collaborazione.",
        1.6,
    ),
    (
        "Area giochi per bambini sotto i 6 anni",
        "Giochi per i più piccoli in una zona recintata e ombreggiata, con panchine per i "
        "genitori vicino all'ingresso da via Giambellino.",
        ProposalStatus.ACCEPTED,
        "Area gioco 0-6 anni recintata, con alberature e sedute.",
        1.9,
    ),
    (
        "Campo polivalente per ragazzi",
        "Un campo per calcetto e basket aperto fino a sera, con illuminazione e regole "
        "d'uso concordate con i ragazzi del quartiere.",
        ProposalStatus.PARTLY_ACCEPTED,
        "Realizzato un campo da basket; il calcetto non è compatibile con le distanze dalle "
        "abitazioni.",
        1.3,
    ),
    (
        "Più illuminazione lungo i percorsi",
        "Illuminare bene i percorsi che attraversano l'area, per sentirsi sicuri la sera "
        "tornando dai mezzi.",
        ProposalStatus.ACCEPTED,
        "Illuminazione a LED su tutti i percorsi principali.",
        1.2,
    ),
    (
        "Area cani separata",
        "Uno spazio recintato per i cani, lontano dai giochi dei bambini, con fontanella.",
        ProposalStatus.ACCEPTED,
        "Area cani recintata sul lato est con fontanella.",
        1.1,
    ),
    (
        "Parcheggio sotterraneo sotto il parco",
        "Un parcheggio interrato per liberare le strade del quartiere dalle auto.",
        ProposalStatus.REJECTED,
        "Non compatibile con gli alberi ad alto fusto e con il budget dell'Accordo di Programma.",
        0.4,
    ),
    (
        "Chiosco bar con servizi igienici",
        "Un piccolo chiosco gestito da una cooperativa sociale, con bagni aperti al pubblico.",
        ProposalStatus.PARTLY_ACCEPTED,
        "Previsti i servizi igienici; il chiosco sarà oggetto di un bando successivo.",
        0.9,
    ),
    (
        "Palestra all'aperto per adulti e anziani",
        "Attrezzi per l'attività fisica all'aperto, adatti anche agli anziani.",
        ProposalStatus.ACCEPTED,
        "Installata un'area fitness con attrezzi accessibili.",
        1.0,
    ),
]
CURRENT_PROPOSALS = [
    (
        "Panchine e ombra nel cortile",
        "Più panchine all'ombra nel cortile, vicino all'ingresso "
        "delle scale, per chi non riesce a camminare molto.",
    ),
    (
        "Rastrelliere per biciclette",
        "Rastrelliere coperte per biciclette e passeggini, così non si lasciano nei pianerottoli.",
    ),
    (
        "Orto condiviso nel cortile",
        "Qualche cassone per coltivare erbe aromatiche e verdure, "
        "curato a turno dagli abitanti delle scale vicine.",
    ),
    (
        "Illuminazione dei passaggi",
        "Luci con sensore di movimento nei passaggi tra i cortili, oggi molto bui d'inverno.",
    ),
    (
        "Spazio gioco per i bambini",
        "Un piccolo spazio gioco con pavimentazione antitrauma per i bambini del caseggiato.",
    ),
    (
        "Bacheca per gli avvisi",
        "Una bacheca chiusa nel cortile per gli avvisi dell'ALER, del "
        "laboratorio e degli abitanti.",
    ),
    (
        "Raccolta differenziata più comoda",
        "Isole ecologiche più vicine alle scale e con istruzioni in più lingue.",
    ),
    (
        "Tavoli per giocare a carte",
        "Due tavoli con sedute per giocare a carte e stare insieme nelle sere d'estate.",
    ),
    (
        "Fontanella d'acqua potabile",
        "Una fontanella nel cortile, utile d'estate per bambini e anziani.",
    ),
    (
        "Murale dei ragazzi",
        "Un murale sul muro della centrale termica, disegnato dai ragazzi del doposcuola.",
    ),
]
COMMENTS = [
    "Sono d'accordo, soprattutto per gli anziani della scala C.",
    "Bella idea, ma chi se ne occupa d'inverno?",
    "Potremmo organizzarci con il laboratorio per la manutenzione.",
]
SIZES = {"tiny": 6, "district": 10, "region": 10}


def _users() -> dict[str, Any]:
    names = ["coord.lorenteggio", "operatore.lorenteggio", "coord.bollate", "operatore.bollate"]
    return {u.username: u for u in get_user_model().objects.filter(username__in=names)}


def _action(key: str) -> Any:
    try:
        from quartiere.programme import selectors as programme_selectors
    except ImportError:  # the programme context is not installed
        return None
    finder = getattr(programme_selectors, "action_by_key", None)
    return finder(programme_slug="lorenteggio", key=key) if finder else None


def _resident_ids(reader: Any, lab: Any, *, limit: int) -> list[int]:
    """Adult residents of the lab, the demo resident left out (they try supporting live)."""
    qs = (
        people_selectors.resident_list(user=reader, lab_id=lab.pk, with_address=False)
        .filter(user__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)
    )
    return list(qs[:limit])


def _phases(*, actor: Any, process: Process, dates: dict[str, tuple[dt.date, dt.date]]) -> None:
    for kind, (starts, ends) in dates.items():
        services.phase_save(actor=actor, process=process, kind=kind, starts_on=starts, ends_on=ends)


def _bulk_history(
    *,
    process: Process,
    rows: list[dict[str, Any]],
    residents: list[int],
    rng: random.Random,
    actor: Any,
) -> None:
    """Write proposals with their dated history, supports and a few approved comments."""
    proposals = Proposal.objects.bulk_create(
        [
            Proposal(
                process=process,
                title=r["title"],
                description=r["description"],
                status=r["status"],
                channel=r["channel"],
                author_resident_id=r.get("author_id"),
                author_name=r.get("author_name", ""),
                author_public=r["author_public"],
                submitted_by=actor if r["channel"] == ProposalChannel.STAFF else None,
                submitted_at=r["submitted_at"],
                published_at=r.get("published_at"),
                decided_at=r.get("decided_at"),
                outcome_reason=r.get("reason", ""),
                outcome_action=r.get("action"),
            )
            for r in rows
        ]
    )
    changes: list[ProposalStatusChange] = []
    supports: list[Support] = []
    comments: list[ProposalComment] = []
    for proposal, r in zip(proposals, rows, strict=True):
        changes.append(
            ProposalStatusChange(
                proposal=proposal, to_status=ProposalStatus.SUBMITTED, at=r["submitted_at"]
            )
        )
        if r.get("published_at"):
            changes.append(
                ProposalStatusChange(
                    proposal=proposal,
                    from_status=ProposalStatus.SUBMITTED,
                    to_status=ProposalStatus.PUBLISHED,
                    actor=actor,
                    at=r["published_at"],
                )
            )
        if r.get("decided_at"):
            changes.append(
                ProposalStatusChange(
                    proposal=proposal,
                    from_status=ProposalStatus.PUBLISHED,
                    to_status=r["status"],
                    actor=actor,
                    at=r["decided_at"],
                    note=r.get("reason", ""),
                )
            )
        count = min(r.get("supports", 0), len(residents))
        supports.extend(
            Support(proposal=proposal, resident_id=rid) for rid in rng.sample(residents, count)
        )
        if r.get("published_at") and rng.random() < 0.5:
            comments.append(
                ProposalComment(
                    proposal=proposal,
                    author=None,
                    author_public=rng.choice(["Rosa M.", "Karim B.", "Lucia F.", "Ivan P."]),
                    body=rng.choice(COMMENTS),
                    status="approved",
                    moderated_by=actor,
                    moderated_at=r["published_at"],
                )
            )
    ProposalStatusChange.objects.bulk_create(changes)
    Support.objects.bulk_create(supports, batch_size=2000)
    ProposalComment.objects.bulk_create(comments)


def _names(rng: random.Random) -> str:
    first = rng.choice(["Rosa", "Karim", "Lucia", "Ivan", "Fatou", "Marco", "Giulia", "Ahmed"])
    return f"{first} {rng.choice('BCDFGLMNPRST')}."


def _giambellino(*, lab: Any, actor: Any, reader: Any, rng: random.Random) -> Process:
    action = _action("giambellino-129")
    process = services.process_create(
        actor=actor,
        lab=lab,
        slug=GIAMBELLINO_SLUG,
        title_it="Area verde Giambellino 129",
        title_en="Giambellino 129 green area",
        description_it=G129_TEXT_IT,
        description_en=G129_TEXT_EN,
        action=action,
        support_threshold=30,
        status=ProcessStatus.CLOSED,
    )
    _phases(
        actor=actor,
        process=process,
        dates={
            PhaseKind.INFORMATION: (dt.date(2019, 6, 3), dt.date(2019, 7, 10)),
            PhaseKind.WORKSHOPS: (dt.date(2019, 7, 11), dt.date(2019, 11, 21)),
            PhaseKind.PROPOSALS: (dt.date(2019, 7, 11), dt.date(2019, 10, 15)),
            PhaseKind.SUPPORTS: (dt.date(2019, 10, 16), dt.date(2019, 11, 15)),
            PhaseKind.EVALUATION: (dt.date(2019, 11, 22), dt.date(2020, 2, 28)),
            PhaseKind.RESULTS: (dt.date(2020, 3, 1), dt.date(2024, 6, 30)),
        },
    )
    tz = timezone.get_current_timezone()
    for held_on, title_it, title_en, people, minutes in G129_WORKSHOPS:
        services.workshop_create(
            actor=actor,
            process=process,
            title_it=title_it,
            title_en=title_en,
            held_on=held_on,
            starts_at=dt.datetime.combine(held_on, dt.time(18, 0), tzinfo=tz),
            place="Scuola primaria di via Narcisi, Milano",
            participant_count=people,
            minutes_it=minutes,
        )
    residents = _resident_ids(reader, lab, limit=400)
    rows = []
    for i, (title, text, outcome, reason, share) in enumerate(G129_PROPOSALS):
        submitted = dt.datetime(2019, 7, 15 + i, 18, 0, tzinfo=tz)
        rows.append(
            {
                "title": title,
                "description": text,
                "status": outcome,
                "channel": ProposalChannel.STAFF if i % 3 == 0 else ProposalChannel.ONLINE,
                "author_id": residents[i] if i < len(residents) else None,
                "author_public": _names(rng),
                "submitted_at": submitted,
                "published_at": submitted + dt.timedelta(days=2),
                "decided_at": dt.datetime(2020, 2, 20, 12, 0, tzinfo=tz),
                "reason": reason,
                "action": action if outcome != ProposalStatus.REJECTED else None,
                "supports": int(share * 30),
            }
        )
    _bulk_history(process=process, rows=rows, residents=residents, rng=rng, actor=actor)
    return process


def _current(
    *,
    lab: Any,
    actor: Any,
    reader: Any,
    rng: random.Random,
    slug: str,
    titles: tuple[str, str],
    texts: tuple[str, str],
    count: int,
) -> Process:
    today = timezone.localdate()
    process = services.process_create(
        actor=actor,
        lab=lab,
        slug=slug,
        title_it=titles[0],
        title_en=titles[1],
        description_it=texts[0],
        description_en=texts[1],
        support_threshold=15,
        status=ProcessStatus.PUBLISHED,
    )
    day = dt.timedelta(days=1)
    _phases(
        actor=actor,
        process=process,
        dates={
            PhaseKind.INFORMATION: (today - 70 * day, today - 50 * day),
            PhaseKind.PROPOSALS: (today - 49 * day, today - 15 * day),
            PhaseKind.WORKSHOPS: (today - 40 * day, today - 20 * day),
            PhaseKind.SUPPORTS: (today - 14 * day, today + 30 * day),
            PhaseKind.EVALUATION: (today + 31 * day, today + 75 * day),
            PhaseKind.RESULTS: (today + 76 * day, today + 200 * day),
        },
    )
    services.workshop_create(
        actor=actor,
        process=process,
        title_it="Passeggiata di quartiere e laboratorio",
        title_en="Neighbourhood walk and workshop",
        held_on=today - 30 * day,
        starts_at=dt.datetime.combine(
            today - 30 * day, dt.time(17, 30), tzinfo=timezone.get_current_timezone()
        ),
        place=lab.address,
        participant_count=rng.randint(18, 35),
        minutes_it="Sopralluogo nei cortili e raccolta delle idee in tre tavoli di lavoro.",
    )
    residents = _resident_ids(reader, lab, limit=200)
    tz = timezone.get_current_timezone()
    rows = []
    for i in range(count):
        title, text = CURRENT_PROPOSALS[i % len(CURRENT_PROPOSALS)]
        submitted = dt.datetime.combine(today - (45 - i) * day, dt.time(19, 0), tzinfo=tz)
        pending = i == count - 1  # one proposal still waits for moderation
        rows.append(
            {
                "title": title,
                "description": text,
                "status": ProposalStatus.SUBMITTED if pending else ProposalStatus.PUBLISHED,
                "channel": ProposalChannel.STAFF if i % 4 == 0 else ProposalChannel.ONLINE,
                "author_id": residents[i] if i < len(residents) else None,
                "author_public": _names(rng),
                "submitted_at": submitted,
                "published_at": None if pending else submitted + dt.timedelta(days=1),
                "supports": 0 if pending else rng.randint(2, 24),
            }
        )
    _bulk_history(process=process, rows=rows, residents=residents, rng=rng, actor=actor)
    return process


def seed_demo(*, size: str, rng: random.Random, ctx: dict[str, Any]) -> None:
    """Seed the Giambellino 129 process and a process with supports open today in each lab."""
    reader = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    if reader is None:
        return
    labs = ctx.get("labs") or {
        lab.slug.rsplit("-", 1)[-1]: lab for lab in account_selectors.lab_list(user=reader)
    }
    users = _users()
    count = SIZES.get(size, SIZES["district"])
    lorenteggio = labs.get("lorenteggio")
    if lorenteggio is not None:
        actor = users.get("coord.lorenteggio")
        _giambellino(lab=lorenteggio, actor=actor, reader=reader, rng=rng)
        _current(
            lab=lorenteggio,
            actor=actor,
            reader=reader,
            rng=rng,
            slug="cortili-via-segneri",
            titles=("Cortili di via Segneri", "The courtyards of via Segneri"),
            texts=(
                "Come rinnovare i cortili dei caseggiati di via Segneri: proponi, sostieni le "
                "proposte degli altri abitanti e partecipa al laboratorio.",
                "How to renew the courtyards of the via Segneri blocks: make a proposal, "
                "support other residents' proposals and join the workshop.",
            ),
            count=count,
        )
    bollate = labs.get("bollate")
    if bollate is not None:
        _current(
            lab=bollate,
            actor=users.get("coord.bollate"),
            reader=reader,
            rng=rng,
            slug="piazza-martesana-bollate",
            titles=("Piazza della Martesana", "Piazza della Martesana"),
            texts=(
                "La nuova piazza del quartiere di Bollate: proposte e sostegni degli abitanti "
                "per decidere arredi, verde e usi.",
                "The new square of the Bollate neighbourhood: residents' proposals and "
                "supports to choose furniture, greenery and uses.",
            ),
            count=count,
        )
