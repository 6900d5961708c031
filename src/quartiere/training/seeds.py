"""Demo training data (synthetic): two measures, a dozen paths, about 300 participants over the
last 12 months, attendance registers (mostly validated), then the payment batches.

Measures, paths, schedules, eligibility checks and enrolments go through the services, so the
audit trail is realistic; registers and their lines are bulk-loaded for volume.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection
from django.utils import timezone
from stdnum import iban as stdnum_iban

from quartiere.accounts import services as account_services
from quartiere.accounts.enums import Role
from quartiere.core import audit
from quartiere.core.exceptions import ApplicationError
from quartiere.monitoring.enums import EducationLevel, SensitiveAnswer
from quartiere.monitoring.services import EntryData
from quartiere.people.models import Resident
from quartiere.territory.enums import BuildingStatus
from quartiere.training import seeds_payments
from quartiere.training.enums import EnrolmentStatus, IncomeSupport, PathStatus, RegisterStatus
from quartiere.training.models import (
    AttendanceRecord,
    AttendanceRegister,
    Enrolment,
    TrainingPath,
)
from quartiere.training.services import enrolment as enrolment_services
from quartiere.training.services import measures as measure_services
from quartiere.training.services import registers as register_services

DEMO_PASSWORD = "quartiere-demo"  # noqa: S105 - published demo credential, synthetic data only
OPERATOR_ORG = "Agenzia Formazione Lavoro Metropolitana (demo)"
_ODD = [
    1,
    0,
    5,
    7,
    9,
    13,
    15,
    17,
    19,
    21,
    2,
    4,
    18,
    20,
    11,
    3,
    6,
    8,
    12,
    14,
    16,
    10,
    22,
    25,
    24,
    23,
]
ABI_CODES = ["03069", "05034", "02008", "03111", "05696", "08453", "01030", "03440"]


def _cin(bban: str) -> str:
    """The Italian check letter (CIN) of ABI + CAB + account number."""
    total = 0
    for i, char in enumerate(bban.upper()):
        value = int(char) if char.isdigit() else string.ascii_uppercase.index(char)
        total += _ODD[value] if i % 2 == 0 else value
    return string.ascii_uppercase[total % 26]


def italian_iban(abi: str, cab: str, account: str) -> str:
    """Build a valid Italian IBAN (check digits and CIN) from bank, branch and account codes."""
    bban = f"{abi:0>5}{cab:0>5}{account:0>12}"
    draft = f"IT00{_cin(bban)}{bban}"
    return f"IT{stdnum_iban.calc_check_digits(draft)}{draft[4:]}"


@dataclass(frozen=True)
class PathPlan:
    title: str
    offset_months: int  # start, in months after the first month of the window
    months: int
    weekdays: tuple[int, ...]
    start: dt.time
    end: dt.time


PLANS = {
    "lorenteggio": [
        PathPlan("Competenze digitali di base", 0, 4, (0, 2), dt.time(9), dt.time(13)),
        PathPlan(
            "Addetto alla logistica e al magazzino", 1, 6, (0, 1, 2, 3, 4), dt.time(9), dt.time(13)
        ),
        PathPlan("Italiano per il lavoro (A2-B1)", 3, 5, (1, 3), dt.time(14), dt.time(17)),
        PathPlan("Aiuto cuoco e ristorazione collettiva", 5, 5, (0, 2, 4), dt.time(9), dt.time(13)),
        PathPlan("Manutenzione del verde", 7, 4, (1, 3), dt.time(8, 30), dt.time(12, 30)),
        PathPlan("Assistenza familiare", 9, 4, (0, 2, 4), dt.time(14), dt.time(18)),
    ],
    "bollate": [
        PathPlan("Operatore delle pulizie professionali", 0, 4, (1, 3), dt.time(9), dt.time(13)),
        PathPlan(
            "Magazziniere con patentino del muletto", 2, 6, (0, 1, 2, 3, 4), dt.time(8), dt.time(12)
        ),
        PathPlan("Sartoria e piccole riparazioni", 3, 5, (0, 2), dt.time(14), dt.time(17)),
        PathPlan("Curriculum e colloquio di lavoro", 5, 3, (3,), dt.time(9), dt.time(12)),
        PathPlan("Addetto alle vendite", 6, 5, (0, 2, 4), dt.time(9), dt.time(13)),
        PathPlan("Custode sociale di condominio", 9, 4, (1, 3), dt.time(14), dt.time(18)),
    ],
}
# size -> (paths per lab, participants per path, months in the window)
SIZES = {"tiny": (2, 6, 4), "district": (6, 25, 12), "region": (6, 25, 12)}
# attendance profile -> (weight, probability of attending a session)
PROFILES = {"steady": (62, 0.95), "average": (20, 0.86), "weak": (10, 0.6), "withdrawn": (8, 0.8)}


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    return dt.date(day.year + index // 12, index % 12 + 1, 1)


def _user(username: str, first: str, last: str, role: str, labs: list[Any]) -> Any:
    from django.contrib.auth import get_user_model

    existing = get_user_model().objects.filter(username=username).first()
    if existing is not None:
        return existing
    user = account_services.user_create(
        actor=None,
        username=username,
        password=DEMO_PASSWORD,
        email=f"{username}@quartiere.example",
        first_name=first,
        last_name=last,
    )
    for lab in labs:
        account_services.membership_grant(actor=None, user=user, role=role, lab=lab)
    return user


def _candidates(lab: Any, today: dt.date, building_ids: set[int] | None) -> list[Resident]:
    """Adults of working age with a household (so with a residence), in a stable order."""
    qs = Resident.objects.filter(
        lab=lab,
        household__isnull=False,
        birth_date__lte=today - dt.timedelta(days=19 * 366),
        birth_date__gte=today - dt.timedelta(days=63 * 365),
    ).order_by("pk")
    if building_ids:
        qs = qs.filter(
            household__tenancies__ends_on__isnull=True,
            household__tenancies__unit__building_id__in=building_ids,
        )
    return list(qs.distinct())


def seed_demo(*, size: str, rng: random.Random, ctx: dict[str, Any]) -> None:
    """Seed the training demo, then the payment batches."""
    n_paths, per_path, window = SIZES[size]
    labs = ctx["labs"]
    org = ctx["orgs"][OPERATOR_ORG]
    today = timezone.localdate()
    first_month = _add_months(today.replace(day=1), -(window - 1))
    responsible = _user(
        "responsabile.formazione",
        "Rita",
        "Moretti",
        Role.TRAINING_OPERATOR,
        [labs["lorenteggio"], labs["bollate"]],
    )
    responsible.user_permissions.add(
        Permission.objects.get(content_type__app_label="training", codename="validate_register")
    )
    trainers = {
        "lorenteggio": _user(
            "formatore.lorenteggio", "Elena", "Galli", Role.TRAINING_OPERATOR, [labs["lorenteggio"]]
        ),
        "bollate": _user(
            "formatore.bollate", "Stefano", "Villa", Role.TRAINING_OPERATOR, [labs["bollate"]]
        ),
    }
    coordinators = {key: _existing_user(f"coord.{key}") for key in ("lorenteggio", "bollate")}
    seeded: dict[str, Any] = {"measures": {}, "paths": [], "responsible": responsible}
    for key in ("lorenteggio", "bollate"):
        lab = labs[key]
        actor = coordinators[key]
        operator = measure_services.accredited_operator_create(
            actor=actor,
            organisation=org,
            lab=lab,
            staff=[trainers[key]],
            responsibles=[responsible],
        )
        target = []
        if key == "lorenteggio":
            target = list(
                lab.district.buildings.filter(
                    status__in=[BuildingStatus.INHABITED, BuildingStatus.BEING_VACATED]
                )
            )
        measure = measure_services.measure_create(
            actor=actor,
            lab=lab,
            name=(
                "Inclusione attiva - percorsi MILO·Lab"
                if key == "lorenteggio"
                else "Inclusione attiva - QRLab Bollate"
            ),
            description=(
                "Percorsi personalizzati di formazione e orientamento al lavoro con indennità di "
                "partecipazione proporzionale alle ore frequentate (dati sintetici)."
            ),
            allowance_budget=Decimal("150000.00") if key == "lorenteggio" else Decimal("90000.00"),
            target_buildings=target,
            gate_isee=key == "bollate",
            gate_income_support=True,
            min_unemployed_months=0 if key == "lorenteggio" else 6,
        )
        seeded["measures"][key] = measure
        candidates = _candidates(lab, today, {b.pk for b in target} or None)
        rng.shuffle(candidates)
        if key == "lorenteggio":
            demo = Resident.objects.filter(user__username="residente.lorenteggio").first()
            if demo is not None:
                # Popped first: the demo resident's own page shows a path.
                candidates = [*[c for c in candidates if c.pk != demo.pk], demo]
        for plan in PLANS[key][:n_paths]:
            if plan.offset_months >= window:
                continue
            path = _seed_path(
                rng=rng,
                plan=plan,
                measure=measure,
                operator=operator,
                trainer=trainers[key],
                actor=actor,
                first_month=first_month,
            )
            enrolments = _seed_enrolments(
                rng=rng,
                path=path,
                actor=actor,
                candidates=candidates,
                count=per_path,
                today=today,
            )
            _seed_attendance(
                rng=rng,
                path=path,
                enrolments=enrolments,
                trainer=trainers[key],
                responsible=responsible,
                actor=actor,
                today=today,
            )
            seeded["paths"].append(path)
    ctx["training"] = seeded
    seeds_payments.seed_demo_payments(size=size, rng=rng, ctx=ctx)


def _existing_user(username: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).first()


def _seed_path(
    *,
    rng: random.Random,
    plan: PathPlan,
    measure: Any,
    operator: Any,
    trainer: Any,
    actor: Any,
    first_month: dt.date,
) -> TrainingPath:
    starts_on = _add_months(first_month, plan.offset_months) + dt.timedelta(days=rng.randint(0, 6))
    ends_on = _add_months(starts_on.replace(day=1), plan.months) - dt.timedelta(days=1)
    session_hours = Decimal(
        (
            dt.datetime.combine(starts_on, plan.end) - dt.datetime.combine(starts_on, plan.start)
        ).seconds
    ) / Decimal(3600)
    weeks = Decimal((ends_on - starts_on).days + 1) / Decimal(7)
    hours = (session_hours * len(plan.weekdays) * weeks).quantize(Decimal("1"))
    path = measure_services.training_path_create(
        actor=actor,
        measure=measure,
        title=plan.title,
        description="Percorso di gruppo con tirocinio finale (dati sintetici).",
        hours=hours,
        places=30,
        trainer=trainer,
        starts_on=starts_on,
        ends_on=ends_on,
        status=PathStatus.OPEN,
        operator=operator,
    )
    measure_services.training_sessions_generate(
        actor=actor,
        path=path,
        weekdays=plan.weekdays,
        start_time=plan.start,
        end_time=plan.end,
        location="Sala corsi del laboratorio",
    )
    return path


def _evidence(rng: random.Random, on: dt.date, ineligible: bool) -> dict[str, Any]:
    support = IncomeSupport.NONE
    if ineligible:
        support = rng.choice([IncomeSupport.NASPI, IncomeSupport.DIS_COLL, IncomeSupport.CIG])
    return {
        "unemployed_since": on - dt.timedelta(days=rng.randint(200, 1500)),
        "isee_value": Decimal(rng.randint(2500, 17500)),
        "isee_date": on - dt.timedelta(days=rng.randint(5, 150)),
        "income_support": support,
    }


def _iban(rng: random.Random) -> str:
    return italian_iban(
        rng.choice(ABI_CODES),
        f"{rng.randint(1000, 99999):05d}",
        f"{rng.randint(1, 10**12 - 1):012d}",
    )


def _entry_data(rng: random.Random, unemployed_since: dt.date | None) -> EntryData:
    return EntryData(
        employment_status="unemployed",
        unemployed_since=unemployed_since,
        education_level=rng.choice(
            [
                EducationLevel.PRIMARY_LOWER_SECONDARY,
                EducationLevel.PRIMARY_LOWER_SECONDARY,
                EducationLevel.UPPER_SECONDARY,
                EducationLevel.TERTIARY,
            ]
        ),
        migrant_background=rng.choice(
            [SensitiveAnswer.YES, SensitiveAnswer.NO, SensitiveAnswer.REFUSED]
        ),
        disability=rng.choice([SensitiveAnswer.NO, SensitiveAnswer.NO, SensitiveAnswer.REFUSED]),
        other_disadvantage=rng.choice([SensitiveAnswer.NO, SensitiveAnswer.YES]),
    )


OBJECTIVES = [
    "Acquisire competenze spendibili e fare un tirocinio in azienda.",
    "Rafforzare l'italiano per il lavoro e preparare il curriculum.",
    "Ottenere l'attestato del corso e cercare lavoro nel settore.",
]
WITHDRAWAL_REASONS = [
    "Ha trovato un lavoro a tempo pieno.",
    "Motivi di salute.",
    "Trasferimento in un altro comune.",
    "Impegni di cura familiare.",
]
# Participants of each path enrolled one by one through the desk's services (the rest in bulk).
ONE_BY_ONE = 2


def _seed_enrolments(
    *,
    rng: random.Random,
    path: TrainingPath,
    actor: Any,
    candidates: list[Resident],
    count: int,
    today: dt.date,
) -> list[tuple[Enrolment, str]]:
    """Check and enrol ``count`` residents not yet on a path; a few fail a gate and stay out.

    The first ones go through the desk's services step by step (check, enrolment, start,
    withdrawal or completion later); the others through the bulk load, with their final state.
    """
    tz = ZoneInfo(settings.TIME_ZONE)
    enrolled_on = path.starts_on - dt.timedelta(days=rng.randint(3, 12))
    now = timezone.now()
    held = [
        s.astimezone(tz).date()
        for s in path.sessions.filter(starts_at__lt=now).values_list("starts_at", flat=True)
    ]
    names, weights = zip(*((n, w) for n, (w, _p) in PROFILES.items()), strict=True)
    out: list[tuple[Enrolment, str]] = []
    while candidates and len(out) < ONE_BY_ONE:
        resident = candidates.pop()
        check = enrolment_services.eligibility_check_run(
            actor=actor,
            measure=path.measure,
            resident=resident,
            checked_on=enrolled_on,
            **_evidence(rng, enrolled_on, ineligible=False),
        )
        if not check.passed:
            continue
        try:
            enrolment = enrolment_services.enrolment_create(
                actor=actor,
                path=path,
                check=check,
                enrolled_on=enrolled_on,
                planned_hours=path.hours,
                objectives=rng.choice(OBJECTIVES),
                iban=_iban(rng),
                account_holder=f"{resident.first_name} {resident.last_name}",
                entry_data=_entry_data(rng, check.unemployed_since),
            )
        except ApplicationError:
            continue
        if held:
            enrolment = enrolment_services.enrolment_start(
                actor=actor, enrolment=enrolment, started_on=path.starts_on
            )
        out.append((enrolment, "steady"))
    rows: list[enrolment_services.EnrolmentLoad] = []
    profiles: dict[int, str] = {}
    # A few more than needed: about one in fifteen fails a gate and stays out.
    wanted = count - len(out) + 2
    for resident in candidates[-wanted * 2 :][::-1]:
        if len(rows) >= wanted:
            break
        profile = rng.choices(names, weights)[0]
        withdrawn_on = None
        if profile == "withdrawn" and len(held) > 4:
            withdrawn_on = held[rng.randint(len(held) // 4, len(held) * 2 // 3)]
        evidence = _evidence(rng, enrolled_on, ineligible=rng.random() < 0.06)
        rows.append(
            enrolment_services.EnrolmentLoad(
                resident=resident,
                checked_on=enrolled_on,
                planned_hours=path.hours,
                objectives=rng.choice(OBJECTIVES),
                iban=_iban(rng),
                entry_data=_entry_data(rng, evidence["unemployed_since"]),
                started_on=path.starts_on if held else None,
                withdrawn_on=withdrawn_on,
                withdrawal_reason=rng.choice(WITHDRAWAL_REASONS) if withdrawn_on else "",
                completed_on=path.ends_on if path.ends_on < today and not withdrawn_on else None,
                **evidence,
            )
        )
        profiles[resident.pk] = profile if withdrawn_on or profile != "withdrawn" else "average"
    loaded = enrolment_services.enrolments_bulk_load(actor=actor, path=path, rows=rows)
    used = {r.resident.pk for r in rows}
    candidates[:] = [c for c in candidates if c.pk not in used]
    out += [(e, profiles[e.resident_id]) for e in loaded]
    return out


RECORD_COLUMNS = (
    "created_at",
    "updated_at",
    "register_id",
    "enrolment_id",
    "hours_present",
    "late_minutes",
    "early_leave_minutes",
    "justified_absence",
    "effective_hours",
    "scheduled_hours",
    "lab_id",
    "month",
    "is_validated",
)


def _insert_records(rows: list[tuple[Any, ...]]) -> None:
    """Insert attendance lines with one prepared statement (demo volume: tens of thousands)."""
    table = AttendanceRecord._meta.db_table
    columns = ", ".join(connection.ops.quote_name(c) for c in RECORD_COLUMNS)
    marks = ", ".join(["%s"] * len(RECORD_COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608


def _seed_attendance(
    *,
    rng: random.Random,
    path: TrainingPath,
    enrolments: list[tuple[Enrolment, str]],
    trainer: Any,
    responsible: Any,
    actor: Any,
    today: dt.date,
) -> None:
    """Registers for the sessions held so far: validated if older than ten days, else submitted
    or in draft; then the completions of the participants enrolled one by one."""
    tz = ZoneInfo(settings.TIME_ZONE)
    now = timezone.now()
    sessions = [s for s in path.sessions.order_by("starts_at") if s.starts_at < now]
    registers: list[AttendanceRegister] = []
    for s in sessions:
        age = (today - s.starts_at.astimezone(tz).date()).days
        status = (
            RegisterStatus.VALIDATED
            if age > 10
            else RegisterStatus.SUBMITTED
            if age > 2 or rng.random() < 0.5
            else RegisterStatus.DRAFT
        )
        submitted = status != RegisterStatus.DRAFT
        validated = status == RegisterStatus.VALIDATED
        registers.append(
            AttendanceRegister(
                session=s,
                lab_id=path.lab_id,
                status=status,
                entered_by=trainer,
                submitted_by=trainer if submitted else None,
                submitted_at=s.ends_at + dt.timedelta(hours=20) if submitted else None,
                validated_by=responsible if validated else None,
                validated_at=s.ends_at + dt.timedelta(days=3) if validated else None,
            )
        )
    AttendanceRegister.objects.bulk_create(registers)
    probability = {name: p for name, (_w, p) in PROFILES.items()}
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(now)
    zero = ops.adapt_decimalfield_value(Decimal("0.00"), 6, 2)
    rows: list[tuple[Any, ...]] = []
    for register in registers:
        s = register.session
        day = s.starts_at.astimezone(tz).date()
        month = ops.adapt_datefield_value(day.replace(day=1))
        full = ops.adapt_decimalfield_value(s.hours, 6, 2)
        validated = register.status == RegisterStatus.VALIDATED
        for enrolment, profile in enrolments:
            if enrolment.withdrawn_on is not None and day > enrolment.withdrawn_on:
                continue
            late = early = 0
            justified = False
            if rng.random() >= probability[profile]:
                hours = zero
                justified = rng.random() < 0.3
            elif rng.random() < 0.08:
                late = rng.choice([15, 30, 45])
                hours = ops.adapt_decimalfield_value(
                    (s.hours - Decimal(late) / Decimal(60)).quantize(Decimal("0.01")), 6, 2
                )
            elif rng.random() < 0.04:
                early = 60
                hours = ops.adapt_decimalfield_value(s.hours - 1, 6, 2)
            else:
                hours = full
            rows.append(
                (
                    stamp,
                    stamp,
                    register.pk,
                    enrolment.pk,
                    hours,
                    late,
                    early,
                    justified,
                    hours,
                    full,
                    path.lab_id,
                    month,
                    validated,
                )
            )
    _insert_records(rows)
    audit.record(
        actor=trainer,
        action="training.registers_load",
        target=path,
        changes={"registers": [0, len(registers)], "lines": [0, len(rows)]},
    )
    if path.ends_on < today:
        for enrolment, _profile in enrolments:
            if enrolment.status == EnrolmentStatus.STARTED:
                enrolment_services.enrolment_complete(
                    actor=actor, enrolment=enrolment, completed_on=path.ends_on
                )
    # A couple of corrections after validation, with their reasons.
    validated_registers = [r for r in registers if r.status == RegisterStatus.VALIDATED]
    for register in rng.sample(validated_registers, min(2, len(validated_registers))):
        record = register.records.filter(hours_present__gt=1).first()
        if record is not None:
            register_services.attendance_correct(
                actor=actor,
                record=record,
                hours_present=record.hours_present - Decimal("0.5"),
                late_minutes=30,
                reason="Il registro cartaceo firmato riporta un ingresso in ritardo di 30 minuti.",
            )
    path_status = PathStatus.CLOSED if path.ends_on < today else PathStatus.RUNNING
    measure_services.path_status_set(actor=actor, path=path, status=path_status)
