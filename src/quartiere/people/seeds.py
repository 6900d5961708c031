"""Demo residents, households and tenancies: synthetic people with valid-format codici fiscali.

Every record is flagged ``is_synthetic`` and uses e-mail addresses under example.org.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from quartiere.people import codice_fiscale, services
from quartiere.people.enums import (
    ConsentPurpose,
    Gender,
    HouseholdRole,
    Language,
    LegalBasis,
    TenancyKind,
)
from quartiere.people.models import Consent, Household, Resident, Tenancy
from quartiere.territory import services as territory_services
from quartiere.territory.enums import BuildingStatus, UnitStatus

ITALIAN_SURNAMES = [
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Romano",
    "Colombo",
    "Ricci",
    "Marino",
    "Greco",
    "Bruno",
    "Gallo",
    "Conti",
    "De Luca",
    "Mancini",
    "Costa",
    "Giordano",
    "Rizzo",
    "Lombardi",
    "Moretti",
    "Barbieri",
    "Fontana",
    "Santoro",
    "Mariani",
    "Rinaldi",
    "Caruso",
    "Ferrara",
    "Galli",
    "Martini",
    "Leone",
    "Longo",
    "Gentile",
    "Martinelli",
    "Vitale",
    "Lombardo",
    "Serra",
    "Coppola",
    "De Santis",
    "D'Angelo",
    "Marchetti",
    "Parisi",
    "Villa",
    "Conte",
    "Ferraro",
    "Ferri",
    "Fabbri",
    "Bianco",
    "Marini",
    "Grasso",
    "Valentini",
]
ITALIAN_F = [
    "Maria",
    "Anna",
    "Giuseppina",
    "Rosa",
    "Angela",
    "Giovanna",
    "Teresa",
    "Lucia",
    "Carmela",
    "Francesca",
    "Giulia",
    "Sofia",
    "Chiara",
    "Sara",
    "Martina",
    "Elena",
    "Alessia",
    "Valentina",
    "Paola",
    "Federica",
]
ITALIAN_M = [
    "Giuseppe",
    "Giovanni",
    "Antonio",
    "Mario",
    "Luigi",
    "Francesco",
    "Angelo",
    "Vincenzo",
    "Pietro",
    "Salvatore",
    "Marco",
    "Luca",
    "Andrea",
    "Matteo",
    "Alessandro",
    "Lorenzo",
    "Davide",
    "Simone",
    "Paolo",
    "Stefano",
]
# (citizenship, place code, language, surnames, female names, male names)
FOREIGN = [
    (
        "MA",
        "Z330",
        Language.ARABIC,
        ["El Idrissi", "Benali", "Amrani", "Ouali", "Tazi"],
        ["Fatima", "Amina", "Khadija", "Salma", "Nadia"],
        ["Mohamed", "Youssef", "Hassan", "Omar", "Karim"],
    ),
    (
        "EG",
        "Z336",
        Language.ARABIC,
        ["Hassan", "Mahmoud", "Ibrahim", "Abdelaziz", "Farouk"],
        ["Mariam", "Aya", "Noura", "Heba", "Rania"],
        ["Ahmed", "Mostafa", "Tarek", "Amr", "Sherif"],
    ),
    (
        "PE",
        "Z611",
        Language.SPANISH,
        ["Quispe", "Huaman", "Flores", "Mamani", "Rojas"],
        ["Rosa", "Carmen", "Luz", "Milagros", "Yesenia"],
        ["Jose", "Luis", "Carlos", "Jorge", "Miguel"],
    ),
    (
        "PH",
        "Z216",
        Language.TAGALOG,
        ["Santos", "Reyes", "Cruz", "Bautista", "Garcia"],
        ["Maricel", "Joy", "Grace", "Rowena", "Liza"],
        ["Romeo", "Jun", "Noel", "Arnel", "Rey"],
    ),
    (
        "RO",
        "Z129",
        Language.ROMANIAN,
        ["Popescu", "Ionescu", "Popa", "Stan", "Dumitru"],
        ["Ioana", "Elena", "Andreea", "Mihaela", "Ana"],
        ["Ion", "Andrei", "Mihai", "Florin", "Gheorghe"],
    ),
    (
        "CN",
        "Z210",
        Language.CHINESE,
        ["Hu", "Chen", "Wang", "Zhou", "Lin"],
        ["Mei", "Li", "Xiu", "Yan", "Hui"],
        ["Wei", "Jun", "Ming", "Hao", "Lei"],
    ),
    (
        "BD",
        "Z249",
        Language.BENGALI,
        ["Rahman", "Hossain", "Islam", "Ahmed", "Uddin"],
        ["Fatema", "Nasrin", "Ruma", "Shirin", "Taslima"],
        ["Abdul", "Rafiq", "Shahid", "Kamal", "Jamal"],
    ),
    (
        "UA",
        "Z138",
        Language.UKRAINIAN,
        ["Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Kravchenko"],
        ["Olena", "Iryna", "Natalia", "Oksana", "Tetiana"],
        ["Oleksandr", "Andrii", "Serhii", "Dmytro", "Yurii"],
    ),
    (
        "AL",
        "Z100",
        Language.ALBANIAN,
        ["Hoxha", "Shehu", "Dervishi", "Leka", "Marku"],
        ["Arta", "Elira", "Blerta", "Mimoza", "Drita"],
        ["Arben", "Ilir", "Gentian", "Besnik", "Fatmir"],
    ),
]
# About 3 people per flat, as in Lorenteggio (2,700 flats, 8,000 residents); the region scale
# occupies fewer units so that 100 labs hold about 500,000 residents.
SIZE_WEIGHTS = [(1, 14), (2, 20), (3, 20), (4, 22), (5, 14), (6, 10)]
OCCUPANCY = {"tiny": 0.92, "district": 0.92, "region": 0.8}


class _Namer:
    """Draws synthetic identities and keeps their codici fiscali unique."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.codes: set[str] = set()

    def origin(self) -> tuple[str, str, str, list[str], list[str], list[str]] | None:
        return None if self.rng.random() < 0.68 else self.rng.choice(FOREIGN)

    def person(
        self,
        *,
        surname: str,
        female: bool,
        born: dt.date,
        origin: tuple[Any, ...] | None,
        italian_born: bool,
    ) -> dict[str, Any]:
        rng = self.rng
        if origin is None:
            first = rng.choice(ITALIAN_F if female else ITALIAN_M)
            citizenship, place, language = "IT", "F205", Language.ITALIAN
        else:
            first = rng.choice(origin[4] if female else origin[5])
            citizenship, language = origin[0], origin[2]
            place = "F205" if italian_born else origin[1]
        for shift in range(0, 400):
            day = born + dt.timedelta(days=shift)
            code = codice_fiscale.build(
                surname=surname, name=first, born_on=day, female=female, place_code=place
            )
            if code not in self.codes:
                self.codes.add(code)
                born = day
                break
        return {
            "first_name": first,
            "last_name": surname,
            "codice_fiscale": code,
            "birth_date": born,
            "gender": Gender.FEMALE if female else Gender.MALE,
            "citizenship": citizenship,
            "preferred_language": language,
        }


def _phone(rng: random.Random) -> str:
    return f"+39 3{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"


def _email(rng: random.Random, data: dict[str, Any]) -> str:
    local = f"{data['first_name']}.{data['last_name']}{rng.randint(1, 99)}"
    return local.lower().replace(" ", "").replace("'", "") + "@example.org"


def _birth(rng: random.Random, today: dt.date, lo: int, hi: int) -> dt.date:
    return today - dt.timedelta(days=rng.randint(lo * 365, hi * 365))


def _household(
    rng: random.Random, namer: _Namer, lab: Any, size: int, today: dt.date
) -> tuple[Household, list[Resident]]:
    origin = namer.origin()
    surname = rng.choice(origin[3] if origin else ITALIAN_SURNAMES)
    household = Household(lab=lab, label=surname)
    members: list[Resident] = []
    elderly = size <= 2 and rng.random() < 0.45
    ref_female = rng.random() < 0.55
    ref_birth = _birth(rng, today, 66, 92) if elderly else _birth(rng, today, 28, 62)
    plan = [(HouseholdRole.REFERENCE, ref_female, ref_birth)]
    if size >= 2:
        plan.append(
            (
                HouseholdRole.PARTNER,
                not ref_female,
                ref_birth + dt.timedelta(days=rng.randint(-2000, 2000)),
            )
        )
    for _ in range(size - len(plan)):
        if rng.random() < 0.85:
            plan.append(
                (
                    HouseholdRole.CHILD,
                    rng.random() < 0.5,
                    _birth(rng, today, 0, min(25, max(1, (today - ref_birth).days // 365 - 18))),
                )
            )
        else:
            plan.append((HouseholdRole.PARENT, rng.random() < 0.6, _birth(rng, today, 70, 90)))
    for role, female, born in plan:
        born = min(born, today - dt.timedelta(days=30))
        child = role == HouseholdRole.CHILD
        data = namer.person(
            surname=surname,
            female=female,
            born=born,
            origin=origin,
            italian_born=child and rng.random() < 0.7,
        )
        adult = (today - data["birth_date"]).days >= 18 * 365
        permit = None
        if data["citizenship"] not in {"IT", "RO"} and adult:
            permit = today + dt.timedelta(days=rng.randint(-60, 900))
        resident = Resident(
            lab=lab,
            household=household,
            household_role=role,
            is_synthetic=True,
            residence_permit_expires_on=permit,
            phone=_phone(rng) if adult and rng.random() < 0.8 else "",
            email=_email(rng, data) if adult and rng.random() < 0.4 else "",
            **data,
        )
        members.append(resident)
    return household, members


def seed_demo(*, size: str, rng: random.Random, ctx: dict[str, Any]) -> None:
    """Fill each lab's occupied units with synthetic households, residents and consents."""
    today = timezone.localdate()
    namer = _Namer(rng)
    sizes, weights = zip(*SIZE_WEIGHTS, strict=True)
    now = timezone.now()
    for key, lab in ctx["labs"].items():
        units = ctx["units"][key]
        habitable = [
            u
            for u in units
            if u.building.status in (BuildingStatus.INHABITED, BuildingStatus.BEING_VACATED)
        ]
        occupied = [u for u in habitable if rng.random() < OCCUPANCY[size]]
        households: list[Household] = []
        residents: list[Resident] = []
        tenancies: list[Tenancy] = []
        consents: list[Consent] = []
        for unit in occupied:
            size_n = rng.choices(sizes, weights)[0]
            household, members = _household(rng, namer, lab, size_n, today)
            households.append(household)
            residents.extend(members)
            kind = rng.choices(
                [
                    TenancyKind.REGULAR,
                    TenancyKind.IRREGULAR_BEFORE_2016,
                    TenancyKind.IRREGULAR_AFTER_2016,
                    TenancyKind.TEMPORARY,
                ],
                weights=[86, 6, 4, 4],
            )[0]
            tenancies.append(
                Tenancy(
                    household=household,
                    unit=unit,
                    kind=kind,
                    starts_on=today - dt.timedelta(days=rng.randint(200, 40 * 365)),
                )
            )
            for member in members:
                if (
                    member.birth_date
                    and (today - member.birth_date).days >= 18 * 365
                    and rng.random() < 0.35
                ):
                    consents.append(
                        Consent(
                            resident=member,
                            purpose=ConsentPurpose.SERVICES,
                            legal_basis=LegalBasis.PUBLIC_TASK,
                            given_at=now - dt.timedelta(days=rng.randint(1, 500)),
                        )
                    )
        # A few people known to the lab who live elsewhere or are not in a household.
        for _ in range(max(2, len(occupied) // 20)):
            female = rng.random() < 0.5
            data = namer.person(
                surname=rng.choice(ITALIAN_SURNAMES),
                female=female,
                born=_birth(rng, today, 18, 80),
                origin=namer.origin(),
                italian_born=False,
            )
            residents.append(Resident(lab=lab, is_synthetic=True, **data))
        services.people_bulk_create(
            actor=None,
            lab=lab,
            households=households,
            residents=residents,
            tenancies=tenancies,
            consents=consents,
        )
        territory_services.unit_status_bulk_set(
            actor=None, unit_ids=[u.pk for u in occupied], status=UnitStatus.OCCUPIED, lab_id=lab.pk
        )
        unavailable = [u.pk for u in units if u.building.status in (BuildingStatus.UNDER_WORKS,)]
        if unavailable:
            territory_services.unit_status_bulk_set(
                actor=None, unit_ids=unavailable, status=UnitStatus.UNAVAILABLE, lab_id=lab.pk
            )
    ctx["residents"] = namer.codes
    _link_demo_resident_account()


def _link_demo_resident_account() -> None:
    """Give the demo resident log-in a verified resident record in their lab."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username="residente.lorenteggio").first()
    if user is None:
        return
    membership = user.memberships.filter(lab__isnull=False).select_related("lab").first()
    if membership is None:
        return
    resident = (
        Resident.objects.filter(
            lab=membership.lab, household__isnull=False, birth_date__isnull=False
        )
        .exclude(birth_date__gt=timezone.localdate() - dt.timedelta(days=30 * 365))
        .order_by("id")
        .first()
    )
    if resident is None:
        return
    services.resident_link_user(actor=None, resident=resident, user=user)
