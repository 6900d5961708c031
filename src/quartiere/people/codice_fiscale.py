"""Codice fiscale checks and synthetic generation, on python-stdnum. No Django here.

python-stdnum validates the check letter and accepts omocodia (digits replaced by the letters
L M N P Q R S T U V when two people would share a code) and the 11-digit temporary codes.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.it import codicefiscale

MONTH_LETTERS = "ABCDEHLMPRST"
VOWELS = set("AEIOU")
OMOCODIA_DIGITS = str.maketrans("LMNPQRSTUV", "0123456789")


class InvalidCodiceFiscaleError(ValueError):
    """The code is malformed or its check letter is wrong; ``reason`` says which."""

    def __init__(self, message: str, *, reason: str = "format") -> None:
        super().__init__(message)
        self.reason = reason  # length | format | checksum | component


_REASONS = {
    "InvalidLength": "length",
    "InvalidFormat": "format",
    "InvalidChecksum": "checksum",
    "InvalidComponent": "component",
}


def normalise(value: str) -> str:
    """Upper-case the code and drop spaces and separators."""
    return codicefiscale.compact(value or "")


def validate(value: str) -> str:
    """Return the normalised code, or raise InvalidCodiceFiscaleError with the reason."""
    code = normalise(value)
    try:
        return codicefiscale.validate(code)
    except StdnumError as exc:
        raise InvalidCodiceFiscaleError(
            str(getattr(exc, "message", exc)), reason=_REASONS.get(type(exc).__name__, "format")
        ) from exc


def birth_date(value: str) -> dt.date | None:
    """Return the birth date encoded in a personal 16-character code (omocodia decoded)."""
    code = normalise(value)
    if len(code) != 16:
        return None
    try:
        return codicefiscale.get_birth_date(code)
    except StdnumError:
        return None


def matches_birth_date(value: str, born: dt.date) -> bool:
    """Tell whether a personal code agrees with a birth date (the code omits the century)."""
    encoded = birth_date(value)
    if encoded is None:
        return True
    return (encoded.year % 100, encoded.month, encoded.day) == (
        born.year % 100,
        born.month,
        born.day,
    )


def gender(value: str) -> str | None:
    """Return 'M' or 'F' from a personal 16-character code (omocodia decoded)."""
    code = normalise(value)
    if len(code) != 16:
        return None
    # stdnum's get_gender does not decode omocodia letters in the day digits.
    day = code[9:11].translate(OMOCODIA_DIGITS)
    if not day.isdigit():
        return None
    return "M" if int(day) < 32 else "F"


def _letters(word: str) -> str:
    """Upper-case A-Z letters only: accents dropped (Nicolò -> NICOLO), the rest ignored."""
    text = unicodedata.normalize("NFKD", word.upper())
    return "".join(c for c in text if "A" <= c <= "Z")


def _consonants(word: str) -> str:
    return "".join(c for c in _letters(word) if c not in VOWELS)


def _vowels(word: str) -> str:
    return "".join(c for c in _letters(word) if c in VOWELS)


def _surname_part(surname: str) -> str:
    return (_consonants(surname) + _vowels(surname) + "XXX")[:3]


def _name_part(name: str) -> str:
    cons = _consonants(name)
    if len(cons) >= 4:
        return cons[0] + cons[2] + cons[3]
    return (cons + _vowels(name) + "XXX")[:3]


def build(*, surname: str, name: str, born_on: dt.date, female: bool, place_code: str) -> str:
    """Compose a valid 16-character code from the personal data (check letter included)."""
    day = born_on.day + (40 if female else 0)
    body = (
        _surname_part(surname)
        + _name_part(name)
        + f"{born_on.year % 100:02d}"
        + MONTH_LETTERS[born_on.month - 1]
        + f"{day:02d}"
        + place_code.upper()
    )
    return body + codicefiscale.calc_check_digit(body)
