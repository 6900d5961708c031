import pytest

from quartiere.territory import selectors
from quartiere.territory.enums import BuildingStatus, UnitStatus
from quartiere.territory.tests.factories import BuildingFactory, DistrictFactory, UnitFactory

pytestmark = pytest.mark.django_db


def test_building_list_returns_only_own_districts_when_user_is_lab_staff(
    operator, lab, other_lab
) -> None:
    mine = BuildingFactory(district=lab.district)
    BuildingFactory(district=other_lab.district)

    assert list(selectors.building_list(user=operator)) == [mine]


def test_building_list_returns_every_district_when_user_is_region_official(
    region_official, lab, other_lab
) -> None:
    BuildingFactory(district=lab.district)
    BuildingFactory(district=other_lab.district)

    assert selectors.building_list(user=region_official).count() == 2


def test_building_list_returns_nothing_when_user_has_no_lab(make_user, lab) -> None:
    BuildingFactory(district=lab.district)

    assert not selectors.building_list(user=make_user()).exists()


def test_building_list_annotates_unit_counts_when_building_has_units(operator, lab) -> None:
    building = BuildingFactory(district=lab.district)
    UnitFactory(building=building, status=UnitStatus.OCCUPIED)
    UnitFactory(building=building, status=UnitStatus.VACANT)

    found = selectors.building_list(user=operator).get()

    assert found == building
    assert (found.unit_count, found.occupied_count) == (2, 1)


def test_building_list_filters_by_street_code_and_status_when_given(operator, lab) -> None:
    padova = BuildingFactory(district=lab.district, street="Via Padova", code="P1")
    russo = BuildingFactory(
        district=lab.district, street="Via Russo", code="R1", status=BuildingStatus.VACANT
    )

    assert list(selectors.building_list(user=operator, q="padov")) == [padova]
    assert list(selectors.building_list(user=operator, q="r1")) == [russo]
    assert list(selectors.building_list(user=operator, status="vacant")) == [russo]


def test_building_get_returns_none_when_building_in_another_district(operator, other_lab) -> None:
    building = BuildingFactory(district=other_lab.district)

    assert selectors.building_get(user=operator, pk=building.pk) is None


def test_unit_list_returns_only_own_districts_when_lab_staff(operator, lab, other_lab) -> None:
    mine = UnitFactory(building=BuildingFactory(district=lab.district))
    UnitFactory(building=BuildingFactory(district=other_lab.district))

    assert list(selectors.unit_list(user=operator)) == [mine]


def test_unit_get_returns_none_when_unit_in_another_district(operator, other_lab) -> None:
    unit = UnitFactory(building=BuildingFactory(district=other_lab.district))

    assert selectors.unit_get(user=operator, pk=unit.pk) is None


def test_district_list_returns_lab_districts_when_user_is_lab_staff(
    operator, lab, other_lab
) -> None:
    DistrictFactory()

    assert list(selectors.district_list(user=operator)) == [lab.district]


def test_building_map_points_skip_building_when_coordinates_missing(operator, lab) -> None:
    placed = BuildingFactory(district=lab.district, latitude="45.5", longitude="9.2")
    BuildingFactory(district=lab.district)

    points = selectors.building_map_points(user=operator)

    assert [p["id"] for p in points] == [placed.pk]
    assert points[0]["lat"] == pytest.approx(45.5)


def test_unit_status_summary_counts_every_status_when_districts_given(lab, other_lab) -> None:
    UnitFactory(building=BuildingFactory(district=lab.district), status=UnitStatus.OCCUPIED)
    UnitFactory(building=BuildingFactory(district=other_lab.district), status=UnitStatus.VACANT)

    summary = selectors.unit_status_summary(district_ids={lab.district_id})

    assert summary == {"occupied": 1, "vacant": 0, "unavailable": 0, "reserved": 0}
