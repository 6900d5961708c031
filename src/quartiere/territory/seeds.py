"""Demo territory: the Lorenteggio quadrilateral in Milan, a Bollate district, the labs on them,
and one demo user per role. Everything is synthetic; street names are real, codes are not."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from quartiere.accounts import services as account_services
from quartiere.accounts.enums import LabModality, Role
from quartiere.territory import services
from quartiere.territory.enums import BuildingStatus, UnitStatus
from quartiere.territory.models import Building, District, Entrance, Unit

DEMO_PASSWORD = "quartiere-demo"  # noqa: S105 - published demo credential, synthetic data only

# Streets of the Lorenteggio quadrilateral (via Lorenteggio, via Inganni, via Giambellino,
# via Odazio) with the inner streets; rough coordinates inside the block.
LORENTEGGIO_STREETS = [
    ("Via Lorenteggio", (45.4490, 9.1330), (45.4470, 9.1440)),
    ("Via Giambellino", (45.4540, 9.1320), (45.4522, 9.1440)),
    ("Via Inganni", (45.4470, 9.1318), (45.4540, 9.1322)),
    ("Via Odazio", (45.4475, 9.1440), (45.4530, 9.1445)),
    ("Via Segneri", (45.4480, 9.1380), (45.4530, 9.1385)),
    ("Via Manzano", (45.4485, 9.1395), (45.4525, 9.1400)),
    ("Via dei Sanniti", (45.4495, 9.1350), (45.4515, 9.1420)),
]
BOLLATE_STREETS = [
    ("Via Verdi", (45.5470, 9.1160), (45.5480, 9.1200)),
    ("Via Turati", (45.5450, 9.1170), (45.5460, 9.1210)),
    ("Via Madonna in Campagna", (45.5440, 9.1130), (45.5445, 9.1170)),
]

# size -> (buildings in Lorenteggio, in Bollate, extra labs, buildings per extra lab)
SIZES = {
    "tiny": (6, 2, 0, 0),
    "district": (90, 12, 0, 0),
    "region": (90, 12, 98, 67),
}

DEMO_USERS = [
    # username, role, lab key, first name, last name
    ("regione", Role.REGION_OFFICIAL, None, "Giulia", "Ferri"),
    ("valutatore", Role.EVALUATOR, None, "Paolo", "Neri"),
    ("coord.lorenteggio", Role.LAB_COORDINATOR, "lorenteggio", "Chiara", "Colombo"),
    ("operatore.lorenteggio", Role.LAB_OPERATOR, "lorenteggio", "Marco", "Ricci"),
    ("formatore.lorenteggio", Role.TRAINING_OPERATOR, "lorenteggio", "Elena", "Galli"),
    ("aler.lorenteggio", Role.HOUSING_STAFF, "lorenteggio", "Luca", "Fontana"),
    ("residente.lorenteggio", Role.RESIDENT, "lorenteggio", "Amina", "El Idrissi"),
    ("coord.bollate", Role.LAB_COORDINATOR, "bollate", "Sara", "Mariani"),
    ("operatore.bollate", Role.LAB_OPERATOR, "bollate", "Davide", "Greco"),
]


def _lerp(a: tuple[float, float], b: tuple[float, float], t: float) -> tuple[Decimal, Decimal]:
    lat = a[0] + (b[0] - a[0]) * t
    lon = a[1] + (b[1] - a[1]) * t
    return Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")


def _build_district(
    *,
    rng: random.Random,
    district: District,
    owner: Any,
    streets: list[Any],
    n_buildings: int,
    prefix: str,
    lab_id: int | None,
) -> list[Unit]:
    buildings: list[Building] = []
    entrances: list[Entrance] = []
    units: list[Unit] = []
    per_street = max(1, n_buildings // len(streets) + 1)
    count = 0
    for street, start, end in streets:
        for i in range(per_street):
            if count >= n_buildings:
                break
            count += 1
            number = str(1 + 2 * i)
            lat, lon = _lerp(start, end, (i + 0.5) / per_street)
            floors = rng.choice([4, 5, 6, 6, 7])
            status = rng.choices(
                [
                    BuildingStatus.INHABITED,
                    BuildingStatus.BEING_VACATED,
                    BuildingStatus.UNDER_WORKS,
                    BuildingStatus.NEW,
                ],
                weights=[85, 6, 6, 3],
            )[0]
            building = Building(
                district=district,
                code=f"{prefix}-{count:04d}",
                street=street,
                number=number,
                latitude=lat,
                longitude=lon,
                owner=owner,
                year_built=rng.choice([1932, 1938, 1939, 1947, 1955, 1960, 1972, 2021]),
                floors=floors,
                has_lift=rng.random() < 0.55,
                status=status,
            )
            buildings.append(building)
            for s in range(rng.choice([1, 2, 2, 3])):
                entrance = Entrance(building=building, name=f"Scala {'ABCD'[s]}")
                entrances.append(entrance)
                for floor in range(floors):
                    for k in range(rng.choice([2, 3, 3])):
                        rooms = rng.choice([1, 2, 2, 3, 3, 4])
                        area = Decimal(rng.randint(24 + rooms * 10, 36 + rooms * 14))
                        accessible = floor == 0 or (building.has_lift and rng.random() < 0.3)
                        units.append(
                            Unit(
                                building=building,
                                entrance=entrance,
                                code=f"{prefix}-{count:04d}-{'ABCD'[s]}{floor}{k + 1:02d}",
                                floor=floor,
                                rooms=rooms,
                                floor_area_m2=area,
                                is_accessible=accessible,
                                status=UnitStatus.VACANT,
                            )
                        )
    services.territory_bulk_create(
        actor=None, buildings=buildings, entrances=entrances, units=units, lab_id=lab_id
    )
    return units


def seed_demo(*, size: str, rng: random.Random, ctx: dict[str, Any]) -> None:
    """Create districts, buildings, stairs and units, the labs on them and the demo users."""
    n_lor, n_bol, extra_labs, per_extra = SIZES[size]
    orgs = ctx["orgs"]
    lorenteggio = services.district_create(
        actor=None,
        municipality="Milano",
        name="Lorenteggio",
        boundary={
            "type": "Polygon",
            "coordinates": [
                [
                    [9.1318, 45.4470],
                    [9.1445, 45.4475],
                    [9.1440, 45.4540],
                    [9.1320, 45.4540],
                    [9.1318, 45.4470],
                ]
            ],
        },
    )
    bollate = services.district_create(actor=None, municipality="Bollate", name="Via Verdi")
    start = dt.date(2025, 3, 1)
    labs = {
        "lorenteggio": account_services.lab_create(
            actor=None,
            name="MILO·Lab Lorenteggio",
            slug="milo-lab-lorenteggio",
            modality=LabModality.CO_DESIGN,
            district=lorenteggio,
            lead_organisation=orgs["Comune di Milano"],
            partners=[
                orgs["ALER Milano"],
                orgs["Cooperativa Sociale Quartieri Solidali (demo)"],
                orgs["Agenzia Formazione Lavoro Metropolitana (demo)"],
            ],
            starts_on=start,
            ends_on=dt.date(2027, 2, 28),
            address="Via Segneri 3, Milano",
            opening_hours="Lunedì-venerdì 9:30-12:30 e 14:30-17:30\nGiovedì fino alle 19:00",
            phone="+39 02 0000 0001",
            email="milolab@quartiere.example",
        ),
        "bollate": account_services.lab_create(
            actor=None,
            name="QRLab Bollate",
            slug="qrlab-bollate",
            modality=LabModality.CO_DESIGN,
            district=bollate,
            lead_organisation=orgs["Comune di Bollate"],
            partners=[
                orgs["ALER Milano"],
                orgs["Associazione Abitanti Giambellino (demo)"],
                orgs["Agenzia Formazione Lavoro Metropolitana (demo)"],
            ],
            starts_on=start,
            ends_on=dt.date(2027, 2, 28),
            address="Via Verdi 12, Bollate",
            opening_hours="Martedì e giovedì 9:00-13:00\nMercoledì 14:00-18:00",
            phone="+39 02 0000 0002",
            email="qrlab@quartiere.example",
        ),
    }
    ctx["labs"] = labs
    ctx["units"] = {
        "lorenteggio": _build_district(
            rng=rng,
            district=lorenteggio,
            owner=orgs["ALER Milano"],
            streets=LORENTEGGIO_STREETS,
            n_buildings=n_lor,
            prefix="MI-LOR",
            lab_id=labs["lorenteggio"].pk,
        ),
        "bollate": _build_district(
            rng=rng,
            district=bollate,
            owner=orgs["ALER Milano"],
            streets=BOLLATE_STREETS,
            n_buildings=n_bol,
            prefix="BO-VER",
            lab_id=labs["bollate"].pk,
        ),
    }
    for i in range(1, extra_labs + 1):
        municipality = orgs[f"Comune {i:03d}"]
        district = services.district_create(
            actor=None, municipality=f"Comune demo {i:03d}", name=f"Quartiere ERP {i:03d}"
        )
        key = f"lab{i:03d}"
        labs[key] = account_services.lab_create(
            actor=None,
            name=f"Laboratorio sociale demo {i:03d}",
            slug=f"lab-demo-{i:03d}",
            modality=LabModality.REGIONAL_CALL,
            district=district,
            lead_organisation=municipality,
            starts_on=start,
            ends_on=dt.date(2027, 2, 28),
            address=f"Piazza del Municipio 1, Comune demo {i:03d}",
        )
        base = (45.3 + (i % 10) * 0.05, 9.0 + (i // 10) * 0.05)
        streets = [
            (f"Via dei Mille {i}", base, (base[0] + 0.002, base[1] + 0.004)),
            (f"Via Roma {i}", (base[0] + 0.003, base[1]), (base[0] + 0.003, base[1] + 0.004)),
        ]
        ctx["units"][key] = _build_district(
            rng=rng,
            district=district,
            owner=municipality,
            streets=streets,
            n_buildings=per_extra,
            prefix=f"R{i:03d}",
            lab_id=labs[key].pk,
        )
    _seed_users(labs=labs, orgs=orgs)


def _seed_users(*, labs: dict[str, Any], orgs: dict[str, Any]) -> None:
    for username, role, lab_key, first, last in DEMO_USERS:
        user = account_services.user_create(
            actor=None,
            username=username,
            password=DEMO_PASSWORD,
            email=f"{username}@quartiere.example",
            first_name=first,
            last_name=last,
        )
        org = (
            orgs["ALER Milano"]
            if role == Role.HOUSING_STAFF
            else (orgs["Regione Lombardia"] if lab_key is None else None)
        )
        account_services.membership_grant(
            actor=None,
            user=user,
            role=role,
            lab=labs[lab_key] if lab_key else None,
            organisation=org,
        )
    admin = account_services.user_create(
        actor=None,
        username="admin",
        password=DEMO_PASSWORD,
        email="admin@quartiere.example",
        first_name="Amministratore",
        is_staff=True,
    )
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
