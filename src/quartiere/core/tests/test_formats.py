"""core.formats.short_date writes what Django's date_format writes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import formats, translation
from hypothesis import given
from hypothesis import strategies as st

from quartiere.core.formats import short_date


@pytest.mark.parametrize("language", ["it", "en"])
@given(day=st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_short_date_is_djangos(language, day):
    with translation.override(language):
        assert short_date(day) == formats.date_format(day, "SHORT_DATE_FORMAT")


def test_the_languages_differ_and_none_is_empty():
    day = dt.date(2026, 3, 4)
    with translation.override("it"):
        assert short_date(day) == "04/03/2026"
    with translation.override("en"):
        assert short_date(day) == "03/04/2026"
    assert short_date(None) == ""


def test_a_format_with_names_is_left_to_django(settings):
    settings.SHORT_DATE_FORMAT = "j M Y"
    settings.FORMAT_MODULE_PATH = None
    with translation.override("it"), override_locale_formats():
        day = dt.date(2026, 3, 4)
        assert short_date(day) == formats.date_format(day, "SHORT_DATE_FORMAT") == "4 Mar 2026"


def override_locale_formats():
    """Django's locale formats take precedence over the settings; drop them for one test."""
    from unittest import mock

    return mock.patch.object(formats, "iter_format_modules", return_value=iter(()))
