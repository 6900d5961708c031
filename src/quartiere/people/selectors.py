"""Reads of residents, households, tenancies and consents, scoped to the user's labs.

Personal data needs the ``people.view_resident`` capability; special-category data needs
``people.view_sensitive_profile`` and every read of it is logged.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, NamedTuple

from django.db.models import Count, Prefetch, Q, QuerySet

from quartiere.accounts.selectors import user_scope
from quartiere.core import audit, compiled
from quartiere.core.models import AccessOutcome
from quartiere.people import codice_fiscale
from quartiere.people.models import (
    Consent,
    Household,
    Resident,
    SensitiveProfile,
    Tenancy,
    search_key,
)

CF_PREFIX = re.compile(r"^[A-Z0-9]{6,16}$")


def _lab_filter(user: Any, perm: str = "people.view_resident") -> frozenset[int] | None:
    """Lab ids the user may read people in; empty when the capability is missing."""
    if not user.has_perm(perm):
        return frozenset()
    return user_scope(user).lab_filter


def current_tenancies() -> Prefetch:
    return Prefetch(
        "household__tenancies",
        queryset=Tenancy.objects.filter(ends_on__isnull=True).select_related(
            "unit__building", "unit__entrance"
        ),
        to_attr="open_tenancies",
    )


def resident_search_filter(q: str) -> Q:
    """Build the filter for one search box: name prefix in either order, or codice fiscale.

    Text with a digit can only be a codice fiscale; a single word of six letters or more may be
    a surname or the start of a code (RSSMRA...), so both are searched (each on its index).
    """
    return _search_q(*_search_terms(q))


def _search_terms(q: str) -> tuple[str | None, str | None]:
    """(the name key, the codice fiscale prefix) one search box looks for (None: not that)."""
    text = q.strip()
    compact = codice_fiscale.normalise(text)
    if any(c.isdigit() for c in compact):
        return None, compact
    key = search_key(text)
    if not key:
        return None, None
    return key, compact if " " not in text and CF_PREFIX.match(compact) else None


def _search_q(name_key: str | None, cf_prefix: str | None) -> Q:
    by_code = Q(codice_fiscale__startswith=cf_prefix) if cf_prefix else None
    if not name_key:
        return by_code or Q()
    condition = Q(name_key__startswith=name_key) | Q(name_key_reversed__startswith=name_key)
    return condition | by_code if by_code else condition


def resident_list(
    *,
    user: Any,
    q: str = "",
    address: str = "",
    building_id: int | None = None,
    gender: str = "",
    language: str = "",
    has_household: str = "",
    lab_id: int | None = None,
    with_address: bool = True,
) -> QuerySet[Resident]:
    """List the residents the user may see, searched by name/codice fiscale and filtered.

    ``with_address`` loads each resident's household and current unit (for the pages).
    """
    qs = _resident_qs(
        **_plain_filters(
            user,
            q=q,
            address=address,
            building_id=building_id,
            gender=gender,
            language=language,
            has_household=has_household,
            lab_id=lab_id,
        )
    )
    if with_address:
        qs = qs.select_related("household").prefetch_related(current_tenancies())
    return qs.order_by("last_name", "first_name", "id")


def _plain_filters(
    user: Any,
    *,
    q: str,
    address: str,
    building_id: int | None,
    gender: str,
    language: str,
    has_household: str,
    lab_id: int | None,
) -> dict[str, Any]:
    """A list's filters as ``_resident_qs`` takes them: plain values (lab ids, the search's
    name key and codice fiscale prefix, None for a filter not set)."""
    labs = _lab_filter(user)
    name_key, cf_prefix = _search_terms(q) if q else (None, None)
    return {
        "lab_ids": sorted(labs) if labs is not None else None,
        "lab_id": lab_id or None,
        "name_key": name_key,
        "cf_prefix": cf_prefix,
        "address": address.strip(),
        "building_id": building_id or None,
        "gender": gender,
        "language": language,
        "has_household": {"yes": True, "no": False}.get(has_household),
    }


def _resident_qs(
    *,
    lab_ids: Any,
    lab_id: int | None,
    name_key: str | None,
    cf_prefix: str | None,
    address: str,
    building_id: int | None,
    gender: str,
    language: str,
    has_household: bool | None,
) -> QuerySet[Resident]:
    """The residents of ``lab_ids`` (None: every lab) with a list's filters, every value a plain
    one, so that the statement can be compiled once (core/compiled.py)."""
    qs = Resident.objects.all()
    if lab_ids is not None:
        qs = qs.filter(lab_id__in=lab_ids)
    if lab_id:
        qs = qs.filter(lab_id=lab_id)
    if name_key or cf_prefix:
        qs = qs.filter(_search_q(name_key, cf_prefix))
    if address:
        qs = qs.filter(
            household__tenancies__ends_on__isnull=True,
            household__tenancies__unit__building__street__icontains=address,
        )
    if building_id:
        qs = qs.filter(
            household__tenancies__ends_on__isnull=True,
            household__tenancies__unit__building_id=building_id,
        )
    if gender:
        qs = qs.filter(gender=gender)
    if language:
        qs = qs.filter(preferred_language=language)
    if has_household is True:
        qs = qs.filter(household__isnull=False)
    elif has_household is False:
        qs = qs.filter(household__isnull=True)
    return qs


# What a list row reads of a resident (``ResidentRow`` without the address).
ROW_FIELDS = (
    "id",
    "last_name",
    "first_name",
    "codice_fiscale",
    "birth_date",
    "household_id",
    "household__label",
)


def resident_page_rows(
    *,
    user: Any,
    q: str = "",
    address: str = "",
    building_id: int | None = None,
    gender: str = "",
    language: str = "",
    has_household: str = "",
    lab_id: int | None = None,
) -> compiled.PagedRows:
    """``resident_list`` as tuples of ``ROW_FIELDS``, for a ``Paginator`` and
    ``resident_rows_of``: the count and a page each send one statement, compiled once per
    shape of the filters (core/compiled.py): the ORM took longer to build them than the
    database to answer a search by codice fiscale."""
    filters = _plain_filters(
        user,
        q=q,
        address=address,
        building_id=building_id,
        gender=gender,
        language=language,
        has_household=has_household,
        lab_id=lab_id,
    )
    return compiled.PagedRows("people.resident_page", _resident_page_qs, **filters)


def _resident_page_qs(**filters: Any) -> QuerySet[Any]:
    return (
        _resident_qs(**filters).order_by("last_name", "first_name", "id").values_list(*ROW_FIELDS)
    )


class ResidentRow(NamedTuple):
    """A resident as the list pages show one: plain values, with the current address."""

    id: int
    last_name: str
    first_name: str
    codice_fiscale: str
    birth_date: dt.date | None
    household_id: int | None
    household: str  # the household's name, "" without one
    street: str  # the current unit's building, "" without an open tenancy
    number: str
    stair: str
    floor: int | None


def resident_rows(residents: QuerySet[Resident]) -> list[ResidentRow]:
    """A page of ``resident_list`` (sliced, ``with_address=False``) as plain rows: one query
    for the residents and their household's name, one for the current units of those
    households. No model instance is built (a page of 25 residents with households, tenancies,
    units, stairs and buildings made about a hundred)."""
    return resident_rows_of(list(residents.values_list(*ROW_FIELDS)))


def resident_rows_of(found: list[tuple[Any, ...]]) -> list[ResidentRow]:
    """Rows of ``ROW_FIELDS`` (``resident_page_rows``) with each one's current address: one
    query for the current units of their households (compiled once per page size)."""
    household_ids = sorted({row[5] for row in found if row[5] is not None})
    places: dict[int, tuple[str, str, str, int | None]] = {}
    if household_ids:
        tenancies = compiled.rows("people.current_places", _places_qs, household_ids=household_ids)
        for household_id, *place in tenancies:
            places.setdefault(household_id, tuple(place))  # type: ignore[arg-type]
    return [
        ResidentRow(
            pk,
            last,
            first,
            cf,
            born,
            household_id,
            label or "",
            *places.get(household_id, ("", "", "", None)),  # type: ignore[arg-type]
        )
        for pk, last, first, cf, born, household_id, label in found
    ]


def _places_qs(*, household_ids: list[int]) -> QuerySet[Any]:
    return (
        Tenancy.objects.filter(household_id__in=household_ids, ends_on__isnull=True)
        .order_by("household_id", "-starts_on", "-id")
        .values_list(
            "household_id",
            "unit__building__street",
            "unit__building__number",
            "unit__entrance__name",
            "unit__floor",
        )
    )


EXPORT_HEADER = (
    "id",
    "last_name",
    "first_name",
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
    "street",
    "number",
    "stair",
    "floor",
    "unit_code",
)


def resident_export_rows(*, qs: QuerySet[Resident]) -> Any:
    """Yield one plain row per resident of an already scoped list, with the current address."""
    for r in qs.iterator(chunk_size=2000):
        tenancy = (
            (getattr(r.household, "open_tenancies", None) or [None])[0] if r.household else None
        )
        unit = tenancy.unit if tenancy else None
        yield (
            r.pk,
            r.last_name,
            r.first_name,
            r.codice_fiscale,
            r.birth_date,
            r.gender,
            r.citizenship,
            r.residence_permit_expires_on,
            r.phone,
            r.email,
            r.preferred_language,
            r.household.label if r.household else "",
            r.household_role,
            unit.building.street if unit else "",
            unit.building.number if unit else "",
            unit.entrance.name if unit else "",
            unit.floor if unit else "",
            unit.code if unit else "",
        )


def resident_get(*, user: Any, pk: int) -> Resident | None:
    """Return a visible resident with household and current tenancy, or None."""
    labs = _lab_filter(user)
    qs = Resident.objects.select_related("household", "lab").prefetch_related(current_tenancies())
    if labs is not None:
        qs = qs.filter(lab_id__in=labs)
    return qs.filter(pk=pk).first()


def resident_duplicates(
    *,
    user: Any,
    lab_id: int,
    codice_fiscale_value: str,
    first_name: str,
    last_name: str,
    birth_date: dt.date | None,
    exclude_pk: int | None = None,
) -> dict[str, Any]:
    """Find likely duplicates: same codice fiscale anywhere, or same name and birth date.

    Matches in the user's own labs are listed; matches elsewhere are only counted, so no
    personal data of another lab is shown.
    """
    visible = _lab_filter(user)
    conditions = Q()
    if codice_fiscale_value:
        conditions |= Q(codice_fiscale=codice_fiscale.normalise(codice_fiscale_value))
    if birth_date:
        conditions |= Q(name_key=search_key(last_name, first_name), birth_date=birth_date)
    if not conditions:
        return {"visible": [], "elsewhere": 0}
    qs = Resident.objects.filter(conditions)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    matches = list(
        qs.only("id", "lab_id", "first_name", "last_name", "birth_date", "codice_fiscale")[:20]
    )
    mine = [r for r in matches if visible is None or r.lab_id in visible]
    return {"visible": mine, "elsewhere": len(matches) - len(mine)}


def household_list(*, user: Any, q: str = "", lab_id: int | None = None) -> QuerySet[Household]:
    """List visible households with member counts and current unit."""
    labs = _lab_filter(user)
    qs = Household.objects.all()
    if labs is not None:
        qs = qs.filter(lab_id__in=labs)
    if lab_id:
        qs = qs.filter(lab_id=lab_id)
    if q:
        qs = qs.filter(label__icontains=q.strip())
    return (
        qs.select_related("reference_person")
        .annotate(member_count=Count("members"))
        .prefetch_related(
            Prefetch(
                "tenancies",
                queryset=Tenancy.objects.filter(ends_on__isnull=True).select_related(
                    "unit__building", "unit__entrance"
                ),
                to_attr="open_tenancies",
            )
        )
        .order_by("label", "id")
    )


def household_get(*, user: Any, pk: int) -> Household | None:
    """Return a visible household with members and tenancies, or None."""
    labs = _lab_filter(user)
    qs = Household.objects.select_related("reference_person", "lab")
    if labs is not None:
        qs = qs.filter(lab_id__in=labs)
    return (
        qs.prefetch_related(
            Prefetch("members", queryset=Resident.objects.order_by("birth_date", "id")),
            Prefetch(
                "tenancies",
                queryset=Tenancy.objects.select_related("unit__building", "unit__entrance"),
            ),
        )
        .filter(pk=pk)
        .first()
    )


def unit_tenants(*, user: Any, unit_ids: list[int]) -> dict[int, Tenancy]:
    """Map unit id -> its open tenancy (with household) for the units, if the user may see."""
    labs = _lab_filter(user)
    if labs is not None and not labs:
        return {}
    qs = Tenancy.objects.filter(unit_id__in=unit_ids, ends_on__isnull=True).select_related(
        "household"
    )
    if labs is not None:
        qs = qs.filter(household__lab_id__in=labs)
    return {t.unit_id: t for t in qs}


def consent_list(*, resident: Resident) -> QuerySet[Consent]:
    """List a resident's consents, newest first (the resident is already scoped)."""
    return Consent.objects.filter(resident=resident).select_related("recorded_by")


def sensitive_profile_get(
    *, user: Any, resident: Resident, path: str = ""
) -> SensitiveProfile | None:
    """Return the special-category profile if the user has the capability; log the read.

    Returns None without reading when the capability is missing (the refusal is logged too).
    """
    if not user.has_perm("people.view_sensitive_profile"):
        audit.access(
            actor=user,
            target_type="people.sensitiveprofile",
            target_id=resident.pk,
            outcome=AccessOutcome.DENIED,
            purpose="view",
            lab_id=resident.lab_id,
            path=path,
        )
        return None
    profile = SensitiveProfile.objects.filter(resident=resident).first()
    audit.access(
        actor=user,
        target_type="people.sensitiveprofile",
        target_id=resident.pk,
        purpose="view",
        lab_id=resident.lab_id,
        path=path,
    )
    return profile


def resident_summary(*, lab_ids: Any | None) -> dict[str, int]:
    """Count residents, households and active consents in the given labs (None = all)."""
    residents = Resident.objects.all()
    households = Household.objects.all()
    consents = Consent.objects.filter(withdrawn_at__isnull=True)
    if lab_ids is not None:
        residents = residents.filter(lab_id__in=lab_ids)
        households = households.filter(lab_id__in=lab_ids)
        consents = consents.filter(resident__lab_id__in=lab_ids)
    return {
        "residents": residents.count(),
        "households": households.count(),
        "active_consents": consents.count(),
    }


def resident_for_user(*, user: Any) -> Resident | None:
    """Return the verified resident record linked to this portal account, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Resident.objects.select_related("lab", "household")
        .filter(user_id=user.pk, verified_at__isnull=False)
        .first()
    )
