"""Demo regeneration programmes: Milan Lorenteggio (about EUR 100M) and a smaller one in Bollate.

Figures follow the public description of the Lorenteggio Accordo di Programma (EUR 57M EU funds
from POR FESR, POR FSE and PON METRO, EUR 22M regional, EUR 20M municipal; four action lines).
Per-action amounts, CUP codes, dates and payments are plausible demo values, not official data.
Everything goes through the services, so the audit trail and "last updated" are realistic.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from quartiere.accounts.models import User
from quartiere.programme import services
from quartiere.programme.enums import ActionStatus, NewsStatus
from quartiere.programme.models import Action, FundingSource, Programme
from quartiere.territory.models import Building

M = Decimal("1000000")


@dataclass
class SeedAction:
    key: str
    line: str
    title_it: str
    title_en: str
    description_it: str
    description_en: str
    budget: Decimal
    status: str
    planned: tuple[dt.date, dt.date]
    actual_start: dt.date | None = None
    actual_end: dt.date | None = None
    funding: dict[str, Decimal] = field(default_factory=dict)
    milestones: list[tuple[str, str, dt.date, int, bool]] = field(default_factory=list)
    parent: str = ""
    place: str = ""
    street: str = ""
    numbers: tuple[str, ...] = ()
    point: tuple[str, str] | None = None
    cup: str = ""
    org: str = ""
    committed_share: Decimal = Decimal("0")
    paid_share: Decimal = Decimal("0")


def d(y: int, m: int, day: int = 1) -> dt.date:
    return dt.date(y, m, day)


LORENTEGGIO_LINES = [
    ("1", "Patrimonio abitativo", "Housing stock"),
    ("2", "Spazio pubblico e mobilità", "Public space and mobility"),
    ("3", "Rigenerazione socio-economica e servizi", "Socio-economic regeneration and services"),
    ("4", "Accompagnamento sociale e comunicazione", "Social accompaniment and communication"),
]

# Milestone tuples: title (it), title (en), planned date, weight, achieved (if the date is past).
LORENTEGGIO_ACTIONS = [
    SeedAction(
        key="manzano-4",
        line="1",
        title_it="Demolizione e ricostruzione dell'edificio di via Manzano 4",
        title_en="Demolition and reconstruction of the building at via Manzano 4",
        description_it=(
            "L'edificio ERP di via Manzano 4, non recuperabile, viene demolito e ricostruito "
            "con alloggi in classe energetica A, spazi comuni al piano terra e un cortile aperto."
        ),
        description_en=(
            "The public-housing building at via Manzano 4, beyond repair, is demolished and "
            "rebuilt with class A homes, shared ground-floor spaces and an open courtyard."
        ),
        budget=Decimal("22") * M,
        status=ActionStatus.IN_PROGRESS,
        planned=(d(2017, 1), d(2026, 12, 31)),
        actual_start=d(2017, 3),
        funding={"POR FESR": Decimal("14") * M, "Regione Lombardia": Decimal("8") * M},
        milestones=[
            (
                "Progetto di fattibilità approvato",
                "Feasibility design approved",
                d(2017, 10),
                1,
                True,
            ),
            ("Trasferimento dei nuclei familiari", "Households relocated", d(2019, 6), 2, True),
            ("Demolizione completata", "Demolition completed", d(2020, 11), 2, True),
            ("Posa della prima pietra", "Foundation stone laid", d(2021, 9), 1, True),
            ("Struttura completata", "Structure completed", d(2024, 3), 3, True),
            (
                "Fine lavori e consegna alloggi",
                "Works completed and homes handed over",
                d(2026, 12),
                3,
                False,
            ),
        ],
        street="Via Manzano",
        place="Via Manzano 4",
        cup="B41B16000230007",
        org="ALER Milano",
        committed_share=Decimal("0.9"),
        paid_share=Decimal("0.62"),
    ),
    SeedAction(
        key="aler-blocks",
        line="1",
        title_it="Riqualificazione dei caseggiati ALER del quartiere",
        title_en="Renovation of the ALER housing blocks of the neighbourhood",
        description_it=(
            "Manutenzione straordinaria, efficientamento energetico e abbattimento delle "
            "barriere architettoniche dei caseggiati ALER del quadrilatero Lorenteggio."
        ),
        description_en=(
            "Major maintenance, energy efficiency and step-free access for the ALER blocks of "
            "the Lorenteggio quadrilateral."
        ),
        budget=Decimal("33") * M,
        status=ActionStatus.IN_PROGRESS,
        planned=(d(2017, 6), d(2026, 12, 31)),
        actual_start=d(2018, 2),
        org="ALER Milano",
    ),
    SeedAction(
        key="aler-lorenteggio-181",
        parent="aler-blocks",
        line="1",
        title_it="Riqualificazione dei caseggiati di via Lorenteggio 181",
        title_en="Renovation of the blocks at via Lorenteggio 181",
        description_it="Facciate, coperture, impianti e nuovi ascensori.",
        description_en="Façades, roofs, building services and new lifts.",
        budget=Decimal("12") * M,
        status=ActionStatus.IN_PROGRESS,
        planned=(d(2018, 1), d(2025, 12, 31)),
        actual_start=d(2018, 2),
        funding={"POR FESR": Decimal("8") * M, "Regione Lombardia": Decimal("4") * M},
        milestones=[
            ("Progetto esecutivo", "Detailed design", d(2018, 9), 1, True),
            ("Aggiudicazione dei lavori", "Works contract awarded", d(2019, 7), 1, True),
            ("Primo lotto completato", "First lot completed", d(2022, 5), 2, True),
            ("Secondo lotto completato", "Second lot completed", d(2024, 10), 2, True),
            ("Collaudo finale", "Final inspection", d(2026, 6), 1, True),
        ],
        street="Via Lorenteggio",
        place="Via Lorenteggio 181",
        cup="B44E17000120009",
        org="ALER Milano",
        committed_share=Decimal("1"),
        paid_share=Decimal("0.85"),
    ),
    SeedAction(
        key="aler-giambellino",
        parent="aler-blocks",
        line="1",
        title_it="Riqualificazione dei caseggiati di via Giambellino",
        title_en="Renovation of the blocks on via Giambellino",
        description_it="Risanamento delle parti comuni e degli alloggi sfitti, nuovi impianti.",
        description_en="Repair of shared parts and empty flats, new building services.",
        budget=Decimal("11") * M,
        status=ActionStatus.IN_PROGRESS,
        planned=(d(2019, 1), d(2026, 12, 31)),
        actual_start=d(2019, 9),
        funding={"POR FESR": Decimal("6") * M, "Regione Lombardia": Decimal("5") * M},
        milestones=[
            ("Progetto esecutivo", "Detailed design", d(2019, 11), 1, True),
            ("Avvio del cantiere", "Works started", d(2021, 3), 1, True),
            ("Alloggi sfitti ristrutturati", "Empty flats renovated", d(2023, 12), 2, True),
            ("Fine lavori", "Works completed", d(2026, 12), 2, False),
        ],
        street="Via Giambellino",
        cup="B44E18000340001",
        org="ALER Milano",
        committed_share=Decimal("0.8"),
        paid_share=Decimal("0.5"),
    ),
    SeedAction(
        key="aler-energy",
        parent="aler-blocks",
        line="1",
        title_it="Efficientamento energetico di via Segneri e via dei Sanniti",
        title_en="Energy retrofit on via Segneri and via dei Sanniti",
        description_it="Cappotto termico, serramenti e teleriscaldamento.",
        description_en="External insulation, windows and district heating.",
        budget=Decimal("10") * M,
        status=ActionStatus.TENDERING,
        planned=(d(2021, 1), d(2026, 12, 31)),
        actual_start=d(2021, 6),
        funding={"POR FESR": Decimal("6") * M, "Comune": Decimal("4") * M},
        milestones=[
            ("Diagnosi energetica", "Energy audit", d(2021, 12), 1, True),
            ("Gara pubblicata", "Tender published", d(2025, 4), 1, True),
            ("Aggiudicazione", "Contract awarded", d(2026, 2), 1, True),
            ("Fine lavori", "Works completed", d(2026, 12), 3, False),
        ],
        street="Via Segneri",
        cup="B49J20000560004",
        org="ALER Milano",
        committed_share=Decimal("0.3"),
        paid_share=Decimal("0.05"),
    ),
    SeedAction(
        key="temp-housing",
        line="1",
        title_it="Alloggi volano per i trasferimenti temporanei",
        title_en="Transit homes for temporary relocations",
        description_it=(
            "Recupero di alloggi sfitti nel quartiere per ospitare i nuclei familiari durante "
            "i lavori, vicino a scuole e servizi."
        ),
        description_en=(
            "Empty flats in the neighbourhood renovated to host households during the works, "
            "close to schools and services."
        ),
        budget=Decimal("3") * M,
        status=ActionStatus.COMPLETED,
        planned=(d(2017, 1), d(2020, 12, 31)),
        actual_start=d(2017, 4),
        actual_end=d(2020, 10),
        funding={"Regione Lombardia": Decimal("3") * M},
        milestones=[
            ("Primi 40 alloggi pronti", "First 40 homes ready", d(2018, 6), 1, True),
            ("Tutti gli alloggi volano pronti", "All transit homes ready", d(2020, 9), 1, True),
        ],
        street="Via dei Sanniti",
        org="ALER Milano",
        committed_share=Decimal("1"),
        paid_share=Decimal("1"),
    ),
    SeedAction(
        key="giambellino-129",
        line="2",
        title_it="Area verde Giambellino 129",
        title_en="Giambellino 129 green area",
        description_it=(
            "Un parco di 27.000 m² progettato con gli abitanti in tre laboratori partecipativi "
            "(luglio-novembre 2019): prati, alberi, orti, giochi e un campo sportivo. "
            "Aperto a giugno 2024."
        ),
        description_en=(
            "A 27,000 m² park designed with residents in three participatory workshops "
            "(July-November 2019): lawns, trees, gardens, play areas and a sports pitch. "
            "Opened in June 2024."
        ),
        budget=Decimal("5.5") * M,
        status=ActionStatus.COMPLETED,
        planned=(d(2019, 1), d(2024, 6, 30)),
        actual_start=d(2019, 7),
        actual_end=d(2024, 6, 15),
        funding={"POR FESR": Decimal("3") * M, "Comune": Decimal("2.5") * M},
        milestones=[
            (
                "Primo laboratorio di progettazione partecipata",
                "First co-design workshop",
                d(2019, 7, 10),
                1,
                True,
            ),
            (
                "Terzo laboratorio: progetto condiviso",
                "Third workshop: shared design",
                d(2019, 11, 20),
                1,
                True,
            ),
            ("Progetto esecutivo approvato", "Detailed design approved", d(2021, 5), 1, True),
            ("Avvio dei lavori", "Works started", d(2022, 9), 2, True),
            ("Apertura del parco", "Park opened", d(2024, 6, 15), 3, True),
        ],
        street="Via Giambellino",
        place="Via Giambellino 129",
        point=("45.453100", "9.138900"),
        cup="B47H18000450006",
        org="Comune di Milano",
        committed_share=Decimal("1"),
        paid_share=Decimal("0.97"),
    ),
    SeedAction(
        key="via-lorenteggio",
        line="2",
        title_it="Riqualificazione di via Lorenteggio e mobilità dolce",
        title_en="Redesign of via Lorenteggio and active mobility",
        description_it=(
            "Nuovi marciapiedi, alberature, pista ciclabile e attraversamenti sicuri lungo via "
            "Lorenteggio, in coordinamento con la linea M4."
        ),
        description_en=(
            "New pavements, trees, a cycle lane and safe crossings along via Lorenteggio, "
            "coordinated with the M4 metro line."
        ),
        budget=Decimal("9") * M,
        status=ActionStatus.IN_PROGRESS,
        planned=(d(2020, 1), d(2026, 12, 31)),
        actual_start=d(2021, 1),
        funding={"PON METRO": Decimal("4") * M, "Comune": Decimal("5") * M},
        milestones=[
            ("Progetto definitivo", "Final design", d(2021, 6), 1, True),
            ("Primo tratto completato", "First stretch completed", d(2023, 11), 2, True),
            ("Pista ciclabile completata", "Cycle lane completed", d(2026, 12), 2, False),
        ],
        street="Via Lorenteggio",
        cup="B41B19000670001",
        org="Comune di Milano",
        committed_share=Decimal("0.75"),
        paid_share=Decimal("0.45"),
    ),
    SeedAction(
        key="courtyards",
        line="2",
        title_it="Cortili aperti e spazi verdi dei caseggiati",
        title_en="Open courtyards and green spaces of the blocks",
        description_it="Cortili ridisegnati con gli abitanti: panchine, luce, verde e giochi.",
        description_en="Courtyards redesigned with residents: benches, lighting, greenery, play.",
        budget=Decimal("3.5") * M,
        status=ActionStatus.DESIGN,
        planned=(d(2022, 1), d(2026, 12, 31)),
        actual_start=d(2022, 3),
        funding={"POR FESR": Decimal("2") * M, "Regione Lombardia": Decimal("1.5") * M},
        milestones=[
            ("Passeggiate di quartiere", "Neighbourhood walks", d(2022, 5), 1, True),
            ("Progetto dei primi cortili", "Design of the first courtyards", d(2025, 12), 1, False),
            ("Cortili completati", "Courtyards completed", d(2026, 12), 3, False),
        ],
        street="Via Inganni",
        org="ALER Milano",
        committed_share=Decimal("0.2"),
        paid_share=Decimal("0.05"),
    ),
    SeedAction(
        key="library-odazio",
        line="3",
        title_it="Nuova biblioteca di via Odazio",
        title_en="New library in via Odazio",
        description_it=(
            "Una biblioteca di quartiere con sala studio, spazio bambini e sale per le "
            "associazioni, al piano terra del nuovo edificio di via Odazio."
        ),
        description_en=(
            "A neighbourhood library with a study room, a children's corner and rooms for "
            "associations, on the ground floor of the new via Odazio building."
        ),
        budget=Decimal("8") * M,
        status=ActionStatus.IN_PROGRESS,
        planned=(d(2019, 1), d(2026, 12, 31)),
        actual_start=d(2019, 6),
        funding={"POR FESR": Decimal("4") * M, "Comune": Decimal("4") * M},
        milestones=[
            ("Concorso di progettazione", "Design competition", d(2020, 3), 1, True),
            ("Progetto esecutivo", "Detailed design", d(2022, 2), 1, True),
            ("Avvio dei lavori", "Works started", d(2023, 9), 1, True),
            ("Apertura della biblioteca", "Library opens", d(2026, 12), 3, False),
        ],
        street="Via Odazio",
        place="Via Odazio",
        cup="B41E18000780004",
        org="Comune di Milano",
        committed_share=Decimal("0.85"),
        paid_share=Decimal("0.55"),
    ),
    SeedAction(
        key="shops",
        line="3",
        title_it="Spazi commerciali e per servizi ai piani terra",
        title_en="Shops and service spaces on the ground floors",
        description_it=(
            "Locali sfitti dei piani terra affidati ad artigiani, servizi e associazioni."
        ),
        description_en=(
            "Empty ground-floor premises let to craftspeople, services and associations."
        ),
        budget=Decimal("4") * M,
        status=ActionStatus.IN_PROGRESS,
        planned=(d(2019, 6), d(2026, 6, 30)),
        actual_start=d(2020, 1),
        funding={"PON METRO": Decimal("2") * M, "Comune": Decimal("2") * M},
        milestones=[
            ("Primo avviso per i locali", "First call for premises", d(2020, 10), 1, True),
            ("Dieci locali assegnati", "Ten premises let", d(2022, 12), 2, True),
            ("Secondo avviso", "Second call", d(2024, 5), 1, True),
        ],
        street="Via Segneri",
        org="Comune di Milano",
        committed_share=Decimal("0.9"),
        paid_share=Decimal("0.7"),
    ),
    SeedAction(
        key="business-support",
        line="3",
        title_it="Sostegno alle imprese di quartiere e all'economia sociale",
        title_en="Support for neighbourhood businesses and the social economy",
        description_it="Contributi e accompagnamento per nuove attività e imprese sociali.",
        description_en="Grants and coaching for new businesses and social enterprises.",
        budget=Decimal("3") * M,
        status=ActionStatus.IN_PROGRESS,
        planned=(d(2018, 1), d(2026, 12, 31)),
        actual_start=d(2018, 4),
        funding={"PON METRO": Decimal("1.5") * M, "Comune": Decimal("1.5") * M},
        milestones=[
            ("Primo bando per le imprese", "First call for businesses", d(2018, 10), 1, True),
            ("Secondo bando", "Second call", d(2021, 3), 1, True),
            ("Terzo bando", "Third call", d(2026, 9), 1, False),
        ],
        org="Comune di Milano",
        committed_share=Decimal("0.7"),
        paid_share=Decimal("0.5"),
    ),
    SeedAction(
        key="milo-lab",
        line="4",
        title_it="MILO·Lab, laboratorio sociale di via Segneri",
        title_en="MILO·Lab, the social lab in via Segneri",
        description_it=(
            "Il laboratorio sociale di quartiere: ascolto degli abitanti, segnalazioni, "
            "percorsi formativi, attività di aggregazione e informazione sul programma."
        ),
        description_en=(
            "The neighbourhood social lab: listening to residents, reports, training paths, "
            "community activities and information on the programme."
        ),
        budget=Decimal("3") * M,
        status=ActionStatus.IN_PROGRESS,
        planned=(d(2018, 3), d(2026, 12, 31)),
        actual_start=d(2018, 5),
        funding={"POR FSE": Decimal("2.5") * M, "Regione Lombardia": Decimal("0.5") * M},
        milestones=[
            ("Apertura del laboratorio", "Lab opened", d(2018, 5, 15), 1, True),
            ("Primo biennio concluso", "First two years completed", d(2020, 5), 1, True),
            ("Secondo biennio concluso", "Second two years completed", d(2022, 5), 1, True),
            ("Terzo biennio concluso", "Third two years completed", d(2024, 5), 1, True),
            ("Chiusura del programma", "Programme closes", d(2026, 12), 1, False),
        ],
        street="Via Segneri",
        place="Via Segneri 3",
        point=("45.450500", "9.138200"),
        org="Cooperativa Sociale Quartieri Solidali (demo)",
        committed_share=Decimal("0.95"),
        paid_share=Decimal("0.75"),
    ),
    SeedAction(
        key="relocation-support",
        line="4",
        title_it="Accompagnamento dei nuclei familiari nei trasferimenti",
        title_en="Support for households during relocations",
        description_it=(
            "Colloqui, piani di mobilità, traslochi assistiti e ascolto dopo il rientro."
        ),
        description_en="Interviews, relocation plans, assisted moves and follow-up after return.",
        budget=Decimal("3") * M,
        status=ActionStatus.IN_PROGRESS,
        planned=(d(2017, 6), d(2026, 12, 31)),
        actual_start=d(2017, 9),
        funding={"POR FSE": Decimal("2") * M, "Comune": Decimal("1") * M},
        milestones=[
            ("Piano della mobilità approvato", "Relocation plan approved", d(2018, 3), 1, True),
            (
                "Primi 100 nuclei accompagnati",
                "First 100 households supported",
                d(2020, 6),
                2,
                True,
            ),
            ("Rientri a via Manzano", "Returns to via Manzano", d(2026, 12), 2, False),
        ],
        org="Cooperativa Sociale Quartieri Solidali (demo)",
        committed_share=Decimal("0.85"),
        paid_share=Decimal("0.65"),
    ),
    SeedAction(
        key="communication",
        line="4",
        title_it="Comunicazione e progettazione partecipata",
        title_en="Communication and participatory design",
        description_it=(
            "Sito del programma, incontri pubblici (come quello alla scuola del quartiere) e "
            "laboratori di progettazione partecipata."
        ),
        description_en=(
            "The programme's website, public meetings (like the one at the local school) and "
            "participatory design workshops."
        ),
        budget=Decimal("2") * M,
        status=ActionStatus.IN_PROGRESS,
        planned=(d(2017, 1), d(2026, 12, 31)),
        actual_start=d(2017, 2),
        funding={"POR FSE": Decimal("2") * M},
        milestones=[
            ("Sito del programma online", "Programme website online", d(2018, 6), 1, True),
            (
                "Incontro pubblico alla scuola",
                "Public meeting at the school",
                d(2023, 10, 12),
                1,
                True,
            ),
            ("Incontro finale", "Closing meeting", d(2026, 11), 1, False),
        ],
        org="Cooperativa Sociale Quartieri Solidali (demo)",
        committed_share=Decimal("0.8"),
        paid_share=Decimal("0.6"),
    ),
]

BOLLATE_LINES = [
    ("1", "Casa e spazi comuni", "Housing and shared spaces"),
    ("2", "Comunità e servizi", "Community and services"),
]
BOLLATE_ACTIONS = [
    SeedAction(
        key="verdi-blocks",
        line="1",
        title_it="Riqualificazione dei caseggiati di via Verdi",
        title_en="Renovation of the blocks on via Verdi",
        description_it="Coperture, facciate e nuovi ascensori.",
        description_en="Roofs, façades and new lifts.",
        budget=Decimal("4.5") * M,
        status=ActionStatus.IN_PROGRESS,
        planned=(d(2020, 1), d(2026, 12, 31)),
        actual_start=d(2020, 9),
        funding={"POR FESR": Decimal("3") * M, "Regione Lombardia": Decimal("1.5") * M},
        milestones=[
            ("Progetto esecutivo", "Detailed design", d(2021, 3), 1, True),
            ("Avvio dei lavori", "Works started", d(2022, 5), 1, True),
            ("Fine lavori", "Works completed", d(2026, 10), 2, False),
        ],
        street="Via Verdi",
        cup="C51B19000230006",
        org="ALER Milano",
        committed_share=Decimal("0.8"),
        paid_share=Decimal("0.5"),
    ),
    SeedAction(
        key="piazza-turati",
        line="1",
        title_it="Nuova piazza di via Turati",
        title_en="New square on via Turati",
        description_it="Una piazza pedonale con alberi e sedute tra i caseggiati.",
        description_en="A pedestrian square with trees and seating between the blocks.",
        budget=Decimal("1.5") * M,
        status=ActionStatus.COMPLETED,
        planned=(d(2020, 6), d(2023, 6, 30)),
        actual_start=d(2020, 9),
        actual_end=d(2023, 5, 20),
        funding={"POR FESR": Decimal("1") * M, "Comune": Decimal("0.5") * M},
        milestones=[
            ("Laboratorio con gli abitanti", "Workshop with residents", d(2020, 11), 1, True),
            ("Inaugurazione", "Opening", d(2023, 5, 20), 2, True),
        ],
        street="Via Turati",
        org="Comune di Bollate",
        committed_share=Decimal("1"),
        paid_share=Decimal("1"),
    ),
    SeedAction(
        key="qrlab",
        line="2",
        title_it="QRLab, laboratorio sociale di quartiere",
        title_en="QRLab, the neighbourhood social lab",
        description_it="Ascolto, attività e accompagnamento degli abitanti durante i lavori.",
        description_en="Listening, activities and support for residents during the works.",
        budget=Decimal("1") * M,
        status=ActionStatus.IN_PROGRESS,
        planned=(d(2020, 3), d(2026, 12, 31)),
        actual_start=d(2020, 10),
        funding={"POR FSE": Decimal("0.8") * M, "Comune": Decimal("0.2") * M},
        milestones=[
            ("Apertura del laboratorio", "Lab opened", d(2020, 10, 5), 1, True),
            ("Primo biennio concluso", "First two years completed", d(2022, 10), 1, True),
            ("Secondo biennio concluso", "Second two years completed", d(2024, 10), 1, True),
        ],
        street="Via Madonna in Campagna",
        org="Comune di Bollate",
        committed_share=Decimal("0.9"),
        paid_share=Decimal("0.7"),
    ),
]

LORENTEGGIO_NEWS = [
    (
        d(2019, 7, 1),
        "giambellino-129",
        "Giambellino 129: progettiamo insieme il nuovo parco",
        "Giambellino 129: let's design the new park together",
        "<p>Tre laboratori aperti a tutti per decidere come sarà l'area verde di "
        "27.000 m². Il primo incontro è <strong>mercoledì 10 luglio</strong> al MILO·Lab.</p>",
        "<p>Three workshops open to everyone to decide what the 27,000 m² green area will "
        "look like. The first meeting is on <strong>Wednesday 10 July</strong> at MILO·Lab.</p>",
    ),
    (
        d(2020, 11, 30),
        "manzano-4",
        "Via Manzano 4: completata la demolizione",
        "Via Manzano 4: demolition completed",
        "<p>Si è conclusa la demolizione dell'edificio. Il nuovo progetto prevede alloggi in "
        "classe A e spazi comuni al piano terra.</p>",
        "<p>The demolition of the building is complete. The new design has class A homes and "
        "shared spaces on the ground floor.</p>",
    ),
    (
        d(2023, 10, 13),
        "communication",
        "Lo stato del programma presentato alla scuola del quartiere",
        "The state of the programme presented at the local school",
        "<p>Oltre 150 abitanti all'incontro pubblico: le slide sono disponibili tra i "
        '<a href="https://www.example.org/documenti">documenti</a>.</p>',
        "<p>Over 150 residents at the public meeting: the slides are among the "
        '<a href="https://www.example.org/documenti">documents</a>.</p>',
    ),
    (
        d(2024, 6, 15),
        "giambellino-129",
        "Aperto il parco Giambellino 129",
        "Giambellino 129 park is open",
        "<p>Il nuovo parco è aperto tutti i giorni dalle 7 alle 22. Ci sono:</p>"
        "<ul><li>orti condivisi</li><li>giochi per bambini</li><li>un campo sportivo</li></ul>",
        "<p>The new park is open every day from 7 am to 10 pm. It has:</p>"
        "<ul><li>shared gardens</li><li>children's play areas</li><li>a sports pitch</li></ul>",
    ),
    (
        d(2025, 3, 10),
        "library-odazio",
        "Biblioteca di via Odazio: i lavori procedono",
        "Via Odazio library: works in progress",
        "<p>Completata la struttura del piano terra. L'apertura è prevista a fine 2026.</p>",
        "<p>The ground-floor structure is complete. Opening is planned for late 2026.</p>",
    ),
    (
        d(2025, 9, 1),
        "milo-lab",
        "MILO·Lab: i nuovi orari dello sportello",
        "MILO·Lab: new desk opening hours",
        "<p>Da settembre lo sportello è aperto anche il <em>giovedì pomeriggio</em>.</p>",
        "<p>From September the desk is also open on <em>Thursday afternoons</em>.</p>",
    ),
]
BOLLATE_NEWS = [
    (
        d(2023, 5, 21),
        "piazza-turati",
        "Inaugurata la piazza di via Turati",
        "The via Turati square is open",
        "<p>Grazie a tutti gli abitanti che hanno partecipato al laboratorio.</p>",
        "<p>Thanks to all the residents who took part in the workshop.</p>",
    ),
    (
        d(2025, 2, 3),
        "verdi-blocks",
        "Via Verdi: nuovi ascensori in arrivo",
        "Via Verdi: new lifts coming",
        "<p>I lavori per i nuovi ascensori iniziano a marzo nelle scale A e B.</p>",
        "<p>Works on the new lifts start in March on stairs A and B.</p>",
    ),
]

# title (it), title (en), published on, action key ("" = the programme)
LORENTEGGIO_DOCUMENTS = [
    (
        "Accordo di Programma Lorenteggio: sintesi",
        "Lorenteggio programme agreement: summary",
        d(2016, 7, 1),
        "",
    ),
    (
        "Presentazione dello stato del programma alla scuola",
        "Programme progress presentation at the school",
        d(2023, 10, 12),
        "communication",
    ),
    (
        "Esito dei laboratori partecipativi Giambellino 129",
        "Outcome of the Giambellino 129 workshops",
        d(2019, 12, 10),
        "giambellino-129",
    ),
    (
        "Cronoprogramma dei lavori di via Manzano 4",
        "Works schedule for via Manzano 4",
        d(2021, 9, 15),
        "manzano-4",
    ),
]
BOLLATE_DOCUMENTS = [
    (
        "Programma di rigenerazione Bollate: sintesi",
        "Bollate regeneration programme: summary",
        d(2020, 2, 1),
        "",
    ),
]


def _pdf(title: str, subtitle: str) -> bytes:
    """A small one-page PDF for the demo documents."""
    from html import escape

    from weasyprint import HTML

    html = (
        f"<html lang='it'><head><meta charset='utf-8'><title>{escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:2cm}h1{font-size:20pt}</style></head>"
        f"<body><h1>{escape(title)}</h1><p>{escape(subtitle)}</p>"
        "<p>Documento dimostrativo generato per Quartiere: i dati "
        "sono sintetici.</p></body></html>"
    )
    progress = logging.getLogger("weasyprint.progress")
    level = progress.level
    progress.setLevel(logging.WARNING)  # seven INFO lines per PDF otherwise
    try:
        return bytes(HTML(string=html).write_pdf())
    finally:
        progress.setLevel(level)


def _illustration(rng: random.Random, *, green: bool) -> bytes:
    """A simple placeholder drawing (PNG) standing in for a photo."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (640, 400), (200, 225, 240))
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, 260, 640, 400], fill=(110, 170, 90) if green else (170, 170, 170))
    for _ in range(7 if green else 3):
        x = rng.randint(20, 600)
        draw.rectangle([x + 8, 200, x + 16, 270], fill=(100, 70, 40))
        draw.ellipse([x - 20, 150, x + 44, 214], fill=(60, 140, 60))
    if not green:
        draw.rectangle([220, 90, 420, 270], fill=(210, 180, 140))
        for row in range(4):
            for col in range(4):
                draw.rectangle(
                    [235 + col * 47, 105 + row * 40, 260 + col * 47, 130 + row * 40],
                    fill=(90, 120, 160),
                )
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _seed_programme(
    *,
    rng: random.Random,
    actor: Any,
    lab: Any,
    orgs: dict[str, Any],
    name: str,
    slug: str,
    description_it: str,
    description_en: str,
    total: Decimal,
    starts_on: dt.date,
    lines: list[tuple[str, str, str]],
    actions: list[SeedAction],
    news: list[tuple[Any, ...]],
    documents: list[tuple[Any, ...]],
    size: str,
) -> tuple[Programme, dict[str, Action]]:
    today = timezone.localdate()
    programme = services.programme_create(
        actor=actor,
        lab=lab,
        name=name,
        slug=slug,
        district=lab.district,
        municipality=lab.district.municipality,
        description_it=description_it,
        description_en=description_en,
        total_budget_amount=total,
        starts_on=starts_on,
        ends_on=dt.date(2026, 12, 31),
    )
    line_by_code = {
        code: services.action_line_create(
            actor=actor, programme=programme, code=code, name_it=it, name_en=en, order=i
        )
        for i, (code, it, en) in enumerate(lines, start=1)
    }
    sources = {s.code: s for s in FundingSource.objects.all()}
    buildings = list(Building.objects.filter(district=lab.district).order_by("street", "code"))
    by_key: dict[str, Action] = {}
    for order, spec in enumerate(actions, start=1):
        fields: dict[str, Any] = {
            "key": spec.key,
            "title_en": spec.title_en,
            "description_it": spec.description_it,
            "description_en": spec.description_en,
            "budget_amount": spec.budget,
            "status": spec.status,
            "planned_start_on": spec.planned[0],
            "planned_end_on": spec.planned[1],
            "actual_start_on": spec.actual_start
            if spec.actual_start and spec.actual_start <= today
            else None,
            "actual_end_on": spec.actual_end
            if spec.actual_end and spec.actual_end <= today
            else None,
            "order": order,
            "place_label": spec.place,
            "cup": spec.cup,
            "code": f"{slug.upper()[:4]}-{spec.line}.{order:02d}",
            "responsible_organisation": orgs.get(spec.org),
            "parent": by_key.get(spec.parent),
        }
        if spec.point:
            fields["latitude"], fields["longitude"] = (Decimal(v) for v in spec.point)
        action = services.action_create(
            actor=actor,
            programme=programme,
            line=line_by_code[spec.line],
            title_it=spec.title_it,
            **fields,
        )
        by_key[spec.key] = action
        if spec.street:
            on_street = [b for b in buildings if b.street == spec.street][:2]
            if on_street:
                services.action_set_buildings(actor=actor, action=action, buildings=on_street)
        for title_it, title_en, planned_on, weight, achieved in spec.milestones:
            achieved_on = planned_on + dt.timedelta(days=rng.randint(0, 20)) if achieved else None
            if achieved_on is not None and achieved_on > today:
                achieved_on = None
            services.milestone_create(
                actor=actor,
                action=action,
                title_it=title_it,
                title_en=title_en,
                planned_on=planned_on,
                achieved_on=achieved_on,
                weight=weight,
                evidence_text=(
                    "Verbale e fotografie conservati dal laboratorio." if achieved_on else ""
                ),
            )
        start = spec.actual_start or spec.planned[0]
        for code, amount in spec.funding.items():
            committed = (amount * spec.committed_share).quantize(Decimal("0.01"))
            allocation = services.allocation_create(
                actor=actor,
                action=action,
                source=sources[code],
                amount=amount,
                committed_amount=committed,
                committed_on=start + dt.timedelta(days=90) if committed else None,
            )
            paid_total = (amount * spec.paid_share).quantize(Decimal("0.01"))
            if paid_total <= 0:
                continue
            instalments = 3 if size == "tiny" else 5
            end = min(spec.actual_end or today, today)
            span = max((end - start).days, 30)
            paid_so_far = Decimal("0")
            for i in range(instalments):
                if i == instalments - 1:
                    part = paid_total - paid_so_far
                else:
                    part = (paid_total / instalments).quantize(Decimal("0.01"))
                paid_so_far += part
                paid_on = min(start + dt.timedelta(days=span * (i + 1) // instalments), today)
                services.payment_create(
                    actor=actor,
                    allocation=allocation,
                    paid_on=paid_on,
                    amount=part,
                    reference=f"Mandato {paid_on.year}/{rng.randint(100, 9999)}",
                )
    for key in ("giambellino-129", "manzano-4", "piazza-turati"):
        if key in by_key:
            services.action_photo_add(
                actor=actor,
                action=by_key[key],
                data=_illustration(rng, green=key != "manzano-4"),
                alt_it=f"Illustrazione: {by_key[key].title_it}",
                alt_en=f"Illustration: {by_key[key].title_en}",
                caption_it="Immagine dimostrativa",
                caption_en="Demo image",
            )
    for published_on, action_key, title_it, title_en, body_it, body_en in news:
        services.news_create(
            actor=actor,
            lab=lab,
            programme=programme,
            action=by_key.get(action_key),
            title_it=title_it,
            title_en=title_en,
            body_it=body_it,
            body_en=body_en,
            status=NewsStatus.PUBLISHED,
            published_at=timezone.make_aware(dt.datetime.combine(published_on, dt.time(10, 0))),
        )
    services.news_create(
        actor=actor,
        lab=lab,
        programme=programme,
        title_it="Bozza: calendario degli incontri del prossimo anno",
        title_en="Draft: next year's meeting calendar",
        body_it="<p>Da completare.</p>",
        status=NewsStatus.DRAFT,
    )
    docs = documents if size != "tiny" else documents[:2]
    for title_it, title_en, published_on, action_key in docs:
        services.document_create(
            actor=actor,
            programme=programme,
            action=by_key.get(action_key) if action_key else None,
            title_it=title_it,
            title_en=title_en,
            data=_pdf(title_it, name),
            published_on=published_on,
        )
    return programme, by_key


def seed_demo(*, size: str, rng: random.Random, ctx: dict[str, Any]) -> None:
    labs = ctx["labs"]
    orgs = ctx["orgs"]
    ctx["programmes"] = {}
    ctx["programme_actions"] = {}
    coordinator = User.objects.filter(username="coord.lorenteggio").first()
    lorenteggio, actions = _seed_programme(
        rng=rng,
        actor=coordinator,
        lab=labs["lorenteggio"],
        orgs=orgs,
        name="Programma di rigenerazione urbana Lorenteggio",
        slug="lorenteggio",
        description_it=(
            "L'Accordo di Programma tra Regione Lombardia, Comune di Milano e ALER Milano per "
            "la rigenerazione del quartiere Lorenteggio-Giambellino: circa 100 milioni di euro "
            "tra fondi europei (POR FESR, POR FSE, PON METRO), regionali e comunali per la casa, "
            "lo spazio pubblico, i servizi e l'accompagnamento degli abitanti."
        ),
        description_en=(
            "The programme agreement between Lombardy Region, the City of Milan and ALER Milano "
            "to regenerate the Lorenteggio-Giambellino neighbourhood: about EUR 100 million of "
            "EU (POR FESR, POR FSE, PON METRO), regional and municipal funds for housing, public "
            "space, services and support for residents."
        ),
        total=Decimal("99") * M,
        starts_on=d(2016, 7, 1),
        lines=LORENTEGGIO_LINES,
        actions=LORENTEGGIO_ACTIONS,
        news=LORENTEGGIO_NEWS,
        documents=LORENTEGGIO_DOCUMENTS,
        size=size,
    )
    ctx["programmes"]["lorenteggio"] = lorenteggio
    ctx["programme_actions"].update(actions)
    bollate_actor = User.objects.filter(username="coord.bollate").first()
    bollate, bollate_actions = _seed_programme(
        rng=rng,
        actor=bollate_actor,
        lab=labs["bollate"],
        orgs=orgs,
        name="Programma di rigenerazione Bollate",
        slug="bollate",
        description_it=(
            "Interventi sui caseggiati di via Verdi e via Turati, una nuova piazza e il "
            "laboratorio sociale QRLab."
        ),
        description_en=(
            "Works on the via Verdi and via Turati blocks, a new square and the QRLab social lab."
        ),
        total=Decimal("7") * M,
        starts_on=d(2020, 1, 1),
        lines=BOLLATE_LINES,
        actions=BOLLATE_ACTIONS,
        news=BOLLATE_NEWS,
        documents=BOLLATE_DOCUMENTS,
        size=size,
    )
    ctx["programmes"]["bollate"] = bollate
    ctx["programme_actions"].update({f"bollate:{k}": v for k, v in bollate_actions.items()})
