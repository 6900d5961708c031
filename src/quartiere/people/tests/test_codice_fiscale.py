"""The codice fiscale module is pure: plain unit tests, plus a property test for build()."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.it.codicefiscale import calc_check_digit

from quartiere.people import codice_fiscale

VALID = "RSSMRA85T10A562S"  # Mario Rossi, born 10 Dec 1985 in Sassari... (A562), male
TEMPORARY = "12345670017"  # 11 digits, valid check digit
NAME_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzàèéìòùÀÈÉÌÒÙçÇ"
OMOCODIA = dict(zip("0123456789", "LMNPQRSTUV", strict=True))


def _omocode(code: str, positions: list[int]) -> str:
    """Replace the digits at ``positions`` with their letters and recompute the check letter."""
    body = list(code[:15])
    for i in positions:
        body[i] = OMOCODIA[body[i]]
    text = "".join(body)
    return text + calc_check_digit(text)


def test_validate_returns_normalised_code_when_valid() -> None:
    assert codice_fiscale.validate(" rssmra 85t10-a562s ") == VALID


def test_validate_refuses_code_when_check_letter_is_wrong() -> None:
    with pytest.raises(codice_fiscale.InvalidCodiceFiscaleError):
        codice_fiscale.validate(VALID[:-1] + "T")


@pytest.mark.parametrize("value", ["RSSMRA85T10A562", "RSSMRA85T10A562SX", "123", "1234567890X"])
def test_validate_refuses_code_when_length_or_format_is_wrong(value: str) -> None:
    with pytest.raises(codice_fiscale.InvalidCodiceFiscaleError):
        codice_fiscale.validate(value)


def test_validate_refuses_code_when_birth_date_does_not_exist() -> None:
    body = "RSSMRA85B30A562"  # 30 February
    with pytest.raises(codice_fiscale.InvalidCodiceFiscaleError):
        codice_fiscale.validate(body + calc_check_digit(body))


@pytest.mark.parametrize(
    "positions",
    [[14], [13, 14], [12, 13, 14], [6, 7, 9, 10, 12, 13, 14]],
    ids=["one", "two", "three", "all-seven"],
)
def test_validate_accepts_code_when_digits_replaced_by_omocodia_letters(
    positions: list[int],
) -> None:
    code = _omocode(VALID, positions)

    assert codice_fiscale.validate(code) == code
    assert codice_fiscale.birth_date(code) == dt.date(1985, 12, 10)
    assert codice_fiscale.gender(code) == "M"


def test_validate_refuses_omocodia_code_when_check_letter_not_recomputed() -> None:
    code = VALID[:14] + OMOCODIA[VALID[14]] + VALID[15]

    with pytest.raises(codice_fiscale.InvalidCodiceFiscaleError):
        codice_fiscale.validate(code)


def test_validate_accepts_temporary_code_when_it_has_eleven_valid_digits() -> None:
    assert codice_fiscale.validate(TEMPORARY) == TEMPORARY


def test_validate_refuses_temporary_code_when_check_digit_is_wrong() -> None:
    with pytest.raises(codice_fiscale.InvalidCodiceFiscaleError):
        codice_fiscale.validate(TEMPORARY[:-1] + "8")


def test_birth_date_and_gender_are_none_when_code_is_temporary() -> None:
    assert codice_fiscale.birth_date(TEMPORARY) is None
    assert codice_fiscale.gender(TEMPORARY) is None


def test_birth_date_and_gender_decode_when_code_is_a_womans() -> None:
    code = codice_fiscale.build(
        surname="Bianchi",
        name="Giulia",
        born_on=dt.date(1990, 4, 3),
        female=True,
        place_code="F205",
    )

    assert code[9:11] == "43"  # day + 40 for women
    assert codice_fiscale.birth_date(code) == dt.date(1990, 4, 3)
    assert codice_fiscale.gender(code) == "F"


def test_birth_date_is_none_when_date_part_is_impossible() -> None:
    assert codice_fiscale.birth_date("RSSMRA85B30A562X") is None


def test_build_returns_the_known_code_when_given_known_person() -> None:
    code = codice_fiscale.build(
        surname="Rossi",
        name="Mario",
        born_on=dt.date(1985, 12, 10),
        female=False,
        place_code="a562",
    )

    assert code == VALID


@pytest.mark.parametrize(
    ("surname", "name", "expected"),
    [
        ("Fo", "Francesco", "FOXFNC"),  # short surname padded with X; 4+ consonants: 1st 3rd 4th
        ("Ai", "Ugo", "AIXGUO"),  # vowels after consonants
        ("De Luca", "Anna", "DLCNNA"),  # spaces ignored
        ("D'Amico", "Nicolò", "DMCNCL"),  # apostrophes ignored, accents dropped
    ],
)
def test_build_composes_name_parts_when_names_are_short_or_rich(
    surname: str, name: str, expected: str
) -> None:
    code = codice_fiscale.build(
        surname=surname, name=name, born_on=dt.date(1970, 1, 1), female=False, place_code="F205"
    )

    assert code[:6] == expected


@settings(max_examples=150, deadline=None)
@given(
    surname=st.text(alphabet=NAME_ALPHABET + " '-", min_size=1, max_size=30),
    name=st.text(alphabet=NAME_ALPHABET, min_size=1, max_size=30),
    # stdnum decodes two-digit years into 1920-2019.
    born_on=st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2019, 12, 31)),
    female=st.booleans(),
    place_code=st.sampled_from(["F205", "A562", "Z352", "H501"]),
)
def test_build_round_trips_through_validate_when_data_is_random(
    surname: str, name: str, born_on: dt.date, female: bool, place_code: str
) -> None:
    code = codice_fiscale.build(
        surname=surname, name=name, born_on=born_on, female=female, place_code=place_code
    )

    assert codice_fiscale.validate(code) == code
    assert codice_fiscale.birth_date(code) == born_on
    assert codice_fiscale.gender(code) == ("F" if female else "M")


def test_gender_is_none_when_day_part_is_not_decodable() -> None:
    assert codice_fiscale.gender("RSSMRA85T1XA562S") is None


def test_matches_birth_date_ignores_century_when_code_has_two_digit_year():
    code = codice_fiscale.build(
        surname="Rossi",
        name="Mario",
        born_on=dt.date(2020, 7, 1),
        female=False,
        place_code="F205",
    )
    assert codice_fiscale.matches_birth_date(code, dt.date(2020, 7, 1))
    assert codice_fiscale.matches_birth_date(code, dt.date(1920, 7, 1))
    assert not codice_fiscale.matches_birth_date(code, dt.date(2020, 7, 2))
