import datetime as dt

import pytest

from quartiere.accounts.enums import Role
from quartiere.core.models import AccessEvent, AccessOutcome
from quartiere.people import selectors
from quartiere.people.tests.factories import (
    HouseholdFactory,
    ResidentFactory,
    SensitiveProfileFactory,
    TenancyFactory,
)
from quartiere.territory.tests.factories import BuildingFactory, UnitFactory

pytestmark = pytest.mark.django_db


def test_resident_list_returns_only_own_lab_when_user_is_lab_operator(
    operator, lab, other_lab
) -> None:
    mine = ResidentFactory(lab=lab)
    ResidentFactory(lab=other_lab)

    assert list(selectors.resident_list(user=operator)) == [mine]


def test_resident_list_returns_nothing_of_lab_a_when_user_is_operator_of_lab_b(
    other_operator, lab
) -> None:
    ResidentFactory(lab=lab)

    assert not selectors.resident_list(user=other_operator).exists()


def test_resident_list_returns_nothing_when_region_official_lacks_view_resident(
    region_official, lab, other_lab
) -> None:
    ResidentFactory(lab=lab)
    ResidentFactory(lab=other_lab)

    assert not selectors.resident_list(user=region_official).exists()


def test_resident_list_returns_every_lab_when_superuser(make_user, lab, other_lab) -> None:
    ResidentFactory(lab=lab)
    ResidentFactory(lab=other_lab)
    admin = make_user(is_superuser=True)

    assert selectors.resident_list(user=admin).count() == 2


def test_resident_list_returns_nothing_when_membership_is_inactive(operator, lab) -> None:
    ResidentFactory(lab=lab)
    operator.memberships.update(is_active=False)

    assert not selectors.resident_list(user=operator).exists()


def test_resident_list_limits_to_one_lab_when_lab_id_given(make_user, lab, other_lab) -> None:
    both = make_user(Role.LAB_OPERATOR, lab, other_lab)
    a = ResidentFactory(lab=lab)
    ResidentFactory(lab=other_lab)

    assert list(selectors.resident_list(user=both, lab_id=lab.pk)) == [a]
    assert selectors.resident_list(user=both).count() == 2


@pytest.fixture
def named(lab):  # type: ignore[no-untyped-def]
    return {
        "rossi": ResidentFactory(lab=lab, first_name="Mario", last_name="Rossi"),
        "rossetti": ResidentFactory(lab=lab, first_name="Anna", last_name="Rossetti"),
        "bianchi": ResidentFactory(lab=lab, first_name="Mario", last_name="Bianchi"),
        "nicolo": ResidentFactory(lab=lab, first_name="Nicolò", last_name="D'Amico"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ros", {"rossi", "rossetti"}),
        ("ROSSI", {"rossi"}),
        ("mario ros", {"rossi"}),
        ("rossi mario", {"rossi"}),
        ("mario", {"rossi", "bianchi"}),
        ("nicolo", {"nicolo"}),
        ("d amico", {"nicolo"}),
        ("verdi", set()),
    ],
)
def test_resident_list_matches_name_prefix_in_either_order_when_searching(
    operator, named, query: str, expected: set[str]
) -> None:
    found = set(selectors.resident_list(user=operator, q=query))

    assert found == {named[key] for key in expected}


def test_resident_list_matches_code_prefix_when_query_looks_like_a_codice_fiscale(
    operator, named
) -> None:
    target = named["bianchi"]

    found = list(selectors.resident_list(user=operator, q=target.codice_fiscale[:8].lower()))

    assert found == [target]


def test_resident_list_matches_temporary_code_prefix_when_query_is_digits(operator, lab) -> None:
    target = ResidentFactory(lab=lab, codice_fiscale="12345670017")
    ResidentFactory(lab=lab)

    assert list(selectors.resident_list(user=operator, q="1234567")) == [target]


def test_resident_list_filters_by_street_of_open_tenancy_when_address_given(operator, lab) -> None:
    here = HouseholdFactory(lab=lab)
    there = HouseholdFactory(lab=lab)
    TenancyFactory(household=here, unit=UnitFactory(building=BuildingFactory(street="Via Roma")))
    TenancyFactory(household=there, unit=UnitFactory(building=BuildingFactory(street="Via Po")))
    resident = ResidentFactory(household=here)
    ResidentFactory(household=there)

    assert list(selectors.resident_list(user=operator, address="roma")) == [resident]


def test_resident_list_filters_by_household_presence_when_asked(operator, lab) -> None:
    member = ResidentFactory(household=HouseholdFactory(lab=lab))
    loner = ResidentFactory(lab=lab)

    assert list(selectors.resident_list(user=operator, has_household="yes")) == [member]
    assert list(selectors.resident_list(user=operator, has_household="no")) == [loner]


def test_resident_get_returns_none_when_resident_is_of_another_lab(operator, other_lab) -> None:
    stranger = ResidentFactory(lab=other_lab)

    assert selectors.resident_get(user=operator, pk=stranger.pk) is None


def test_resident_duplicates_lists_visible_and_counts_others_when_same_name_and_birth(
    operator, lab, other_lab
) -> None:
    born = dt.date(1980, 1, 1)
    mine = ResidentFactory(lab=lab, first_name="Mario", last_name="Rossi", birth_date=born)
    ResidentFactory(lab=other_lab, first_name="Mario", last_name="Rossi", birth_date=born)
    ResidentFactory(lab=lab, first_name="Mario", last_name="Rossi", birth_date=dt.date(1981, 1, 1))

    result = selectors.resident_duplicates(
        user=operator,
        lab_id=lab.pk,
        codice_fiscale_value="",
        first_name="mario",
        last_name="ROSSI",
        birth_date=born,
    )

    assert result == {"visible": [mine], "elsewhere": 1}


def test_resident_duplicates_counts_without_listing_when_code_matches_in_another_lab(
    operator, lab, other_lab
) -> None:
    stranger = ResidentFactory(lab=other_lab)

    result = selectors.resident_duplicates(
        user=operator,
        lab_id=lab.pk,
        codice_fiscale_value=stranger.codice_fiscale.lower(),
        first_name="Other",
        last_name="Name",
        birth_date=None,
    )

    assert result == {"visible": [], "elsewhere": 1}


def test_resident_duplicates_ignores_the_record_itself_when_editing(operator, lab) -> None:
    resident = ResidentFactory(lab=lab)

    result = selectors.resident_duplicates(
        user=operator,
        lab_id=lab.pk,
        codice_fiscale_value=resident.codice_fiscale,
        first_name=resident.first_name,
        last_name=resident.last_name,
        birth_date=resident.birth_date,
        exclude_pk=resident.pk,
    )

    assert result == {"visible": [], "elsewhere": 0}


def test_resident_duplicates_returns_nothing_when_no_code_and_no_birth_date(operator, lab) -> None:
    ResidentFactory(lab=lab, first_name="Mario", last_name="Rossi")

    result = selectors.resident_duplicates(
        user=operator,
        lab_id=lab.pk,
        codice_fiscale_value="",
        first_name="Mario",
        last_name="Rossi",
        birth_date=None,
    )

    assert result == {"visible": [], "elsewhere": 0}


def test_household_list_counts_members_and_hides_other_labs_when_searching(
    operator, lab, other_lab
) -> None:
    household = HouseholdFactory(lab=lab, label="Rossi")
    ResidentFactory.create_batch(2, household=household)
    HouseholdFactory(lab=other_lab, label="Rossi")

    found = list(selectors.household_list(user=operator, q="ross"))

    assert found == [household]
    assert found[0].member_count == 2


def test_household_get_returns_none_when_household_is_of_another_lab(operator, other_lab) -> None:
    assert selectors.household_get(user=operator, pk=HouseholdFactory(lab=other_lab).pk) is None


def test_unit_tenants_hides_tenancy_when_household_of_another_lab(operator, lab, other_lab) -> None:
    mine = TenancyFactory(household=HouseholdFactory(lab=lab))
    theirs = TenancyFactory(household=HouseholdFactory(lab=other_lab))

    found = selectors.unit_tenants(user=operator, unit_ids=[mine.unit_id, theirs.unit_id])

    assert found == {mine.unit_id: mine}


def test_unit_tenants_returns_empty_when_user_cannot_view_residents(region_official, lab) -> None:
    tenancy = TenancyFactory(household=HouseholdFactory(lab=lab))

    assert selectors.unit_tenants(user=region_official, unit_ids=[tenancy.unit_id]) == {}


def test_sensitive_profile_get_returns_profile_and_logs_granted_read_when_capable(
    coordinator, lab
) -> None:
    profile = SensitiveProfileFactory(resident=ResidentFactory(lab=lab), disability="Sordità")

    found = selectors.sensitive_profile_get(
        user=coordinator, resident=profile.resident, path="/backoffice/x/"
    )

    assert found == profile
    assert found.disability == "Sordità"
    event = AccessEvent.objects.get()
    assert event.actor == coordinator
    assert event.outcome == AccessOutcome.GRANTED
    assert event.target_type == "people.sensitiveprofile"
    assert event.target_id == str(profile.resident.pk)
    assert event.lab_id == lab.pk
    assert event.path == "/backoffice/x/"


def test_sensitive_profile_get_returns_none_and_logs_refusal_when_capability_missing(
    operator, lab
) -> None:
    profile = SensitiveProfileFactory(resident=ResidentFactory(lab=lab), disability="Sordità")

    found = selectors.sensitive_profile_get(user=operator, resident=profile.resident)

    assert found is None
    event = AccessEvent.objects.get()
    assert event.actor == operator
    assert event.outcome == AccessOutcome.DENIED
    assert event.target_id == str(profile.resident.pk)


def test_resident_summary_counts_only_given_labs_when_lab_ids_given(lab, other_lab) -> None:
    household = HouseholdFactory(lab=lab)
    ResidentFactory(household=household)
    ResidentFactory(lab=other_lab)

    assert selectors.resident_summary(lab_ids={lab.pk}) == {
        "residents": 1,
        "households": 1,
        "active_consents": 0,
    }
    assert selectors.resident_summary(lab_ids=None)["residents"] == 2


@pytest.mark.parametrize(
    ("last_name", "query"),
    [
        ("Marchetti", "Marchetti"),  # MARCHE + T: once mistaken for a codice fiscale
        ("El Idrissi", "El Idrissi"),
        ("Santoro", "santoro"),
    ],
)
def test_resident_list_finds_surname_when_it_looks_like_start_of_a_code(
    operator, lab, last_name: str, query: str
) -> None:
    target = ResidentFactory(lab=lab, last_name=last_name, first_name="Hassan")
    ResidentFactory(lab=lab, last_name="Bianchi")

    found = list(selectors.resident_list(user=operator, q=query))

    assert found == [target]


def test_resident_list_matches_letters_only_code_prefix_when_query_is_one_word(
    operator, named
) -> None:
    target = named["bianchi"]

    found = list(selectors.resident_list(user=operator, q=target.codice_fiscale[:6]))

    assert target in found


def test_resident_rows_give_the_current_address_of_each_household(operator, lab) -> None:
    home = HouseholdFactory(lab=lab, label="Famiglia Rossi")
    old_unit = UnitFactory(building=BuildingFactory(street="Via Vecchia", number="1"))
    new_unit = UnitFactory(building=BuildingFactory(street="Via Nuova", number="7"), floor=3)
    TenancyFactory(
        household=home,
        unit=old_unit,
        starts_on=dt.date(2005, 1, 1),
        ends_on=dt.date(2019, 12, 31),
    )
    TenancyFactory(household=home, unit=new_unit, starts_on=dt.date(2020, 1, 1))
    member = ResidentFactory(household=home, last_name="Rossi", first_name="Anna")
    loner = ResidentFactory(lab=lab, last_name="Bianchi", first_name="Ugo")

    rows = selectors.resident_rows(selectors.resident_list(user=operator, with_address=False))

    by_id = {row.id: row for row in rows}
    assert [row.id for row in rows] == [loner.pk, member.pk]  # the list's order is kept
    assert (by_id[member.pk].street, by_id[member.pk].number) == ("Via Nuova", "7")
    assert by_id[member.pk].floor == 3
    assert by_id[member.pk].stair == new_unit.entrance.name
    assert by_id[member.pk].household == "Famiglia Rossi"
    assert (by_id[loner.pk].street, by_id[loner.pk].household_id) == ("", None)


def test_resident_rows_of_an_empty_page_send_one_query(operator, django_assert_num_queries) -> None:
    residents = selectors.resident_list(user=operator, q="zzzz")
    with django_assert_num_queries(1):
        assert selectors.resident_rows(residents) == []


def test_resident_page_rows_answer_as_the_list_for_every_search_and_filter(make_user, lab):
    from django.core.paginator import Paginator

    reader = make_user(Role.LAB_OPERATOR, lab)
    street = BuildingFactory(district=lab.district, street="Via 100%_Giambellino")
    other = BuildingFactory(district=lab.district, street="Via Odazio")
    for i in range(9):
        household = HouseholdFactory(lab=lab) if i % 3 else None
        if household is not None:
            TenancyFactory(
                household=household, unit=UnitFactory(building=street if i % 2 else other)
            )
        ResidentFactory(
            lab=lab,
            household=household,
            last_name=["Rossi", "Rossini", "Bianchi"][i % 3],
            gender=["F", "M"][i % 2],
        )
    ResidentFactory(last_name="Rossi")  # another lab's
    sample = selectors.resident_list(user=reader).first()
    cases = [
        {},
        {"q": "ross"},
        {"q": "rossi "},
        {"q": sample.codice_fiscale[:11]},
        {"q": sample.codice_fiscale[:6]},
        {"q": "%_"},
        {"address": "100%_"},
        {"address": "odazio", "has_household": "yes"},
        {"has_household": "no", "gender": "F"},
        {"building_id": street.pk, "q": "bianchi"},
    ]
    for filters in cases:
        ours = selectors.resident_page_rows(user=reader, lab_id=lab.pk, **filters)
        theirs = selectors.resident_list(user=reader, lab_id=lab.pk, with_address=False, **filters)
        for number in (1, 2):
            mine, orm = Paginator(ours, 4).get_page(number), Paginator(theirs, 4).get_page(number)
            assert mine.paginator.count == orm.paginator.count, filters
            rows = selectors.resident_rows_of(list(mine.object_list))
            assert rows == selectors.resident_rows(orm.object_list), (filters, number)
    assert selectors.resident_page_rows(user=reader, lab_id=lab.pk, address="100%_").count() == 3
