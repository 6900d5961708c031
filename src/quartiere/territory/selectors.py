"""Reads of districts, buildings, stairs and units, scoped to the user's labs' districts."""

from __future__ import annotations

import functools
from collections.abc import Collection
from typing import Any

from django.db.models import Count, Q, QuerySet

from quartiere.accounts.selectors import user_scope
from quartiere.core import compiled
from quartiere.territory.enums import UnitStatus
from quartiere.territory.models import Building, District, Entrance, Unit


def district_list(*, user: Any) -> QuerySet[District]:
    """List the districts of the user's labs (all for region-wide roles)."""
    scope = user_scope(user)
    qs = District.objects.all()
    if not scope.all_labs:
        qs = qs.filter(pk__in=scope.district_ids)
    return qs.order_by("municipality", "name")


def building_list(
    *,
    user: Any,
    district_id: int | None = None,
    q: str = "",
    status: str = "",
) -> QuerySet[Building]:
    """List visible buildings with unit counts, filtered by district, address text and status."""
    scope = user_scope(user)
    qs = Building.objects.select_related("district", "owner")
    if not scope.all_labs:
        qs = qs.filter(district_id__in=scope.district_ids)
    if district_id:
        qs = qs.filter(district_id=district_id)
    if q:
        qs = qs.filter(Q(street__icontains=q) | Q(code__iexact=q))
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(
        unit_count=Count("units", distinct=True),
        occupied_count=Count("units", filter=Q(units__status=UnitStatus.OCCUPIED), distinct=True),
    ).order_by("street", "number", "id")


def _building_choice_qs(
    *, district_ids: Collection[int] | None, district_id: int | None, limit: int
) -> QuerySet[Any]:
    qs = Building.objects.all()
    if district_ids is not None:
        qs = qs.filter(district_id__in=district_ids)
    if district_id is not None:
        qs = qs.filter(district_id=district_id)
    return qs.order_by("street", "number", "id").values_list("id", "street", "number")[:limit]


def building_choices(
    *, user: Any, district_id: int | None = None, limit: int = 1000
) -> list[tuple[int, str]]:
    """Return (id, address) of visible buildings for a select box: no counts, one light query
    (compiled once: core/compiled.py)."""
    scope = user_scope(user)
    rows = compiled.rows(
        ("territory.building_choices", limit),
        functools.partial(_building_choice_qs, limit=limit),
        district_ids=None if scope.all_labs else scope.district_ids,
        district_id=district_id or None,
    )
    return [(pk, f"{street} {number}") for pk, street, number in rows]


def building_get(*, user: Any, pk: int) -> Building | None:
    """Return a visible building, or None if missing or outside the user's districts."""
    scope = user_scope(user)
    qs = Building.objects.select_related("district", "owner")
    if not scope.all_labs:
        qs = qs.filter(district_id__in=scope.district_ids)
    return qs.filter(pk=pk).first()


def building_map_points(*, user: Any, district_id: int | None = None) -> list[dict[str, Any]]:
    """Return the visible buildings that have coordinates, as plain points for the map."""
    qs = building_list(user=user, district_id=district_id).exclude(latitude=None)
    return [
        {
            "id": b.pk,
            "label": b.address,
            "lat": float(b.latitude or 0),
            "lon": float(b.longitude or 0),
            "status": b.get_status_display(),
            "units": b.unit_count,  # type: ignore[attr-defined]
        }
        for b in qs
    ]


def entrance_list(*, building: Building) -> QuerySet[Entrance]:
    """List a building's stairs with their unit counts (the building is already scoped)."""
    return (
        Entrance.objects.filter(building=building)
        .annotate(unit_count=Count("units"))
        .order_by("name")
    )


def unit_list(
    *,
    user: Any,
    building_id: int | None = None,
    entrance_id: int | None = None,
    status: str = "",
) -> QuerySet[Unit]:
    """List visible units, by building or stair and status."""
    scope = user_scope(user)
    qs = Unit.objects.select_related("building", "entrance")
    if not scope.all_labs:
        qs = qs.filter(building__district_id__in=scope.district_ids)
    if building_id:
        qs = qs.filter(building_id=building_id)
    if entrance_id:
        qs = qs.filter(entrance_id=entrance_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("entrance__name", "floor", "code")


def unit_get(*, user: Any, pk: int) -> Unit | None:
    """Return a visible unit, or None."""
    return unit_list(user=user).filter(pk=pk).first()


def unit_status_summary(*, district_ids: Any | None) -> dict[str, int]:
    """Count units by status in the given districts (None = all)."""
    qs = Unit.objects.all()
    if district_ids is not None:
        qs = qs.filter(building__district_id__in=district_ids)
    counts = dict.fromkeys(UnitStatus.values, 0)
    for row in qs.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


def building_count(*, district_ids: Any | None) -> int:
    """Count buildings in the given districts (None = all)."""
    qs = Building.objects.all()
    if district_ids is not None:
        qs = qs.filter(district_id__in=district_ids)
    return qs.count()
