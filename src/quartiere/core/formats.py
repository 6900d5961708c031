"""Short dates written as Django's ``date_format(value, "SHORT_DATE_FORMAT")`` writes them.

A queue or a list writes a date in every row; Django's date formatter parses the format for
each one (about 12 µs a date, more than half a millisecond for a page of reports). The short
format of every language Quartiere speaks uses only day, month and year, so it is turned once
per language into a ``str.format`` template; a format with anything else is left to Django.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from django.test.signals import setting_changed
from django.utils import formats
from django.utils.translation import get_language

# Django's date format characters that need nothing but the date's numbers.
_NUMBERS = {
    "d": "{0.day:02d}",
    "j": "{0.day}",
    "m": "{0.month:02d}",
    "n": "{0.month}",
    "Y": "{0.year:04d}",
}


@lru_cache(maxsize=32)
def _template(language: str, name: str) -> str | None:
    template = []
    for char in formats.get_format(name, language):
        if char in _NUMBERS:
            template.append(_NUMBERS[char])
        elif char.isalpha() or char == "\\":
            return None  # a name, a week day, an escape...: Django writes it
        else:
            template.append(char.replace("{", "{{").replace("}", "}}"))
    return "".join(template)


def short_date(value: dt.date | None) -> str:
    """The date as the current language's SHORT_DATE_FORMAT writes it ("" for None)."""
    if value is None:
        return ""
    template = _template(get_language() or "", "SHORT_DATE_FORMAT")
    if template is None:
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return template.format(value)


def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if "FORMAT" in setting or setting.startswith("LANGUAGE") or setting == "USE_L10N":
        _template.cache_clear()


setting_changed.connect(_on_setting_changed, dispatch_uid="quartiere.formats.setting_changed")
