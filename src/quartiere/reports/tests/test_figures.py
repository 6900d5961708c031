"""Report figures: the arithmetic, the selector on a hand-made dataset, and the page."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quartiere.accounts.enums import Role
from quartiere.reports import figures
from quartiere.reports.enums import ReportStatus
from quartiere.reports.models import Category
from quartiere.reports.selectors import report_figures
from quartiere.reports.tests.factories import CategoryFactory, ReportFactory

pytestmark = pytest.mark.django_db
ROME = ZoneInfo("Europe/Rome")
JAN, MAR = dt.date(2026, 1, 1), dt.date(2026, 3, 1)


def _at(day: int, month: int = 1, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=ROME)


# --- Arithmetic (no database) ---------------------------------------------------------------


def test_months_between_lists_each_month_when_period_crosses_a_year() -> None:
    assert figures.months_between(dt.date(2025, 11, 20), dt.date(2026, 2, 3)) == [
        dt.date(2025, 11, 1),
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    ]


def test_add_months_goes_back_across_a_year() -> None:
    assert figures.add_months(dt.date(2026, 1, 1), -11) == dt.date(2025, 2, 1)


def test_median_days_averages_the_middle_pair_when_count_is_even() -> None:
    assert figures.median_days([86400 * 5, None, 86400 * 20]) == 12.5


def test_median_days_is_none_when_nothing_to_measure() -> None:
    assert figures.median_days([None]) is None


def test_share_within_sla_is_none_when_nothing_resolved() -> None:
    assert figures.FigureRow(received=3).share_within_sla is None


def test_fill_months_adds_empty_rows_for_quiet_months() -> None:
    rows = figures.fill_months([figures.FigureRow(month=MAR, received=2)], [JAN, MAR])

    assert [(r.month, r.received) for r in rows] == [(JAN, 0), (MAR, 2)]


# --- Selector on a hand-made dataset --------------------------------------------------------


@pytest.fixture
def lift(lab) -> Category:  # type: ignore[no-untyped-def]
    return CategoryFactory(lab=lab, name_it="Ascensore", name_en="Lift")


@pytest.fixture
def dataset(lift, other_lab) -> None:  # type: ignore[no-untyped-def]
    """Three January reports with known times, one in February, one in another lab.

    Acknowledged after 1, 3 and 2 days (median 2); two resolved, after 5 days (by the due
    date) and 20 days (late): median 12.5 days, half within the service level.
    """
    ReportFactory(
        category=lift,
        status=ReportStatus.CLOSED,
        submitted_at=_at(5),
        acknowledged_at=_at(6),
        resolved_at=_at(10),
        resolve_due_on=dt.date(2026, 1, 15),
    )
    ReportFactory(
        category=lift,
        status=ReportStatus.RESOLVED,
        submitted_at=_at(7),
        acknowledged_at=_at(10),
        resolved_at=_at(27),
        resolve_due_on=dt.date(2026, 1, 20),
    )
    ReportFactory(
        category=lift,
        status=ReportStatus.IN_PROGRESS,
        submitted_at=_at(8),
        acknowledged_at=_at(10),
        resolve_due_on=dt.date(2026, 1, 22),
    )
    ReportFactory(category=lift, status=ReportStatus.SUBMITTED, submitted_at=_at(3, month=2))
    ReportFactory(category=CategoryFactory(lab=other_lab), submitted_at=_at(9))


def test_report_figures_computes_medians_and_share_per_month(coordinator, dataset) -> None:
    rows = report_figures(user=coordinator, group_by=("month",), start=JAN, end=MAR)

    january, february = rows
    assert january.month == JAN
    assert (january.received, january.open_count, january.resolved) == (3, 1, 2)
    assert january.median_acknowledge_days == pytest.approx(2.0)
    assert january.median_resolve_days == pytest.approx(12.5)
    assert january.share_within_sla == pytest.approx(0.5)
    assert (february.month, february.received, february.open_count) == (dt.date(2026, 2, 1), 1, 1)
    assert february.median_acknowledge_days is None


def test_report_figures_groups_by_category_over_the_period(coordinator, dataset, lift, lab) -> None:
    [row] = report_figures(user=coordinator, group_by=("category",), start=JAN, end=MAR)

    assert (row.lab_name, row.category_id, row.category_name) == (lab.name, lift.pk, "Ascensore")
    assert (row.received, row.within_sla, row.resolved) == (4, 1, 2)
    assert row.median_acknowledge_days == pytest.approx(2.0)


def test_report_figures_counts_every_lab_for_region_officials(region_official, dataset) -> None:
    rows = report_figures(user=region_official, group_by=("lab",), start=JAN, end=MAR)

    assert sorted(row.received for row in rows) == [1, 4]


def test_report_figures_filters_by_lab_for_region_officials(
    region_official, dataset, other_lab
) -> None:
    [row] = report_figures(
        user=region_official, group_by=("lab",), start=JAN, end=MAR, lab_id=other_lab.pk
    )

    assert (row.lab_id, row.received) == (other_lab.pk, 1)


def test_report_figures_returns_nothing_when_lab_outside_scope(
    coordinator, dataset, other_lab
) -> None:
    rows = report_figures(
        user=coordinator, group_by=("month",), start=JAN, end=MAR, lab_id=other_lab.pk
    )

    assert rows == []


def test_report_figures_returns_nothing_without_the_capability(housing_staff, dataset) -> None:
    assert report_figures(user=housing_staff, group_by=("month",), start=JAN, end=MAR) == []


def test_report_figures_leaves_out_reports_outside_the_period(coordinator, dataset) -> None:
    [row] = report_figures(
        user=coordinator, group_by=("month",), start=dt.date(2026, 2, 1), end=MAR
    )

    assert row.received == 1


# --- The page and the export ----------------------------------------------------------------


def _figures_url(**params: object) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("reports:figures") + (f"?{query}" if query else "")


def test_figures_page_shows_the_tables_for_the_period(login, coordinator, dataset) -> None:
    response = login(coordinator).get(_figures_url(start="2026-01", end="2026-03"))

    assert response.status_code == 200
    months = response.context["months"]
    assert [m.month for m in months] == [JAN, dt.date(2026, 2, 1), MAR]
    assert [m.received for m in months] == [3, 1, 0]
    content = response.content.decode()
    assert 'data-testid="categories-table"' in content
    assert "50,0%" in content or "50.0%" in content


def test_figures_page_embeds_charts_without_scripts_and_with_the_nonce(
    login, coordinator, dataset
) -> None:
    response = login(coordinator).get(_figures_url(start="2026-01", end="2026-03"))

    content = response.content.decode()
    nonce = response.wsgi_request.csp_nonce
    assert content.count('class="pygal-chart report-chart"') == 3
    assert content.count(f'<style type="text/css" nonce="{nonce}">') == 3
    assert "<script type=" not in content
    assert 'style="' not in content


def test_figures_page_lets_region_officials_filter_by_lab(
    login, region_official, dataset, other_lab
) -> None:
    response = login(region_official).get(
        _figures_url(lab=other_lab.pk, start="2026-01", end="2026-03")
    )

    assert response.status_code == 200
    assert sum(m.received for m in response.context["months"]) == 1


def test_figures_page_counts_every_lab_for_region_officials_by_default(
    login, region_official, dataset
) -> None:
    response = login(region_official).get(_figures_url(start="2026-01", end="2026-03"))

    assert sum(m.received for m in response.context["months"]) == 5
    assert response.context["show_lab"] is True


def test_figures_page_refuses_a_lab_outside_the_staff_scope(
    login, coordinator, dataset, other_lab
) -> None:
    response = login(coordinator).get(
        _figures_url(lab=other_lab.pk, start="2026-01", end="2026-03")
    )

    assert response.context["form"].errors["lab"]
    assert sum(m.received for m in response.context["months"]) == 4


def test_figures_page_shows_error_when_months_reversed(login, coordinator) -> None:
    response = login(coordinator).get(_figures_url(start="2026-03", end="2026-01"))

    assert response.context["form"].errors["end"]


def test_figures_page_redirects_anonymous_to_login(client) -> None:
    assert client.get(reverse("reports:figures")).status_code == 302


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.HOUSING_STAFF])
def test_figures_page_refuses_roles_without_figures(login, make_user, lab, role) -> None:
    assert login(make_user(role, lab)).get(reverse("reports:figures")).status_code == 403


def test_figures_export_writes_one_csv_row_per_lab_category_and_month(
    login, coordinator, dataset, lab
) -> None:
    response = login(coordinator).get(
        reverse("reports:figures_export") + "?start=2026-01&end=2026-03&format=csv"
    )

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert len(header) == 11
    assert [row[:4] for row in rows] == [
        [lab.name, "Ascensore", "2026-01", "3"],
        [lab.name, "Ascensore", "2026-02", "1"],
    ]
    assert rows[0][6] == "2.0"
    assert rows[0][8] == "12.5"
    assert rows[0][10] == "50.0"


def test_figures_export_answers_xlsx_when_asked(login, coordinator, dataset) -> None:
    response = login(coordinator).get(reverse("reports:figures_export") + "?format=xlsx")

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"


def test_figures_page_runs_constant_queries_when_reports_grow(
    login, coordinator, lab, other_lab
) -> None:
    client = login(coordinator)
    url = _figures_url(start="2026-01", end="2026-03")
    categories = [CategoryFactory(lab=lab) for _ in range(3)]

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for i in range(n):
            ReportFactory(
                category=categories[i % 3],
                status=ReportStatus.RESOLVED,
                submitted_at=_at(1 + i % 28, month=1 + i % 3),
                acknowledged_at=_at(1 + i % 28, month=1 + i % 3, hour=15),
                resolved_at=_at(1 + i % 28, month=1 + i % 3, hour=18),
                resolve_due_on=dt.date(2026, 4, 1),
            )

    count()  # warm-up: one-off caches
    add(3)
    few = count()
    add(30)
    many = count()

    assert few == many
