"""The Italian catalogue is complete and is what Django serves.

Part one reads ``locale/it/LC_MESSAGES/django.po`` with a small stdlib reader (no polib): every
message has a translation, nothing is left fuzzy, placeholders survive translation. Part two
compiles the catalogue into a temporary directory (so a stale or missing ``django.mo`` cannot
fool the test) and checks, through Django, that key strings come out in Italian.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation

import quartiere

LOCALE_DIR = Path(quartiere.__file__).resolve().parent / "locale"
PO_FILE = LOCALE_DIR / "it" / "LC_MESSAGES" / "django.po"
# Contexts may keep their own catalogue in <app>/locale/ (Django finds it through the app).
PO_FILES = [
    PO_FILE,
    *sorted(Path(quartiere.__file__).resolve().parent.glob("*/locale/it/LC_MESSAGES/django.po")),
]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def translations(self) -> list[str]:
        return [v for k, v in self.fields.items() if k.startswith("msgstr")]


def read_po(path: Path) -> list[Entry]:
    """Parse a .po file into entries (keywords joined across continuation lines)."""
    entries: list[Entry] = []
    entry: Entry | None = None
    keyword: str | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry, keyword = None, None
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#~"):
            entry.obsolete = True
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert keyword is not None, f"line {number}: string outside a keyword"
            entry.fields[keyword] += ast.literal_eval(line)
        else:
            keyword, _, value = line.partition(" ")
            entry.fields[keyword] = ast.literal_eval(value)
    return entries


@pytest.fixture(scope="module", params=PO_FILES, ids=lambda p: p.parts[-5])
def entries(request) -> list[Entry]:  # type: ignore[no-untyped-def]
    return read_po(request.param)


def messages(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.msgid and not e.obsolete]


def test_header_declares_italian_and_its_plural_rule(entries) -> None:
    header = next(e for e in entries if "msgid" in e.fields and e.msgid == "")
    assert "fuzzy" not in header.flags
    assert "Language: it\n" in header.fields["msgstr"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header.fields["msgstr"]


def test_catalogue_has_messages(entries) -> None:
    assert len(messages(entries)) > 0
    assert len(messages(read_po(PO_FILE))) > 100


def test_every_message_is_translated(entries) -> None:
    untranslated = [e.msgid for e in messages(entries) if not all(e.translations)]
    assert untranslated == []


def test_no_fuzzy_or_obsolete_entries(entries) -> None:
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []
    assert [e.line for e in entries if e.obsolete] == []


def test_plural_messages_have_both_italian_forms(entries) -> None:
    for entry in messages(entries):
        if "msgid_plural" in entry.fields:
            assert entry.fields.keys() >= {"msgstr[0]", "msgstr[1]"}, entry.msgid


def test_placeholders_survive_translation(entries) -> None:
    for entry in messages(entries):
        expected = set(PLACEHOLDER.findall(entry.msgid))
        expected |= set(PLACEHOLDER.findall(entry.fields.get("msgid_plural", "")))
        for text in entry.translations:
            assert set(PLACEHOLDER.findall(text)) == expected, entry.msgid


@pytest.mark.parametrize("po_file", PO_FILES, ids=lambda p: p.parts[-5])
def test_msgfmt_accepts_the_catalogue(tmp_path, po_file) -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext (msgfmt) is not installed")
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [msgfmt, "--check", "--statistics", "-o", str(tmp_path / "django.mo"), str(po_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr
    assert "fuzzy" not in result.stderr


@pytest.fixture(scope="module")
def compiled_locale(tmp_path_factory) -> Path:
    """A locale directory holding a fresh django.mo compiled from the .po under test."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        if (PO_FILE.with_suffix(".mo")).exists():
            return LOCALE_DIR  # `make messages` compiled it
        pytest.skip("no msgfmt and no compiled django.mo")
    root = tmp_path_factory.mktemp("locale")
    target = root / "it" / "LC_MESSAGES"
    target.mkdir(parents=True)
    subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [msgfmt, "-o", str(target / "django.mo"), str(PO_FILE)], check=True
    )
    return root


@pytest.fixture
def italian(settings, compiled_locale):  # type: ignore[no-untyped-def]
    # Changing LOCALE_PATHS makes Django drop its cached catalogues (setting_changed).
    settings.LOCALE_PATHS = [compiled_locale]
    with translation.override("it"):
        yield


@pytest.mark.parametrize(
    ("english", "italian_text"),
    [
        ("Log in", "Accedi"),
        ("Log out", "Esci"),
        ("Residents", "Abitanti"),
        ("Households", "Nuclei familiari"),
        ("Buildings", "Edifici"),
        ("Housing units", "Alloggi"),
        ("Stair", "Scala"),
        ("Codice fiscale", "Codice fiscale"),
        ("Audit log", "Registro delle operazioni"),
        ("Imports", "Importazioni"),
        ("Lead partner", "Capofila"),
        ("Legal basis", "Base giuridica"),
        ("Accessibility statement", "Dichiarazione di accessibilità"),
        ("Privacy notice", "Informativa privacy"),
        ("Skip to main content", "Vai al contenuto principale"),
        ("Neighbourhood social labs", "Laboratori sociali di quartiere"),
    ],
)
def test_key_strings_are_served_in_italian(italian, english, italian_text) -> None:
    assert translation.gettext(english) == italian_text


def test_plural_and_placeholders_in_italian(italian) -> None:
    one = translation.ngettext("%(n)s resident", "%(n)s residents", 1) % {"n": 1}
    many = translation.ngettext("%(n)s resident", "%(n)s residents", 3) % {"n": 3}
    assert (one, many) == ("1 abitante", "3 abitanti")
    assert translation.gettext("Page %(n)s of %(total)s") % {"n": 2, "total": 5} == (
        "Pagina 2 di 5"
    )


def test_english_stays_the_source_language(italian) -> None:
    with translation.override("en"):
        assert translation.gettext("Residents") == "Residents"


@pytest.mark.django_db
def test_public_page_renders_in_italian_by_default(italian, client) -> None:
    translation.deactivate()  # let LocaleMiddleware pick the default language
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="it")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Vai al contenuto principale" in body
    assert "Dichiarazione di accessibilità" in body
