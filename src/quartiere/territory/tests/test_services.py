from decimal import Decimal

import pytest

from quartiere.accounts.enums import OrganisationKind
from quartiere.accounts.tests.factories import OrganisationFactory
from quartiere.core.exceptions import ApplicationError
from quartiere.core.importing import FileFormatError, read_rows
from quartiere.core.models import AuditEvent
from quartiere.territory import services
from quartiere.territory.enums import BuildingStatus, UnitStatus
from quartiere.territory.models import Building, District, Entrance, Unit
from quartiere.territory.tests.factories import (
    BuildingFactory,
    DistrictFactory,
    EntranceFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int, int]:
    return (
        Building.objects.count(),
        Entrance.objects.count(),
        Unit.objects.count(),
        AuditEvent.objects.count(),
    )


# --- single writes ------------------------------------------------------------------------


def test_district_create_refuses_duplicate_name_when_same_municipality(coordinator) -> None:
    DistrictFactory(municipality="Milano", name="San Siro")

    with pytest.raises(ApplicationError):
        services.district_create(actor=coordinator, municipality="Milano", name="San Siro")

    assert District.objects.filter(name="San Siro").count() == 1


def test_building_create_audits_snapshot_when_valid(coordinator, lab) -> None:
    owner = OrganisationFactory(kind=OrganisationKind.ALER)

    building = services.building_create(
        actor=coordinator,
        district=lab.district,
        code="B1",
        street="Via Padova",
        number="10",
        owner=owner,
        floors=4,
    )

    event = AuditEvent.objects.get(action="territory.building_create")
    assert event.target_id == str(building.pk)
    assert event.changes["code"] == "B1"
    assert event.changes["owner"] == owner.pk
    assert event.changes["floors"] == 4


def test_building_create_refuses_field_error_when_latitude_out_of_range(coordinator, lab) -> None:
    with pytest.raises(ApplicationError) as caught:
        services.building_create(
            actor=coordinator,
            district=lab.district,
            code="B1",
            street="Via Padova",
            number="10",
            owner=OrganisationFactory(),
            latitude=Decimal("95"),
        )

    assert "latitude" in caught.value.fields
    assert not Building.objects.exists()


def test_building_update_records_only_changed_fields_when_saved(coordinator) -> None:
    building = BuildingFactory(floors=4, has_lift=False)

    services.building_update(actor=coordinator, building=building, floors=5, has_lift=False)

    event = AuditEvent.objects.get(action="territory.building_update")
    assert event.changes == {"floors": [4, 5]}


def test_unit_create_puts_unit_in_stairs_building_when_stair_given(coordinator) -> None:
    entrance = EntranceFactory(name="B")

    unit = services.unit_create(
        actor=coordinator,
        entrance=entrance,
        code="1B",
        floor=2,
        rooms=3,
        floor_area_m2=Decimal("70"),
    )

    assert unit.building_id == entrance.building_id
    assert AuditEvent.objects.filter(action="territory.unit_create").exists()


def test_unit_create_refuses_area_when_too_small(coordinator) -> None:
    with pytest.raises(ApplicationError) as caught:
        services.unit_create(
            actor=coordinator,
            entrance=EntranceFactory(),
            code="1B",
            floor=2,
            rooms=3,
            floor_area_m2=Decimal("5"),
        )

    assert "floor_area_m2" in caught.value.fields


def test_unit_set_status_records_change_when_status_differs(coordinator) -> None:
    unit = UnitFactory(status=UnitStatus.VACANT)

    services.unit_set_status(actor=coordinator, unit=unit, status=UnitStatus.RESERVED)

    unit.refresh_from_db()
    assert unit.status == UnitStatus.RESERVED
    event = AuditEvent.objects.get(action="territory.unit_set_status")
    assert event.changes == {"status": ["vacant", "reserved"]}


def test_unit_set_status_writes_nothing_when_status_unchanged(coordinator) -> None:
    unit = UnitFactory(status=UnitStatus.VACANT)

    services.unit_set_status(actor=coordinator, unit=unit, status=UnitStatus.VACANT)

    assert not AuditEvent.objects.filter(action="territory.unit_set_status").exists()


def test_unit_set_status_refuses_status_when_unknown(coordinator) -> None:
    with pytest.raises(ApplicationError):
        services.unit_set_status(actor=coordinator, unit=UnitFactory(), status="haunted")


# --- import -------------------------------------------------------------------------------

HEADER = (
    "building_code,street,number,stair,unit_code,floor,rooms,floor_area_m2,owner,status,"
    "lift,accessible\n"
)


def _rows(*lines: str) -> list[tuple[int, dict[str, str]]]:
    return read_rows((HEADER + "\n".join(lines) + "\n").encode(), "units.csv")


@pytest.fixture
def aler(db):  # type: ignore[no-untyped-def]
    return OrganisationFactory(name="ALER Milano", kind=OrganisationKind.ALER)


def test_units_import_creates_buildings_stairs_and_units_when_file_is_good(
    coordinator, lab, aler
) -> None:
    rows = _rows(
        "B1,Via Padova,10,A,1A,0,2,45.5,ALER Milano,occupied,si,no",
        'B1,Via Padova,10,A,2A,1,3,"60,25",,,,',
        "B1,Via Padova,10,B,1B,0,2,45,,,,yes",
        "B2,Via Russo,3,A,1,2,4,90,,vacant,,",
    )

    report = services.units_import(
        actor=coordinator,
        district=lab.district,
        rows=rows,
        default_owner=lab.lead_organisation,
        lab_id=lab.pk,
    )

    assert report.ok
    assert (report.created, report.updated, report.total) == (4, 0, 4)
    b1 = Building.objects.get(district=lab.district, code="B1")
    assert b1.owner == aler
    assert b1.has_lift is True
    assert sorted(b1.entrances.values_list("name", flat=True)) == ["A", "B"]
    assert Unit.objects.get(building=b1, code="2A").floor_area_m2 == Decimal("60.25")
    assert Unit.objects.get(building=b1, code="1B").is_accessible is True
    b2 = Building.objects.get(district=lab.district, code="B2")
    assert b2.owner == lab.lead_organisation
    event = AuditEvent.objects.get(action="territory.units_import")
    assert event.lab_id == lab.pk
    assert event.changes == {"created": 4, "updated": 0, "rows": 4}


def test_units_import_updates_existing_unit_when_code_already_known(coordinator, lab) -> None:
    building = BuildingFactory(district=lab.district, code="B1")
    unit = UnitFactory(building=building, code="1A", floor=1, rooms=2, status=UnitStatus.VACANT)

    report = services.units_import(
        actor=coordinator,
        district=lab.district,
        rows=_rows("B1,Via Padova,10,C,1A,3,4,80,,occupied,,"),
        default_owner=lab.lead_organisation,
    )

    assert (report.created, report.updated) == (0, 1)
    unit.refresh_from_db()
    assert (unit.floor, unit.rooms, unit.status) == (3, 4, UnitStatus.OCCUPIED)
    assert unit.entrance.name == "C"
    assert Unit.objects.count() == 1


def test_units_import_creates_new_unit_when_same_code_exists_in_another_district(
    coordinator, lab, other_lab
) -> None:
    UnitFactory(building=BuildingFactory(district=other_lab.district, code="B1"), code="1A")

    report = services.units_import(
        actor=coordinator,
        district=lab.district,
        rows=_rows("B1,Via Padova,10,A,1A,1,2,50,,,,"),
        default_owner=lab.lead_organisation,
    )

    assert (report.created, report.updated) == (1, 0)
    assert Unit.objects.count() == 2


def test_units_import_writes_nothing_when_dry_run(coordinator, lab) -> None:
    before = _counts()

    report = services.units_import(
        actor=coordinator,
        district=lab.district,
        rows=_rows("B1,Via Padova,10,A,1A,1,2,50,,,,"),
        default_owner=lab.lead_organisation,
        dry_run=True,
    )

    assert report.ok
    assert report.created == 0
    assert _counts() == before


@pytest.mark.parametrize(
    ("bad_line", "fragment"),
    [
        ("B1,Via Padova,10,A,3A,terzo,2,50,,,,", "floor"),
        ("B1,Via Padova,10,A,3A,3,2,0,,,,", "floor_area_m2"),
        ("B1,Via Padova,10,A,3A,3,2,501,,,,", "floor_area_m2"),
        ("B1,Via Padova,10,A,3A,3,2,tanti,,,,", "floor_area_m2"),
        ("B1,Via Padova,10,A,3A,3,2,50,Nessuno SpA,,,", "owner"),
        ("B1,Via Padova,10,A,3A,3,2,50,,broken,,", "status"),
        ("B1,Via Padova,10,A,3A,3,0,50,,,,", "rooms"),
        ("B1,Via Padova,10,A,3A,3,2,50,,,forse,", "lift"),
        ("B1,Via Padova,10,,3A,3,2,50,,,,", "stair"),
        ("B1,Via Padova,10,A,1A,3,2,50,,,,", "unit_code"),
    ],
    ids=[
        "floor-not-number",
        "area-zero",
        "area-over-500",
        "area-not-number",
        "unknown-owner",
        "unknown-status",
        "no-rooms",
        "lift-not-yes-no",
        "no-stair",
        "repeated-unit-code",
    ],
)
def test_units_import_reports_line_and_writes_nothing_when_one_row_is_bad(
    coordinator, lab, bad_line: str, fragment: str
) -> None:
    rows = _rows(
        "B1,Via Padova,10,A,1A,1,2,50,,,,",
        "B1,Via Padova,10,A,2A,2,2,50,,,,",
        bad_line,
        "B2,Via Russo,3,A,1,2,4,90,,,,",
    )
    before = _counts()

    report = services.units_import(
        actor=coordinator, district=lab.district, rows=rows, default_owner=lab.lead_organisation
    )

    assert [line for line, _ in report.errors] == [4]
    assert report.errors[0][1].startswith(fragment)
    assert report.created == 0
    assert _counts() == before


def test_units_import_names_first_line_when_unit_code_repeats(coordinator, lab) -> None:
    rows = _rows("B1,Via Padova,10,A,1A,1,2,50,,,,", "B1,Via Padova,10,B,1A,1,2,50,,,,")

    report = services.units_import(
        actor=coordinator, district=lab.district, rows=rows, default_owner=lab.lead_organisation
    )

    assert report.errors == [(3, "unit_code: '1A' of building 'B1' repeats line 2")]


def test_units_import_raises_file_format_error_when_columns_missing(coordinator, lab) -> None:
    rows = read_rows(b"building_code,street\nB1,Via Padova\n", "units.csv")

    with pytest.raises(FileFormatError, match="floor"):
        services.units_import(
            actor=coordinator,
            district=lab.district,
            rows=rows,
            default_owner=lab.lead_organisation,
        )


def test_units_import_reports_progress_once_per_row_when_callback_given(coordinator, lab) -> None:
    ticks: list[int] = []

    services.units_import(
        actor=coordinator,
        district=lab.district,
        rows=_rows("B1,Via Padova,10,A,1A,1,2,50,,,,", "B1,Via Padova,10,A,2A,1,2,50,,,,"),
        default_owner=lab.lead_organisation,
        dry_run=True,
        progress=ticks.append,
    )

    assert ticks == [1, 1]


def test_units_import_sets_building_status_when_column_given(coordinator, lab) -> None:
    rows = read_rows(
        b"building_code,street,number,stair,unit_code,floor,rooms,floor_area_m2,building_status\n"
        b"B9,Via Padova,1,A,1,0,1,30,being_vacated\n",
        "units.csv",
    )

    services.units_import(
        actor=coordinator, district=lab.district, rows=rows, default_owner=lab.lead_organisation
    )

    assert Building.objects.get(code="B9").status == BuildingStatus.BEING_VACATED
