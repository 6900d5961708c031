"""Writes on residents, households, tenancies, consents and the sensitive profile."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from quartiere.core import audit
from quartiere.core.exceptions import ApplicationError
from quartiere.core.importing import ImportReport, require_columns
from quartiere.people import codice_fiscale
from quartiere.people.enums import Gender, HouseholdRole, Language, TenancyKind
from quartiere.people.models import Consent, Household, Resident, SensitiveProfile, Tenancy
from quartiere.territory import services as territory_services
from quartiere.territory.enums import UnitStatus

RESIDENT_FIELDS = (
    "first_name",
    "last_name",
    "codice_fiscale",
    "birth_date",
    "gender",
    "citizenship",
    "residence_permit_expires_on",
    "phone",
    "email",
    "preferred_language",
    "household",
    "household_role",
)


def _clean_resident(resident: Resident) -> None:
    if resident.codice_fiscale:
        try:
            resident.codice_fiscale = codice_fiscale.validate(resident.codice_fiscale)
        except codice_fiscale.InvalidCodiceFiscaleError as exc:
            raise ApplicationError(
                f"Invalid codice fiscale: {exc}", fields={"codice_fiscale": [str(exc)]}
            ) from exc
    resident.citizenship = (resident.citizenship or "").upper()
    if resident.birth_date and resident.birth_date > timezone.localdate():
        raise ApplicationError(
            _("The date of birth is in the future."),
            fields={"birth_date": [_("The date of birth is in the future.")]},
        )
    try:
        resident.full_clean(exclude=["lab", "household", "name_key", "name_key_reversed"])
    except ValidationError as exc:
        raise ApplicationError(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()),
            fields=exc.message_dict,
        ) from exc


@transaction.atomic
def resident_create(*, actor: Any, lab: Any, **fields: Any) -> Resident:
    """Register a resident in a lab; the codice fiscale, if given, must be valid."""
    resident = Resident(lab=lab, **fields)
    _clean_resident(resident)
    resident.save()
    audit.record(
        actor=actor,
        action="people.resident_create",
        target=resident,
        changes=audit.snapshot(resident, RESIDENT_FIELDS),
    )
    return resident


@transaction.atomic
def resident_update(*, actor: Any, resident: Resident, **fields: Any) -> Resident:
    """Change a resident's data; records the before/after of each changed field."""
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    before = audit.snapshot(resident, RESIDENT_FIELDS)
    for name, value in fields.items():
        setattr(resident, name, value)
    _clean_resident(resident)
    resident.save()
    changes = audit.diff(before, audit.snapshot(resident, RESIDENT_FIELDS))
    if changes:
        audit.record(actor=actor, action="people.resident_update", target=resident, changes=changes)
    return resident


@transaction.atomic
def household_create(
    *, actor: Any, lab: Any, label: str, reference_person: Resident | None = None
) -> Household:
    """Create a household; the reference person, if given, becomes its first member."""
    if not label.strip():
        raise ApplicationError(_("A household needs a name."), fields={"label": [_("Required.")]})
    household = Household.objects.create(lab=lab, label=label.strip())
    audit.record(actor=actor, action="people.household_create", target=household)
    if reference_person is not None:
        household_add_member(
            actor=actor,
            household=household,
            resident=reference_person,
            role=HouseholdRole.REFERENCE,
        )
        household.refresh_from_db()  # household_add_member saved another instance
    return household


@transaction.atomic
def household_add_member(
    *, actor: Any, household: Household, resident: Resident, role: str
) -> Resident:
    """Put a resident of the same lab in a household; the reference role is unique."""
    if resident.lab_id != household.lab_id:
        raise ApplicationError(_("The resident and the household belong to different labs."))
    if role not in HouseholdRole.values:
        raise ApplicationError(f"Unknown household role {role!r}.")
    household = Household.objects.select_for_update().get(pk=household.pk)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    old = (resident.household_id, resident.household_role)
    resident.household = household
    resident.household_role = role
    resident.save(update_fields=["household", "household_role", "updated_at"])
    if role == HouseholdRole.REFERENCE:
        previous = household.reference_person_id
        if previous and previous != resident.pk:
            Resident.objects.filter(pk=previous).update(household_role=HouseholdRole.OTHER)
        household.reference_person = resident
        household.save(update_fields=["reference_person", "updated_at"])
    audit.record(
        actor=actor,
        action="people.household_add_member",
        target=household,
        changes={
            "resident": resident.pk,
            "household": [old[0], household.pk],
            "role": [old[1], role],
        },
    )
    return resident


@transaction.atomic
def household_remove_member(*, actor: Any, household: Household, resident: Resident) -> None:
    """Take a resident out of a household (clearing the reference person if it was them)."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    if resident.household_id != household.pk:
        raise ApplicationError(_("The resident is not a member of this household."))
    Resident.objects.filter(pk=resident.pk).update(household=None, household_role="")
    if household.reference_person_id == resident.pk:
        household.reference_person = None
        household.save(update_fields=["reference_person", "updated_at"])
    audit.record(
        actor=actor,
        action="people.household_remove_member",
        target=household,
        changes={"resident": resident.pk},
    )


@transaction.atomic
def tenancy_start(
    *, actor: Any, household: Household, unit: Any, kind: str, starts_on: dt.date
) -> Tenancy:
    """Start a tenancy; a unit and a household each have at most one open tenancy."""
    if kind not in TenancyKind.values:
        raise ApplicationError(f"Unknown tenancy kind {kind!r}.")
    if Tenancy.objects.filter(unit=unit, ends_on__isnull=True).exists():
        raise ApplicationError(
            _("This unit already has an open tenancy."),
            fields={"unit": [_("The unit is occupied.")]},
        )
    if Tenancy.objects.filter(household=household, ends_on__isnull=True).exists():
        raise ApplicationError(_("This household already has an open tenancy: end it first."))
    try:
        with transaction.atomic():
            tenancy = Tenancy.objects.create(
                household=household, unit=unit, kind=kind, starts_on=starts_on
            )
    except IntegrityError as exc:  # a concurrent start won the race
        raise ApplicationError(_("This unit already has an open tenancy.")) from exc
    territory_services.unit_set_status(
        actor=actor, unit=unit, status=UnitStatus.OCCUPIED, lab_id=household.lab_id
    )
    audit.record(
        actor=actor,
        action="people.tenancy_start",
        target=tenancy,
        lab_id=household.lab_id,
        changes={"unit": unit.pk, "kind": kind, "starts_on": starts_on},
    )
    return tenancy


@transaction.atomic
def tenancy_end(*, actor: Any, tenancy: Tenancy, ends_on: dt.date) -> Tenancy:
    """End an open tenancy on a date not before its start."""
    tenancy = Tenancy.objects.select_for_update().select_related("household").get(pk=tenancy.pk)
    if tenancy.ends_on is not None:
        raise ApplicationError(_("This tenancy has already ended."))
    if ends_on < tenancy.starts_on:
        raise ApplicationError(
            _("A tenancy cannot end before it starts."),
            fields={"ends_on": [_("Before the start date.")]},
        )
    tenancy.ends_on = ends_on
    tenancy.save(update_fields=["ends_on", "updated_at"])
    territory_services.unit_set_status(
        actor=actor, unit=tenancy.unit, status=UnitStatus.VACANT, lab_id=tenancy.household.lab_id
    )
    audit.record(
        actor=actor,
        action="people.tenancy_end",
        target=tenancy,
        lab_id=tenancy.household.lab_id,
        changes={"ends_on": [None, ends_on]},
    )
    return tenancy


@transaction.atomic
def consent_record(
    *,
    actor: Any,
    resident: Resident,
    purpose: str,
    legal_basis: str,
    given_at: dt.datetime | None = None,
) -> Consent:
    """Record a consent; an active consent for the same purpose is not duplicated."""
    existing = Consent.objects.filter(
        resident=resident, purpose=purpose, withdrawn_at__isnull=True
    ).first()
    if existing:
        raise ApplicationError(_("An active consent for this purpose is already recorded."))
    consent = Consent.objects.create(
        resident=resident,
        purpose=purpose,
        legal_basis=legal_basis,
        given_at=given_at or timezone.now(),
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="people.consent_record",
        target=consent,
        lab_id=resident.lab_id,
        changes={"purpose": purpose, "legal_basis": legal_basis},
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Any, consent: Consent) -> Consent:
    """Withdraw a consent (the row stays, with the time of withdrawal)."""
    consent = Consent.objects.select_for_update().select_related("resident").get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise ApplicationError(_("This consent was already withdrawn."))
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at", "updated_at"])
    audit.record(
        actor=actor,
        action="people.consent_withdraw",
        target=consent,
        lab_id=consent.resident.lab_id,
    )
    return consent


@transaction.atomic
def sensitive_profile_save(
    *, actor: Any, resident: Resident, disability: str, health_notes: str, vulnerability: str
) -> SensitiveProfile:
    """Store the special-category profile (encrypted); the audit names fields, not values."""
    profile, created = SensitiveProfile.objects.select_for_update().get_or_create(resident=resident)
    changed = [
        name
        for name, value in (
            ("disability", disability),
            ("health_notes", health_notes),
            ("vulnerability", vulnerability),
        )
        if getattr(profile, name) != value
    ]
    profile.disability, profile.health_notes = disability, health_notes
    profile.vulnerability, profile.updated_by = vulnerability, actor
    profile.save()
    audit.record(
        actor=actor,
        action="people.sensitive_profile_save",
        target=resident,
        changes={"fields_changed": changed, "created": created},
    )
    return profile


# --- Import ------------------------------------------------------------------------------

RESIDENT_IMPORT_COLUMNS = {"first_name", "last_name"}


def _date(value: str, column: str) -> dt.date | None:
    v = value.strip()
    if not v:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(v, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    raise ValueError(f"{column}: {value!r} is not a date (use YYYY-MM-DD or DD/MM/YYYY)")


def residents_import(
    *,
    actor: Any,
    lab: Any,
    rows: list[tuple[int, dict[str, str]]],
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Create residents (and households by the ``household`` column) from rows.

    Any bad row (invalid codice fiscale or date, unknown gender or language, a codice
    fiscale already registered or repeated in the file) rejects the file: nothing is written.
    """
    require_columns(rows, RESIDENT_IMPORT_COLUMNS)
    report = ImportReport(total=len(rows), dry_run=dry_run)
    today = timezone.localdate()
    file_codes: dict[str, int] = {}
    candidates: list[tuple[Resident, str, str]] = []
    for line, row in rows:
        try:
            first, last = row.get("first_name", "").strip(), row.get("last_name", "").strip()
            if not first:
                raise ValueError("first_name: required")
            if not last:
                raise ValueError("last_name: required")
            cf = row.get("codice_fiscale", "").strip()
            if cf:
                try:
                    cf = codice_fiscale.validate(cf)
                except codice_fiscale.InvalidCodiceFiscaleError as exc:
                    raise ValueError(f"codice_fiscale: {exc}") from exc
                if cf in file_codes:
                    raise ValueError(f"codice_fiscale: repeats line {file_codes[cf]}")
                file_codes[cf] = line
            born = _date(row.get("birth_date", ""), "birth_date")
            if born and born > today:
                raise ValueError("birth_date: in the future")
            gender = row.get("gender", "").strip().upper()
            if gender and gender not in Gender.values:
                raise ValueError(f"gender: {gender!r} is not F, M or X")
            language = row.get("preferred_language", "").strip().lower() or Language.ITALIAN
            if language not in Language.values:
                raise ValueError(f"preferred_language: {language!r} is not supported")
            email = row.get("email", "").strip()
            if email:
                try:
                    validate_email(email)
                except ValidationError as exc:
                    raise ValueError(f"email: {email!r} is not a valid address") from exc
            citizenship = row.get("citizenship", "").strip().upper()
            if citizenship and (len(citizenship) != 2 or not citizenship.isalpha()):
                raise ValueError(f"citizenship: {citizenship!r} is not a 2-letter country code")
            resident = Resident(
                lab=lab,
                first_name=first,
                last_name=last,
                codice_fiscale=cf,
                birth_date=born,
                gender=gender,
                citizenship=citizenship,
                residence_permit_expires_on=_date(
                    row.get("residence_permit_expires_on", ""), "residence_permit_expires_on"
                ),
                phone=row.get("phone", "").strip(),
                email=email,
                preferred_language=language,
            )
            resident.refresh_search_keys()
            role = row.get("household_role", "").strip().lower()
            if role and role not in HouseholdRole.values:
                raise ValueError(f"household_role: {role!r} is not a known role")
            candidates.append((resident, row.get("household", "").strip(), role))
        except ValueError as exc:
            report.errors.append((line, str(exc)))
        if progress:
            progress(1)
    if file_codes:
        taken = set(
            Resident.objects.filter(codice_fiscale__in=list(file_codes)).values_list(
                "codice_fiscale", flat=True
            )
        )
        for code in sorted(taken, key=file_codes.__getitem__):
            report.errors.append(
                (file_codes[code], "codice_fiscale: already registered (duplicate resident)")
            )
        report.errors.sort()
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        households: dict[str, Household] = {}
        for resident, household_label, role in candidates:
            if household_label:
                household = households.setdefault(
                    household_label, Household(lab=lab, label=household_label)
                )
                resident.household = household
                resident.household_role = role or HouseholdRole.OTHER
        _bulk_write(
            households=list(households.values()),
            residents=[c[0] for c in candidates],
            tenancies=[],
            consents=[],
        )
        report.created = len(candidates)
        audit.record(
            actor=actor,
            action="people.residents_import",
            target_type="people.resident",
            label=f"{report.created} residents",
            lab_id=lab.pk,
            changes={"created": report.created, "households": len(households)},
        )
    return report


@transaction.atomic
def people_bulk_create(
    *,
    actor: Any,
    lab: Any,
    households: list[Household],
    residents: list[Resident],
    tenancies: list[Tenancy],
    consents: list[Consent] | None = None,
) -> None:
    """Create many households, residents, tenancies and consents at once (seeding, migration).

    Residents point at their household objects (saved here first); reference persons are set
    from ``household_role == reference``. One audit event per call.
    """
    _bulk_write(
        households=households, residents=residents, tenancies=tenancies, consents=consents or []
    )
    audit.record(
        actor=actor,
        action="people.bulk_create",
        target_type="people.resident",
        label=f"{len(residents)} residents",
        lab_id=lab.pk,
        changes={
            "households": len(households),
            "residents": len(residents),
            "tenancies": len(tenancies),
            "consents": len(consents or []),
        },
    )


def unit_status_change(*, actor: Any, unit: Any, status: str, lab_id: int | None = None) -> Any:
    """Change a unit's status consistently with its tenancy.

    A unit with an open tenancy stays occupied, and only a tenancy makes a unit occupied:
    raise ApplicationError otherwise.
    """
    tenanted = Tenancy.objects.filter(unit=unit, ends_on__isnull=True).exists()
    if tenanted and status != UnitStatus.OCCUPIED:
        raise ApplicationError(_("The unit has an open tenancy: end the tenancy first."))
    if not tenanted and status == UnitStatus.OCCUPIED:
        raise ApplicationError(_("A unit becomes occupied when a tenancy starts."))
    return territory_services.unit_set_status(actor=actor, unit=unit, status=status, lab_id=lab_id)


def residents_export_record(
    *, actor: Any, lab_id: int | None, fmt: str, filters: dict[str, Any], rows: int
) -> None:
    """Record that a list of residents left the system (format, filters, size; no names)."""
    audit.record(
        actor=actor,
        action="people.residents_export",
        target_type="people.resident",
        label=f"{fmt} export",
        lab_id=lab_id,
        changes={"format": fmt, "filters": filters, "rows": rows},
    )


def _bulk_write(
    *,
    households: list[Household],
    residents: list[Resident],
    tenancies: list[Tenancy],
    consents: list[Consent],
) -> None:
    """Insert prepared rows in bulk: households first, then the rows that point at them."""
    Household.objects.bulk_create(households, batch_size=2000)
    for r in residents:
        r.refresh_search_keys()
        if r.household is not None:
            r.household = r.household  # sets the saved id, keeps the cached object
    Resident.objects.bulk_create(residents, batch_size=2000)
    refs = [
        Household(pk=r.household_id, reference_person_id=r.pk)
        for r in residents
        if r.household_id and r.household_role == HouseholdRole.REFERENCE
    ]
    Household.objects.bulk_update(refs, ["reference_person"], batch_size=2000)
    for t in tenancies:
        t.household = t.household
    Tenancy.objects.bulk_create(tenancies, batch_size=2000)
    for c in consents:
        c.resident = c.resident
    Consent.objects.bulk_create(consents, batch_size=2000)


@transaction.atomic
def resident_link_user(*, actor: Any, resident: Resident, user: Any) -> Resident:
    """Link a resident to their portal account after an identity check (a verified resident).

    Raises ApplicationError when the account already belongs to another resident.
    """
    other = Resident.objects.filter(user=user).exclude(pk=resident.pk).first()
    if other is not None:
        raise ApplicationError(_("This account is already linked to another resident."))
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    resident.user = user
    resident.verified_at = timezone.now()
    resident.save(update_fields=["user", "verified_at", "updated_at"])
    audit.record(actor=actor, action="people.resident_link_user", target=resident)
    return resident
