"""Back-office pages: the permission matrix, the board, forms, versions, offers, exports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from quartiere.accounts.enums import Role
from quartiere.people.enums import Language
from quartiere.relocation import letters, services
from quartiere.relocation.enums import MoveKind, NeedStatus, OfferStatus
from quartiere.relocation.models import Offer, ProposedMatch, RelocationNeed
from quartiere.relocation.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def solved(plan, origin, destination):  # type: ignore[no-untyped-def]
    """Two households: one matched (and offered), one too large for any unit."""
    small = f.make_household(plan.lab, members=2, unit=f.make_unit(origin), label="Rossi")
    large = f.make_household(plan.lab, members=6, unit=f.make_unit(origin), label="Haddad")
    f.add_pool(plan, f.make_unit(destination, area=50), kind=MoveKind.TEMPORARY)
    f.make_need(plan, small, meeting_note="Segreto del laboratorio")
    f.make_need(plan, large)
    version = services.relocation_plan_solve(plan=plan, actor=None)
    offer = services.offer_make(actor=None, match=ProposedMatch.objects.get(version=version))
    return {"plan": plan, "version": version, "offer": offer}


def _pages(solved) -> list[str]:  # type: ignore[no-untyped-def]
    plan, version, offer = solved["plan"], solved["version"], solved["offer"]
    need = offer.need
    return [
        reverse("relocation:plan_list"),
        reverse("relocation:board", args=[plan.pk]),
        reverse("relocation:need_detail", args=[need.pk]),
        reverse("relocation:pool", args=[plan.pk]),
        reverse("relocation:rules", args=[plan.pk]),
        reverse("relocation:versions", args=[plan.pk]),
        reverse("relocation:version_detail", args=[version.pk]),
        reverse("relocation:compare", args=[plan.pk]),
        reverse("relocation:offers", args=[plan.pk]),
        reverse("relocation:offer_detail", args=[offer.pk]),
        reverse("relocation:moves", args=[plan.pk]),
        reverse("relocation:map", args=[plan.pk]),
    ]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.LAB_COORDINATOR, 200),
        (Role.LAB_OPERATOR, 200),
        (Role.HOUSING_STAFF, 200),
        (Role.TRAINING_OPERATOR, 403),
        (Role.RESIDENT, 403),
    ],
)
def test_relocation_pages_answer_by_role_when_opened_by_lab_member(
    solved, make_user, login, lab, role, expected
) -> None:
    client = login(make_user(role, lab))

    codes = {url: client.get(url).status_code for url in _pages(solved)}

    assert set(codes.values()) == {expected}, codes


def test_relocation_pages_answer_not_found_when_opened_by_another_lab(
    solved, other_operator, login
) -> None:
    client = login(other_operator)

    codes = {url: client.get(url).status_code for url in _pages(solved)[1:]}

    assert set(codes.values()) == {404}, codes


def test_relocation_pages_refuse_region_official_when_no_capability(
    solved, region_official, login
) -> None:
    client = login(region_official)

    assert client.get(reverse("relocation:board", args=[solved["plan"].pk])).status_code == 403


def test_relocation_pages_redirect_to_login_when_anonymous(solved, client) -> None:
    response = client.get(reverse("relocation:board", args=[solved["plan"].pk]))

    assert response.status_code == 302


def test_version_page_shows_unmatched_household_with_binding_constraint(
    solved, coordinator, login
) -> None:
    response = login(coordinator).get(
        reverse("relocation:version_detail", args=[solved["version"].pk])
    )

    rows = response.context["unmatched"]
    assert [u.need.household.label for u in rows] == ["Haddad"]
    assert rows[0].binding_constraint == "adequacy"
    assert "Haddad" in response.content.decode()
    assert str(rows[0].reasons[0]) in response.content.decode()


def test_need_page_shows_meeting_note_only_when_lab_staff(
    solved, coordinator, housing_staff, login
) -> None:
    url = reverse("relocation:need_detail", args=[solved["offer"].need_id])

    assert "Segreto del laboratorio" in login(coordinator).get(url).content.decode()
    assert "Segreto del laboratorio" not in login(housing_staff).get(url).content.decode()


def test_rules_page_refuses_changes_when_housing_staff(solved, housing_staff, login) -> None:
    plan = solved["plan"]
    url = reverse("relocation:rules", args=[plan.pk])
    data = {"accessibility_rule": "ground_or_lift", "refusals_allowed": "5"}
    for size in range(1, 7):
        data[f"min_{size}"] = "10"

    login(housing_staff).post(url, data)

    plan.refresh_from_db()
    assert plan.refusals_allowed == 2


def test_rules_page_saves_table_when_coordinator_posts(solved, coordinator, login) -> None:
    plan = solved["plan"]
    data = {"accessibility_rule": "accessible_unit", "refusals_allowed": "3"}
    for size in range(1, 7):
        data[f"min_{size}"] = str(20 + size * 10)
        data[f"max_{size}"] = str(40 + size * 10)
    data["allow_regular_permanent"] = "on"

    response = login(coordinator).post(reverse("relocation:rules", args=[plan.pk]), data)

    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.refusals_allowed, plan.accessibility_rule) == (3, "accessible_unit")
    assert plan.area_rules.get(household_size=6).max_area_m2 == 100


def test_rules_page_keeps_values_and_shows_error_when_max_below_min(
    solved, coordinator, login
) -> None:
    plan = solved["plan"]
    data = {"accessibility_rule": "ground_or_lift", "refusals_allowed": "2"}
    for size in range(1, 7):
        data[f"min_{size}"] = "30"
    data["max_2"] = "20"

    response = login(coordinator).post(reverse("relocation:rules", args=[plan.pk]), data)

    assert response.status_code == 200
    assert response.context["form"].errors["max_2"]
    assert plan.area_rules.get(household_size=2).min_area_m2 == 38


def test_need_create_page_adds_household_when_posted(plan, origin, coordinator, login) -> None:
    household = f.make_household(plan.lab, members=3, unit=f.make_unit(origin))

    response = login(coordinator).post(
        reverse("relocation:need_create", args=[plan.pk]),
        {"household": household.pk, "needs_accessible": "on", "constraints_text": "Scuola"},
    )

    need = RelocationNeed.objects.get(plan=plan, household=household)
    assert response.status_code == 302
    assert need.needs_accessible
    assert need.size == 3


def test_need_create_page_shows_field_error_when_household_missing(
    plan, coordinator, login
) -> None:
    response = login(coordinator).post(reverse("relocation:need_create", args=[plan.pk]), {})

    assert response.status_code == 200
    assert response.context["form"].errors["household"]
    assert not RelocationNeed.objects.exists()


def test_offer_flow_accepts_and_moves_when_posted_by_coordinator(
    solved, coordinator, login
) -> None:
    client = login(coordinator)
    offer = solved["offer"]

    client.post(reverse("relocation:offer_accept", args=[offer.pk]))
    response = client.post(
        reverse("relocation:move_create", args=[offer.pk]),
        {"moved_on": "2026-04-01", "cost_amount": "900"},
    )

    offer.refresh_from_db()
    assert response.status_code == 302
    assert offer.status == OfferStatus.ACCEPTED
    assert offer.move.moved_on == dt.date(2026, 4, 1)
    assert offer.need.status == NeedStatus.MOVED


def test_offer_refuse_page_keeps_offer_open_when_reason_missing(solved, coordinator, login) -> None:
    offer = solved["offer"]

    response = login(coordinator).post(reverse("relocation:offer_refuse", args=[offer.pk]), {})

    assert response.status_code == 400
    offer.refresh_from_db()
    assert offer.status == OfferStatus.MADE


def test_offer_accept_is_refused_when_operator_of_other_lab(solved, other_operator, login) -> None:
    offer = solved["offer"]

    response = login(other_operator).post(reverse("relocation:offer_accept", args=[offer.pk]))

    assert response.status_code == 404
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.MADE


def test_offer_letter_is_a_pdf_in_two_languages_when_reference_speaks_arabic(
    plan, origin, destination, coordinator, login
) -> None:
    household = f.make_household(plan.lab, unit=f.make_unit(origin), language="ar")
    f.add_pool(plan, f.make_unit(destination))
    f.make_need(plan, household)
    version = services.relocation_plan_solve(plan=plan, actor=None)
    offer = services.offer_make(actor=None, match=ProposedMatch.objects.get(version=version))

    response = login(coordinator).get(reverse("relocation:offer_letter", args=[offer.pk]))

    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    html = letters.offer_letter_html(
        offer=offer, preferred_language="ar", today=dt.date(2026, 1, 15)
    )
    assert html.count("<section") == 2
    assert 'lang="ar" dir="rtl"' in html
    assert letters.TEXTS["ar"]["title"] in html
    detail = login(coordinator).get(reverse("relocation:offer_detail", args=[offer.pk]))
    assert detail.context["letter_languages"] == [
        str(Language.ITALIAN.label),
        str(Language.ARABIC.label),
    ]


def test_offer_page_says_letter_is_italian_only_when_language_not_covered(
    plan, origin, destination, coordinator, login
) -> None:
    household = f.make_household(plan.lab, unit=f.make_unit(origin), language="zh")
    f.add_pool(plan, f.make_unit(destination))
    f.make_need(plan, household)
    version = services.relocation_plan_solve(plan=plan, actor=None)
    offer = services.offer_make(actor=None, match=ProposedMatch.objects.get(version=version))

    detail = login(coordinator).get(reverse("relocation:offer_detail", args=[offer.pk]))

    assert detail.context["letter_languages"] == [str(Language.ITALIAN.label)]
    assert detail.context["missing_language"] == str(Language.CHINESE.label)


def test_solve_page_stores_a_new_version_when_posted(solved, housing_staff, login) -> None:
    plan = solved["plan"]

    response = login(housing_staff).post(reverse("relocation:solve", args=[plan.pk]))

    assert response.status_code == 302
    assert plan.versions.count() == 2


def test_compare_page_lists_changes_when_two_versions_differ(
    solved, destination, coordinator, login
) -> None:
    plan = solved["plan"]
    f.add_pool(plan, f.make_unit(destination, area=90))
    services.relocation_plan_solve(plan=plan, actor=None)

    response = login(coordinator).get(reverse("relocation:compare", args=[plan.pk]))

    rows = response.context["rows"]
    assert [r["household"] for r in rows] == ["Haddad"]


def test_board_export_is_xlsx_when_asked(solved, coordinator, login) -> None:
    url = reverse("relocation:board", args=[solved["plan"].pk])

    response = login(coordinator).get(url, {"format": "xlsx"})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_version_export_is_xlsx_when_asked(solved, coordinator, login) -> None:
    url = reverse("relocation:version_detail", args=[solved["version"].pk])

    response = login(coordinator).get(url, {"format": "xlsx"})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def _grow(plan, origin, destination, n):  # type: ignore[no-untyped-def]
    for i in range(n):
        household = f.make_household(plan.lab, unit=f.make_unit(origin), label=f"Extra {i}")
        f.add_pool(plan, f.make_unit(destination, area=45 + i))
        f.make_need(plan, household)
    version = services.relocation_plan_solve(plan=plan, actor=None)
    for match in ProposedMatch.objects.filter(version=version, is_locked=False):
        offer = services.offer_make(actor=None, match=match)
        services.offer_accept(actor=None, offer=offer)
        services.move_record(actor=None, offer=offer, moved_on=dt.date(2026, 2, 1))
    return version


@pytest.mark.parametrize(
    "name",
    ["board", "pool", "versions", "offers", "moves", "version_detail", "plan_list", "map"],
)
def test_list_pages_run_constant_queries_when_rows_grow(
    solved, origin, destination, coordinator, login, django_assert_max_num_queries, name
) -> None:
    plan = solved["plan"]
    client = login(coordinator)

    def url(version):  # type: ignore[no-untyped-def]
        if name == "plan_list":
            return reverse("relocation:plan_list")
        if name == "version_detail":
            return reverse("relocation:version_detail", args=[version.pk])
        return reverse(f"relocation:{name}", args=[plan.pk])

    version = _grow(plan, origin, destination, 2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url(version)).status_code == 200
    version = _grow(plan, origin, destination, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url(version)).status_code == 200


def test_need_page_shows_why_household_has_no_unit_when_unmatched(
    solved, coordinator, login
) -> None:
    need = RelocationNeed.objects.get(household__label="Haddad")

    response = login(coordinator).get(reverse("relocation:need_detail", args=[need.pk]))

    assert response.context["latest"]["unmatched"].binding_constraint == "adequacy"
    assert 'data-testid="latest-unmatched"' in response.content.decode()


def test_need_edit_page_saves_preferences_when_posted(solved, coordinator, login) -> None:
    need = RelocationNeed.objects.get(household__label="Haddad")
    unit_id = solved["plan"].pool.get().unit_id

    response = login(coordinator).post(
        reverse("relocation:need_edit", args=[need.pk]),
        {"preferred_unit_1": unit_id, "wishes_to_return": "on", "situation": ""},
    )

    assert response.status_code == 302
    need.refresh_from_db()
    assert need.preferred_unit_1_id == unit_id
    assert need.wishes_to_return
    assert need.situation == "regular"


def test_phase_add_households_adds_everyone_living_in_its_buildings_when_posted(
    plan, origin, destination, coordinator, login
) -> None:
    inside = [f.make_household(plan.lab, unit=f.make_unit(origin)) for _ in range(3)]
    f.make_household(plan.lab, unit=f.make_unit(destination))  # lives elsewhere
    phase = services.relocation_phase_create(
        actor=None, plan=plan, name="Edifici A-C", vacate_by=dt.date(2026, 6, 1), buildings=[origin]
    )
    services.need_create(actor=None, plan=plan, household=inside[0])

    response = login(coordinator).post(reverse("relocation:phase_add_households", args=[phase.pk]))

    assert response.status_code == 302
    assert set(RelocationNeed.objects.values_list("household_id", flat=True)) == {
        h.pk for h in inside
    }
    assert RelocationNeed.objects.filter(phase=phase).count() == 2
