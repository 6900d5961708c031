"""Demo activities: a year of each lab's programme (Italian for migrant women every Tuesday,
homework help, the Thursday coffee, energy-saving workshops, neighbourhood parties, an
information meeting at a school...), with sessions in the past and the next months,
registrations, waiting lists, cancellations and the registers of past sessions.

The demo labs (Lorenteggio, Bollate) are built through the services for a realistic audit
trail (activities, sessions, publication, a few registrations and a cancellation) and their
volume (registrations, attendance) is written in bulk. At region scale the other labs get the
same programme in bulk only (``bulk_year_for_lab``, also used by the benchmark). Every name is
synthetic.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify

from quartiere.accounts import selectors as account_selectors
from quartiere.accounts.enums import Role
from quartiere.activities import services
from quartiere.activities.enums import (
    ActivityAudience as A,
)
from quartiere.activities.enums import (
    ActivityKind as K,
)
from quartiere.activities.enums import (
    ActivityPlaceKind as P,
)
from quartiere.activities.enums import (
    ActivityStatus,
    RegistrationChannel,
    RegistrationStatus,
    SessionStatus,
)
from quartiere.activities.models import Activity, ActivitySession, Attendance, Registration
from quartiere.core.exceptions import ApplicationError
from quartiere.monitoring.enums import OperationKind
from quartiere.monitoring.services import participation_record
from quartiere.people import selectors as people_selectors
from quartiere.people.selectors import resident_for_user

FIRST_NAMES = (
    "Giulia",
    "Fatima",
    "Marco",
    "Lucia",
    "Ahmed",
    "Rosa",
    "Ivan",
    "Mei",
    "Paolo",
    "Samira",
    "Giorgio",
    "Elena",
    "Omar",
    "Anna",
    "Karim",
    "Teresa",
)
LAST_NAMES = (
    "Rossi",
    "Bianchi",
    "Haddad",
    "Russo",
    "Chen",
    "Esposito",
    "Popescu",
    "Ferrari",
    "Diallo",
    "Greco",
    "Romano",
    "Benali",
    "Costa",
    "Marino",
)


@dataclass(frozen=True)
class Template:
    """One activity of the demo programme."""

    title_it: str
    title_en: str
    description_it: str
    description_en: str
    kind: str
    audience: str
    place_kind: str
    weekday: int  # 0 = Monday
    start: dt.time
    minutes: int
    capacity: int | None
    repeat: str  # weekly, monthly, single
    first_week: int  # weeks from the start of the demo year
    last_week: int
    demand: float  # registrations as a share of the places (above 1: a waiting list)
    registration: bool = True
    place_name: str = ""
    place_address: str = ""


PROGRAMME = (
    Template(
        "Italiano per donne straniere",
        "Italian for migrant women",
        "Un corso di lingua italiana per donne, con spazio bimbi. Livello A1-A2: si parla di "
        "casa, scuola, salute e lavoro.",
        "An Italian course for women, with a children's corner. Level A1-A2: home, school, "
        "health and work.",
        K.EDUCATIONAL,
        A.WOMEN,
        P.LAB,
        1,
        dt.time(15),
        120,
        15,
        "weekly",
        0,
        52,
        1.3,
    ),
    Template(
        "Aiuto compiti",
        "Homework help",
        "Volontari e educatori aiutano ragazze e ragazzi delle medie con i compiti.",
        "Volunteers and educators help secondary-school children with their homework.",
        K.EDUCATIONAL,
        A.CHILDREN,
        P.LAB,
        2,
        dt.time(16, 30),
        120,
        12,
        "weekly",
        2,
        40,
        1.2,
    ),
    Template(
        "Caffè del giovedì",
        "Thursday coffee",
        "Un caffè insieme per conoscersi, fare due chiacchiere e raccontare cosa serve.",
        "A coffee together to meet, chat and tell the lab what is needed.",
        K.AGGREGATION,
        A.ELDERLY,
        P.COMMON_ROOM,
        3,
        dt.time(10),
        120,
        None,
        "weekly",
        0,
        52,
        0,
        registration=False,
    ),
    Template(
        "Laboratorio di risparmio energetico",
        "Energy-saving workshop",
        "Come leggere la bolletta, ridurre i consumi e chiedere i bonus sociali.",
        "How to read your bill, use less energy and apply for the social bonuses.",
        K.WORKSHOP,
        A.FAMILIES,
        P.LAB,
        0,
        dt.time(18),
        90,
        20,
        "monthly",
        6,
        50,
        0.8,
    ),
    Template(
        "Sportello digitale",
        "Digital help desk",
        "Aiuto per SPID, fascicolo sanitario, domande online e prenotazioni.",
        "Help with SPID, health records, online applications and bookings.",
        K.INFORMATION,
        A.ALL,
        P.LAB,
        4,
        dt.time(9, 30),
        150,
        6,
        "weekly",
        4,
        52,
        1.5,
    ),
    Template(
        "Ginnastica dolce",
        "Gentle exercise",
        "Movimento leggero per tutte le età, con un'istruttrice.",
        "Light exercise for every age, with an instructor.",
        K.SPORT,
        A.ELDERLY,
        P.OTHER,
        0,
        dt.time(10),
        60,
        18,
        "weekly",
        8,
        36,
        1.0,
        place_name="Palestra della scuola",
        place_address="Via dei Narcisi 2",
    ),
    Template(
        "Festa di quartiere d'estate",
        "Summer neighbourhood party",
        "Musica, giochi per bambini e cena condivisa nel cortile.",
        "Music, games for children and a shared dinner in the courtyard.",
        K.PARTY,
        A.ALL,
        P.OTHER,
        5,
        dt.time(16),
        300,
        None,
        "single",
        30,
        30,
        0,
        registration=False,
        place_name="Cortile",
        place_address="Cortile centrale",
    ),
    Template(
        "Festa d'inverno",
        "Winter party",
        "Merenda, tombola e auguri per le feste.",
        "Snacks, bingo and season's greetings.",
        K.PARTY,
        A.FAMILIES,
        P.COMMON_ROOM,
        5,
        dt.time(15),
        180,
        60,
        "single",
        48,
        48,
        0.7,
    ),
    Template(
        "Incontro sui lavori di riqualificazione",
        "Meeting on the regeneration works",
        "Il Comune e ALER presentano il cronoprogramma dei lavori e rispondono alle domande.",
        "The Municipality and ALER present the works timetable and answer questions.",
        K.INFORMATION,
        A.ALL,
        P.SCHOOL,
        2,
        dt.time(18),
        120,
        120,
        "single",
        45,
        45,
        0.4,
        place_name="Scuola primaria",
        place_address="Via dei Narcisi 2",
    ),
    Template(
        "Spazio giovani",
        "Youth space",
        "Musica, giochi e progetti pensati da ragazze e ragazzi.",
        "Music, games and projects thought up by young people.",
        K.AGGREGATION,
        A.YOUNG_PEOPLE,
        P.LAB,
        4,
        dt.time(17),
        120,
        25,
        "weekly",
        20,
        52,
        0.6,
    ),
)


def _year_start(now: dt.datetime) -> dt.date:
    """The first Monday of the demo year: about nine months ago (three months still to come)."""
    start = timezone.localdate(now) - dt.timedelta(days=270)
    return start - dt.timedelta(days=start.weekday())


def _starts(template: Template, year_start: dt.date) -> list[dt.datetime]:
    tz = timezone.get_current_timezone()
    first_day = year_start + dt.timedelta(weeks=template.first_week, days=template.weekday)
    first = dt.datetime.combine(first_day, template.start, tzinfo=tz)
    if template.repeat == "single":
        return [first]
    last = year_start + dt.timedelta(weeks=template.last_week, days=template.weekday)
    weekly = services._local_starts(first, last, True)
    if template.repeat == "monthly":
        return weekly[::4]
    return weekly


def _contact(rng: random.Random) -> tuple[str, str]:
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    return name, f"3{rng.randint(10, 99)} {rng.randint(1000000, 9999999)}"


@dataclass
class _Lab:
    lab: Any
    residents: list[int]
    actor: Any
    building: Any


def _residents(reader: Any, lab: Any) -> list[int]:
    return list(
        people_selectors.resident_list(user=reader, lab_id=lab.pk, with_address=False)
        .order_by("id")
        .values_list("id", flat=True)[:800]
    )


def _activity_fields(t: Template, building: Any) -> dict[str, Any]:
    place_kind = t.place_kind
    if place_kind == P.COMMON_ROOM and building is None:
        place_kind = P.LAB
    return {
        "title_it": t.title_it,
        "title_en": t.title_en,
        "description_it": t.description_it,
        "description_en": t.description_en,
        "kind": t.kind,
        "audience": t.audience,
        "place_kind": place_kind,
        "building": building if place_kind == P.COMMON_ROOM else None,
        "place_name": t.place_name if place_kind in (P.OTHER, P.SCHOOL) else "",
        "place_address": t.place_address if place_kind in (P.OTHER, P.SCHOOL) else "",
        "capacity": t.capacity,
        "is_registration_open": t.registration,
        "is_public": True,
    }


def _fill(
    *,
    rng: random.Random,
    activity: Activity,
    template: Template,
    sessions: list[ActivitySession],
    residents: list[int],
    now: dt.datetime,
    taken: set[int],
) -> tuple[list[Registration], list[Attendance]]:
    """Build the registrations (with a waiting list) and the past registers of one activity."""
    registrations: list[Registration] = []
    if template.registration and template.capacity:
        wanted = round(template.capacity * template.demand)
        opened = sessions[0].starts_at - dt.timedelta(days=14)
        pool = [r for r in residents if r not in taken]
        rng.shuffle(pool)
        for i in range(wanted):
            queued = opened + dt.timedelta(hours=3 * i + rng.randint(0, 2))
            queued = min(queued, now - dt.timedelta(hours=1))
            resident_id = pool[i] if i < len(pool) and rng.random() < 0.8 else None
            name, phone = ("", "") if resident_id else _contact(rng)
            status = (
                RegistrationStatus.CONFIRMED
                if i < template.capacity
                else RegistrationStatus.WAITLISTED
            )
            registrations.append(
                Registration(
                    activity=activity,
                    resident_id=resident_id,
                    contact_name=name,
                    contact_phone=phone,
                    status=status,
                    channel=rng.choice((RegistrationChannel.DESK, RegistrationChannel.PORTAL))
                    if resident_id
                    else RegistrationChannel.DESK,
                    queued_at=queued,
                    confirmed_at=queued if status == RegistrationStatus.CONFIRMED else None,
                )
            )
        # A few confirmed people drop out; the first waiting take their places.
        confirmed = [r for r in registrations if r.status == RegistrationStatus.CONFIRMED]
        waiting = [r for r in registrations if r.status == RegistrationStatus.WAITLISTED]
        for dropped in rng.sample(confirmed, k=min(len(confirmed) // 8, len(waiting))):
            dropped.status = RegistrationStatus.CANCELLED
            dropped.cancelled_at = dropped.queued_at + dt.timedelta(days=10)
            promoted = waiting.pop(0)
            promoted.status = RegistrationStatus.CONFIRMED
            promoted.confirmed_at = promoted.promoted_at = dropped.cancelled_at
        taken.update(r.resident_id for r in registrations if r.resident_id)
    attendances: list[Attendance] = []
    confirmed_regs = [r for r in registrations if r.status == RegistrationStatus.CONFIRMED]
    for session in sessions:
        if session.ends_at > now or session.status == SessionStatus.CANCELLED:
            continue
        seen: set[int] = set()
        for reg in confirmed_regs:
            if reg.queued_at > session.starts_at or rng.random() > 0.78:
                continue
            attendances.append(
                Attendance(
                    session=session,
                    registration=reg,
                    resident_id=reg.resident_id,
                    is_present=True,
                    recorded_at=session.starts_at,
                )
            )
            if reg.resident_id:
                seen.add(reg.resident_id)
        if not template.registration and residents:
            for rid in rng.sample(residents, k=min(len(residents), rng.randint(6, 14))):
                if rid not in seen:
                    seen.add(rid)
                    attendances.append(
                        Attendance(
                            session=session,
                            resident_id=rid,
                            is_present=True,
                            recorded_at=session.starts_at,
                        )
                    )
        names: set[str] = set()
        for _ in range(rng.randint(0, 3)):
            name, _phone = _contact(rng)
            if name not in names:
                names.add(name)
                attendances.append(
                    Attendance(session=session, walk_in_name=name, recorded_at=session.starts_at)
                )
    return registrations, attendances


def _save(registrations: list[Registration], attendances: list[Attendance]) -> None:
    Registration.objects.bulk_create(registrations, batch_size=500)
    for att in attendances:
        if att.registration is not None:
            att.registration_id = att.registration.pk
    Attendance.objects.bulk_create(attendances, batch_size=1000)


def bulk_year_for_lab(
    *, lab: Any, residents: list[int], rng: random.Random, now: dt.datetime
) -> int:
    """Write a year of the demo programme for one lab in bulk (no audit, no e-mails).

    Returns the number of sessions written.
    """
    year_start = _year_start(now)
    activities = [
        Activity(
            lab=lab,
            slug=slugify(t.title_it)[:80],
            status=ActivityStatus.PUBLISHED,
            published_at=now - dt.timedelta(days=280),
            **_activity_fields(t, None),
        )
        for t in PROGRAMME
    ]
    Activity.objects.bulk_create(activities)
    sessions_by: dict[int, list[ActivitySession]] = {}
    all_sessions: list[ActivitySession] = []
    for activity, template in zip(activities, PROGRAMME, strict=True):
        minutes = dt.timedelta(minutes=template.minutes)
        sessions = [
            ActivitySession(activity=activity, starts_at=s, ends_at=s + minutes)
            for s in _starts(template, year_start)
        ]
        sessions_by[activity.pk] = sessions
        all_sessions.extend(sessions)
    ActivitySession.objects.bulk_create(all_sessions, batch_size=1000)
    registrations: list[Registration] = []
    attendances: list[Attendance] = []
    taken: set[int] = set()
    for activity, template in zip(activities, PROGRAMME, strict=True):
        regs, atts = _fill(
            rng=rng,
            activity=activity,
            template=template,
            sessions=sessions_by[activity.pk],
            residents=residents,
            now=now,
            taken=taken if len(taken) < len(residents) // 2 else set(),
        )
        registrations.extend(regs)
        attendances.extend(atts)
    _save(registrations, attendances)
    return len(all_sessions)


def _actor(lab: Any) -> Any:
    for user in account_selectors.lab_staff_list(lab_id=lab.pk):
        if {Role.LAB_OPERATOR, Role.LAB_COORDINATOR} & account_selectors.user_scope(user).roles:
            return user
    return None


def _building(reader: Any, lab: Any) -> Any:
    from quartiere.territory.selectors import building_list

    return building_list(user=reader, district_id=lab.district_id).first()


def _service_year_for_lab(*, info: _Lab, rng: random.Random, now: dt.datetime, size: str) -> None:
    """The demo programme of a demo lab through the services, volume in bulk."""
    year_start = _year_start(now)
    programme = PROGRAMME if size != "tiny" else PROGRAMME[:5] + PROGRAMME[6:8]
    taken: set[int] = set()
    registrations: list[Registration] = []
    attendances: list[Attendance] = []
    for template in programme:
        activity = services.activity_create(
            actor=info.actor, lab=info.lab, **_activity_fields(template, info.building)
        )
        starts = _starts(template, year_start)
        if size == "tiny" and template.repeat != "single":
            starts = starts[-10:]
        duration = dt.timedelta(minutes=template.minutes)
        if template.repeat == "weekly":
            services.activity_sessions_schedule(
                actor=info.actor,
                activity=activity,
                first_start=starts[0],
                duration=duration,
                weekly_until=timezone.localdate(starts[-1]),
            )
        else:
            for start in starts:
                services.activity_sessions_schedule(
                    actor=info.actor, activity=activity, first_start=start, duration=duration
                )
        services.activity_publish(actor=info.actor, activity=activity)
        sessions = list(activity.sessions.order_by("starts_at"))
        regs, atts = _fill(
            rng=rng,
            activity=activity,
            template=template,
            sessions=sessions,
            residents=info.residents,
            now=now,
            taken=taken,
        )
        registrations.extend(regs)
        attendances.extend(atts)
    _save(registrations, attendances)
    _count_participations(attendances=attendances, lab=info.lab, actor=info.actor, now=now)
    _live_examples(info=info, rng=rng, now=now)


def _count_participations(*, attendances: list[Attendance], lab: Any, actor: Any, now: Any) -> None:
    """Record the ESF participations of the residents who attended (one call per resident and
    activity, with their number of sessions), and mark the register lines as counted."""
    per: dict[tuple[int, int], list[Attendance]] = defaultdict(list)
    for att in attendances:
        rid = att.resident_id
        if rid and att.is_present:
            per[(rid, att.session.activity_id)].append(att)
    if not per:
        return
    residents = {
        r.pk: r
        for r in people_selectors.resident_list(
            user=get_user_model().objects.filter(is_superuser=True).first(),
            lab_id=lab.pk,
            with_address=False,
        ).filter(pk__in={rid for rid, _ in per})
    }
    titles = dict(Activity.objects.filter(lab=lab).values_list("pk", "title_it"))
    counted: list[int] = []
    for (rid, activity_id), rows in per.items():
        resident = residents.get(rid)
        if resident is None:
            continue
        participation_record(
            resident=resident,
            lab_id=lab.pk,
            kind=OperationKind.ACTIVITY,
            operation_key=f"activities.activity:{activity_id}",
            operation_label=titles.get(activity_id, ""),
            entered_on=min(timezone.localdate(a.session.starts_at) for a in rows),
            actor=actor,
            contacts=len(rows),
        )
        counted.extend(a.pk for a in rows if a.pk)
    Attendance.objects.filter(pk__in=counted).update(counted_in_monitoring_at=now)


def _live_examples(*, info: _Lab, rng: random.Random, now: dt.datetime) -> None:
    """A few registrations through the services (with their audit rows), the demo resident's
    own registrations, and a cancelled session and activity."""
    upcoming = (
        Activity.objects.filter(
            lab=info.lab,
            status=ActivityStatus.PUBLISHED,
            is_registration_open=True,
            sessions__starts_at__gt=now,
        )
        .distinct()
        .order_by("pk")
    )
    demo_user = get_user_model().objects.filter(username="residente.lorenteggio").first()
    demo_resident = resident_for_user(user=demo_user) if demo_user else None
    for activity in upcoming[:3]:
        if demo_resident is not None and demo_resident.lab_id == info.lab.pk:
            with contextlib.suppress(ApplicationError):
                services.registration_create(
                    actor=demo_user,
                    activity=activity,
                    channel=RegistrationChannel.PORTAL,
                    resident=demo_resident,
                )
        name, phone = _contact(rng)
        with contextlib.suppress(ApplicationError):
            services.registration_create(
                actor=info.actor,
                activity=activity,
                channel=RegistrationChannel.DESK,
                contact_name=f"{name} (demo)",
                contact_phone=phone,
            )
    # A confirmed place given up at the desk: the first on the waiting list is promoted.
    full = (
        Registration.objects.filter(
            activity__lab=info.lab,
            status=RegistrationStatus.WAITLISTED,
            activity__sessions__starts_at__gt=now,
        )
        .values_list("activity_id", flat=True)
        .first()
    )
    if full:
        place = (
            Registration.objects.filter(activity_id=full, status=RegistrationStatus.CONFIRMED)
            .exclude(resident__user__isnull=False)
            .order_by("-queued_at")
            .first()
        )
        if place is not None:
            services.registration_cancel(actor=info.actor, registration=place, reason="demo")
    session = (
        ActivitySession.objects.filter(
            activity__lab=info.lab, starts_at__gt=now + dt.timedelta(days=7), status="scheduled"
        )
        .order_by("starts_at")
        .first()
    )
    if session is not None:
        services.session_cancel(
            actor=info.actor, session=session, reason="Sala non disponibile per un'assemblea."
        )
    cancelled = services.activity_create(
        actor=info.actor,
        lab=info.lab,
        title_it="Corso di cucito",
        title_en="Sewing course",
        description_it="Rimandato a data da definire.",
        kind=K.WORKSHOP,
        audience=A.WOMEN,
        capacity=10,
    )
    services.activity_sessions_schedule(
        actor=info.actor,
        activity=cancelled,
        first_start=now + dt.timedelta(days=20),
        duration=dt.timedelta(hours=2),
    )
    services.activity_publish(actor=info.actor, activity=cancelled)
    services.activity_cancel(
        actor=info.actor, activity=cancelled, reason="L'insegnante non è più disponibile."
    )
    services.activity_create(
        actor=info.actor,
        lab=info.lab,
        title_it="Orto condiviso (in preparazione)",
        title_en="Shared vegetable garden (in preparation)",
        kind=K.WORKSHOP,
        audience=A.ALL,
    )


def seed_demo(*, size: str, rng: random.Random, ctx: dict[str, Any]) -> None:
    """Give each lab a year of activities with sessions, registrations and registers."""
    reader = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    if reader is None:
        return
    labs: dict[str, Any] = ctx.get("labs") or {
        lab.slug: lab for lab in account_selectors.lab_list(user=reader)
    }
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for key, lab in labs.items():
        actor = _actor(lab)
        residents = _residents(reader, lab)
        if actor is not None:
            info = _Lab(lab=lab, residents=residents, actor=actor, building=_building(reader, lab))
            _service_year_for_lab(info=info, rng=rng, now=now, size=size)
        elif size == "region" or key in ("lorenteggio", "bollate"):
            bulk_year_for_lab(lab=lab, residents=residents, rng=rng, now=now)
