"""QuickSelect renders the same options as Django's Select."""

from __future__ import annotations

from django import forms

from quartiere.core.widgets import QuickSelect


class _Form(forms.Form):
    building = forms.ChoiceField(
        label="Building",
        required=False,
        choices=[("", "Any"), ("7", "Via Segneri 3"), ("8", "Via <Odazio> & 5")],
        widget=QuickSelect,
    )


def test_quick_select_marks_the_chosen_option_and_escapes_labels():
    html = str(_Form({"building": "8"})["building"])
    assert html.startswith("<select ")
    assert 'id="id_building"' in html
    assert 'name="building"' in html
    assert '<option value="7">Via Segneri 3</option>' in html
    assert '<option value="8" selected>Via &lt;Odazio&gt; &amp; 5</option>' in html
    assert '<option value="">Any</option>' in html


def test_quick_select_selects_the_empty_choice_when_nothing_was_chosen():
    html = str(_Form()["building"])
    assert '<option value="" selected>Any</option>' in html
