"""Charts, figures and progress bars of the public programme pages (drawn afresh every time)."""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.utils import translation

from quartiere.programme import presentation


def _row(name: str, allocated: str, committed: str = "0", paid: str = "0") -> SimpleNamespace:
    return SimpleNamespace(
        name=name,
        allocated_amount=Decimal(allocated),
        committed_amount=Decimal(committed),
        paid_amount=Decimal(paid),
    )


@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize(
    "value", ["0", "1", "999.49", "999.5", "1234.5", "2.5", "350000", "12345678.90", "-0.4"]
)
def test_writer_writes_amounts_as_floatformat_0g_when_given_any_figure(language, value) -> None:
    with translation.override(language):
        assert presentation.Writer()(Decimal(value)) == floatformat(Decimal(value), "0g")


@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("percent", [0, 37, 100])
def test_writer_draws_the_progress_bar_of_the_template_when_given_a_percentage(
    language, percent
) -> None:
    name = 'Via <Manzano> & "4"'
    with translation.override(language):
        drawn = str(presentation.Writer().progress_bar(percent, name))
        template = render_to_string(
            "programme/public/partials/_progress.html", {"percent": percent, "name": name}
        )

    assert drawn.split() == template.split()
    assert "<Manzano>" not in drawn


def test_funding_chart_draws_three_bars_per_row_when_given_rows() -> None:
    rows = [_row("POR FESR", "2500000", "2000000", "1000000"), _row("Comune <B>", "500000")]

    with translation.override("en"):
        svg = presentation.funding_chart_svg(rows, title="Fondi & fonti", chart_id="chart-x")

    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert svg.count('class="rect color-') == 6
    assert 'role="img" aria-label="Fondi &amp; fonti"' in svg
    assert "Comune &lt;B&gt;" in svg
    assert "<B>" not in svg
    assert "<script" not in svg
    assert "<style" not in svg
    assert " style=" not in svg
    assert "POR FESR · Allocated (EUR million): 2.50" in svg


def test_funding_chart_bars_follow_the_figures_when_a_figure_changes() -> None:
    def widths(svg: str) -> list[float]:
        return [float(w) for w in re.findall(r'class="rect color-0"[^>]*width="([\d.]+)"', svg)]

    before = presentation.funding_chart_svg(
        [_row("A", "1000000"), _row("B", "500000")], title="t", chart_id="c"
    )
    after = presentation.funding_chart_svg(
        [_row("A", "1000000"), _row("B", "1000000")], title="t", chart_id="c"
    )

    assert widths(before)[1] == pytest.approx(widths(before)[0] / 2)
    assert widths(after)[1] == pytest.approx(widths(after)[0])


def test_share_chart_draws_one_slice_per_source_with_money_when_given_rows() -> None:
    svg = presentation.share_chart_svg(
        [_row("A", "300"), _row("B", "100"), _row("C", "0")], title="Quote", chart_id="s"
    )

    assert svg.count('class="slice color-') == 2
    assert "A: 75.0%" in svg
    assert "B: 25.0%" in svg
    assert "C (0.0%)" in svg  # in the legend, with no slice


def test_share_chart_draws_a_whole_ring_when_one_source_gives_everything() -> None:
    svg = presentation.share_chart_svg([_row("A", "300")], title="Quote", chart_id="s")

    assert svg.count('class="slice color-0"') == 1
    assert svg.count(" A") >= 4  # two half rings in one path: an arc cannot close on itself


def test_charts_draw_empty_when_there_is_no_money() -> None:
    bars = presentation.funding_chart_svg([], title="t", chart_id="c")
    ring = presentation.share_chart_svg([_row("A", "0")], title="t", chart_id="s")

    assert "rect color-" not in bars.split('<g class="legends">')[0]
    assert 'class="slice' not in ring
    assert "<circle" in ring
