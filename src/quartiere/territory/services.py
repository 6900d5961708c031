"""Writes on districts, buildings, stairs and units, including the unit import."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from quartiere.accounts.models import Organisation
from quartiere.core import audit
from quartiere.core.exceptions import ApplicationError
from quartiere.core.importing import ImportReport, require_columns
from quartiere.territory.enums import BuildingStatus, UnitStatus
from quartiere.territory.models import Building, District, Entrance, Unit

BUILDING_FIELDS = (
    "code",
    "street",
    "number",
    "latitude",
    "longitude",
    "owner",
    "year_built",
    "floors",
    "has_lift",
    "status",
)
UNIT_FIELDS = ("entrance", "code", "floor", "rooms", "floor_area_m2", "is_accessible", "status")


def _validated(obj: Any, exclude: Iterable[str] = ()) -> Any:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise ApplicationError(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()),
            fields=exc.message_dict,
        ) from exc
    return obj


@transaction.atomic
def district_create(*, actor: Any, municipality: str, name: str, boundary: Any = None) -> District:
    """Create a district; the name is unique within its municipality."""
    district = _validated(District(municipality=municipality, name=name, boundary=boundary))
    district.save()
    audit.record(actor=actor, action="territory.district_create", target=district)
    return district


@transaction.atomic
def building_create(*, actor: Any, district: District, **fields: Any) -> Building:
    """Create a building in a district; the code is unique within the district."""
    building = _validated(Building(district=district, **fields))
    building.save()
    audit.record(
        actor=actor,
        action="territory.building_create",
        target=building,
        changes=audit.snapshot(building, BUILDING_FIELDS),
    )
    return building


@transaction.atomic
def building_update(*, actor: Any, building: Building, **fields: Any) -> Building:
    """Change a building's facts; records the before/after of changed fields."""
    building = Building.objects.select_for_update().get(pk=building.pk)
    before = audit.snapshot(building, BUILDING_FIELDS)
    for name, value in fields.items():
        setattr(building, name, value)
    _validated(building)
    building.save()
    changes = audit.diff(before, audit.snapshot(building, BUILDING_FIELDS))
    audit.record(actor=actor, action="territory.building_update", target=building, changes=changes)
    return building


@transaction.atomic
def entrance_create(*, actor: Any, building: Building, name: str) -> Entrance:
    """Add a stair to a building; stair names are unique within the building."""
    entrance = _validated(Entrance(building=building, name=name))
    entrance.save()
    audit.record(actor=actor, action="territory.entrance_create", target=entrance)
    return entrance


@transaction.atomic
def unit_create(*, actor: Any, entrance: Entrance, **fields: Any) -> Unit:
    """Create a unit on a stair; the code is unique within the building."""
    unit = _validated(Unit(building_id=entrance.building_id, entrance=entrance, **fields))
    unit.save()
    audit.record(
        actor=actor,
        action="territory.unit_create",
        target=unit,
        changes=audit.snapshot(unit, UNIT_FIELDS),
    )
    return unit


@transaction.atomic
def unit_set_status(*, actor: Any, unit: Unit, status: str, lab_id: int | None = None) -> Unit:
    """Change a unit's status (occupied, vacant, unavailable, reserved)."""
    if status not in UnitStatus.values:
        raise ApplicationError(f"Unknown unit status {status!r}.")
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    old = unit.status
    if old == status:
        return unit
    unit.status = status
    unit.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        lab_id=lab_id,
        action="territory.unit_set_status",
        target=unit,
        changes={"status": [old, status]},
    )
    return unit


# --- Import ------------------------------------------------------------------------------

UNIT_IMPORT_COLUMNS = {
    "building_code",
    "street",
    "number",
    "stair",
    "unit_code",
    "floor",
    "rooms",
    "floor_area_m2",
}
TRUE_WORDS = {"1", "true", "yes", "si", "sì", "y", "s", "x"}
FALSE_WORDS = {"", "0", "false", "no", "n"}


def _bool(value: str, column: str) -> bool:
    v = value.strip().lower()
    if v in TRUE_WORDS:
        return True
    if v in FALSE_WORDS:
        return False
    raise ValueError(f"{column}: {value!r} is not yes/no")


def _int(value: str, column: str, *, required: bool = True) -> int | None:
    if not value.strip():
        if required:
            raise ValueError(f"{column}: required")
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise ValueError(f"{column}: {value!r} is not a whole number") from exc


def _decimal(value: str, column: str, *, required: bool = True) -> Decimal | None:
    if not value.strip():
        if required:
            raise ValueError(f"{column}: required")
        return None
    try:
        return Decimal(value.replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError(f"{column}: {value!r} is not a number") from exc


def _choice(value: str, column: str, choices: list[str], default: str) -> str:
    v = value.strip().lower() or default
    if v not in choices:
        raise ValueError(f"{column}: {value!r} is not one of {', '.join(choices)}")
    return v


def units_import(
    *,
    actor: Any,
    district: District,
    rows: list[tuple[int, dict[str, str]]],
    default_owner: Organisation,
    dry_run: bool = False,
    lab_id: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Create or update buildings, stairs and units from rows; any bad row writes nothing.

    Returns the report; with errors, or in a dry run, the database is left untouched.
    """
    require_columns(rows, UNIT_IMPORT_COLUMNS)
    report = ImportReport(total=len(rows), dry_run=dry_run)
    owners = {o.name.lower(): o for o in Organisation.objects.all()}
    buildings: dict[Any, Building] = {b.code: b for b in Building.objects.filter(district=district)}
    entrances: dict[tuple[Any, Any], Entrance] = {
        (e.building_id, e.name): e for e in Entrance.objects.filter(building__district=district)
    }
    existing_units = {
        (u.building_id, u.code): u for u in Unit.objects.filter(building__district=district)
    }
    parsed: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    seen: dict[tuple[Any, Any], int] = {}
    for line, row in rows:
        try:
            owner_name = row.get("owner", "").strip()
            if owner_name and owner_name.lower() not in owners:
                raise ValueError(f"owner: unknown organisation {owner_name!r}")
            b: dict[str, Any] = {
                "code": row["building_code"].strip(),
                "street": row["street"].strip(),
                "number": row["number"].strip(),
                "owner": owners.get(owner_name.lower(), default_owner),
                "latitude": _decimal(row.get("latitude", ""), "latitude", required=False),
                "longitude": _decimal(row.get("longitude", ""), "longitude", required=False),
                "year_built": _int(row.get("year_built", ""), "year_built", required=False),
                "floors": _int(row.get("floors", ""), "floors", required=False) or 1,
                "has_lift": _bool(row.get("lift", ""), "lift"),
                "status": _choice(
                    row.get("building_status", ""),
                    "building_status",
                    BuildingStatus.values,
                    BuildingStatus.INHABITED,
                ),
            }
            u: dict[str, Any] = {
                "stair": row["stair"].strip(),
                "code": row["unit_code"].strip(),
                "floor": _int(row["floor"], "floor"),
                "rooms": _int(row["rooms"], "rooms"),
                "floor_area_m2": _decimal(row["floor_area_m2"], "floor_area_m2"),
                "is_accessible": _bool(row.get("accessible", ""), "accessible"),
                "status": _choice(
                    row.get("status", ""), "status", UnitStatus.values, UnitStatus.VACANT
                ),
            }
            for name in ("code", "street", "number"):
                if not b[name]:
                    raise ValueError(f"{'building_code' if name == 'code' else name}: required")
            if not u["stair"]:
                raise ValueError("stair: required")
            if not u["code"]:
                raise ValueError("unit_code: required")
            key = (b["code"], u["code"])
            if key in seen:
                raise ValueError(
                    f"unit_code: {u['code']!r} of building {b['code']!r} repeats line {seen[key]}"
                )
            seen[key] = line
            # Field-level checks without touching the database.
            probe_b = Building(district=district, **b)
            probe_b.full_clean(
                exclude=["district", "owner"], validate_unique=False, validate_constraints=False
            )
            probe_u = Unit(**{k: v for k, v in u.items() if k != "stair"})
            probe_u.full_clean(
                exclude=["building", "entrance"], validate_unique=False, validate_constraints=False
            )
            parsed.append((line, b, u))
        except ValidationError as exc:
            report.errors.append(
                (line, "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()))
            )
        except (ValueError, KeyError) as exc:
            report.errors.append((line, str(exc).strip("'\"")))
        if progress:
            progress(1)
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        for _line, b, u in parsed:
            building = buildings.get(b["code"])
            if building is None:
                building = Building.objects.create(district=district, **b)
                buildings[b["code"]] = building
            entrance = entrances.get((building.pk, u["stair"]))
            if entrance is None:
                entrance = Entrance.objects.create(building=building, name=u["stair"])
                entrances[(building.pk, u["stair"])] = entrance
            values = {k: v for k, v in u.items() if k not in {"stair", "code"}}
            unit = existing_units.get((building.pk, u["code"]))
            if unit is None:
                Unit.objects.create(building=building, entrance=entrance, code=u["code"], **values)
                report.created += 1
            else:
                for name, value in values.items():
                    setattr(unit, name, value)
                unit.entrance = entrance
                unit.save()
                report.updated += 1
        audit.record(
            actor=actor,
            action="territory.units_import",
            target=district,
            lab_id=lab_id,
            changes={"created": report.created, "updated": report.updated, "rows": report.total},
        )
    return report


@transaction.atomic
def territory_bulk_create(
    *,
    actor: Any,
    buildings: list[Building],
    entrances: list[Entrance],
    units: list[Unit],
    lab_id: int | None = None,
) -> None:
    """Create many buildings, stairs and units at once (seeding, migrations from old systems).

    Rows must be fully built by the caller (parents saved first); one audit event per call.
    """
    Building.objects.bulk_create(buildings, batch_size=2000)
    # Re-assigning the saved parent sets the id and keeps the cached object (no query later).
    for e in entrances:
        e.building = e.building
    Entrance.objects.bulk_create(entrances, batch_size=2000)
    for u in units:
        u.building, u.entrance = u.building, u.entrance
    Unit.objects.bulk_create(units, batch_size=2000)
    audit.record(
        actor=actor,
        action="territory.bulk_create",
        target_type="territory.unit",
        label=f"{len(units)} units",
        lab_id=lab_id,
        changes={"buildings": len(buildings), "entrances": len(entrances), "units": len(units)},
    )


def unit_status_bulk_set(
    *, actor: Any, unit_ids: list[int], status: str, lab_id: int | None = None
) -> int:
    """Set the status of many units at once; returns how many changed."""
    if status not in UnitStatus.values:
        raise ApplicationError(f"Unknown unit status {status!r}.")
    changed = 0
    for start in range(0, len(unit_ids), 5000):
        changed += (
            Unit.objects.filter(pk__in=unit_ids[start : start + 5000])
            .exclude(status=status)
            .update(status=status)
        )
    audit.record(
        actor=actor,
        action="territory.unit_status_bulk_set",
        target_type="territory.unit",
        label=f"{changed} units",
        lab_id=lab_id,
        changes={"status": status, "count": changed},
    )
    return changed
