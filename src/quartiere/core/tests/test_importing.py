import datetime as dt
import io

import pytest
from openpyxl import Workbook

from quartiere.core.importing import FileFormatError, ImportReport, read_rows, require_columns


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_read_rows_parses_csv_with_line_numbers_when_comma_separated() -> None:
    data = b"First Name,Last Name\nMario , Rossi\nGiulia,Bianchi\n"

    rows = read_rows(data, "people.csv")

    assert rows == [
        (2, {"first_name": "Mario", "last_name": "Rossi"}),
        (3, {"first_name": "Giulia", "last_name": "Bianchi"}),
    ]


def test_read_rows_parses_csv_when_semicolon_separated() -> None:
    data = b"first_name;last_name;note\nMario;Rossi;a, b\n"

    rows = read_rows(data, "PEOPLE.CSV")

    assert rows == [(2, {"first_name": "Mario", "last_name": "Rossi", "note": "a, b"})]


def test_read_rows_skips_blank_lines_but_keeps_numbering_when_csv_has_gaps() -> None:
    data = b"a,b\n1,2\n,\n3,4\n"

    rows = read_rows(data, "x.csv")

    assert [line for line, _ in rows] == [2, 4]


def test_read_rows_fills_missing_cells_with_empty_text_when_row_is_short() -> None:
    rows = read_rows(b"a,b,c\n1\n", "x.csv")

    assert rows == [(2, {"a": "1", "b": "", "c": ""})]


def test_read_rows_strips_byte_order_mark_when_csv_saved_by_excel() -> None:
    rows = read_rows("\ufeffname\nNicolò\n".encode(), "x.csv")

    assert rows == [(2, {"name": "Nicolò"})]


def test_read_rows_raises_file_format_error_when_csv_is_not_utf8() -> None:
    with pytest.raises(FileFormatError):
        read_rows("name\nNicolò\n".encode("latin-1"), "x.csv")


def test_read_rows_raises_file_format_error_when_csv_is_empty() -> None:
    with pytest.raises(FileFormatError):
        read_rows(b"", "x.csv")


def test_read_rows_returns_text_for_dates_and_whole_numbers_when_xlsx() -> None:
    data = _xlsx(
        [
            ["Unit Code", "Floor", "Area", "Built"],
            ["U1", 3, 65.5, dt.datetime(1975, 6, 1)],  # noqa: DTZ001 - Excel cells are naive
            [None, None, None, None],
            ["U2", 2.0, 40, dt.date(1980, 1, 2)],
        ]
    )

    rows = read_rows(data, "units.xlsx")

    assert rows == [
        (2, {"unit_code": "U1", "floor": "3", "area": "65.5", "built": "1975-06-01"}),
        (4, {"unit_code": "U2", "floor": "2", "area": "40", "built": "1980-01-02"}),
    ]


def test_read_rows_raises_file_format_error_when_xlsx_is_corrupt() -> None:
    with pytest.raises(FileFormatError):
        read_rows(b"not a zip file", "units.xlsx")


@pytest.mark.parametrize("filename", ["units.pdf", "units", "units.xls"])
def test_read_rows_raises_file_format_error_when_type_is_unsupported(filename: str) -> None:
    with pytest.raises(FileFormatError):
        read_rows(b"a,b\n1,2\n", filename)


def test_require_columns_names_missing_columns_when_header_lacks_them() -> None:
    rows = [(2, {"first_name": "Mario"})]

    with pytest.raises(FileFormatError, match="codice_fiscale, last_name"):
        require_columns(rows, {"first_name", "last_name", "codice_fiscale"})


def test_require_columns_passes_when_all_columns_present() -> None:
    require_columns([(2, {"a": "1", "b": "2", "extra": ""})], {"a", "b"})


def test_require_columns_passes_when_there_are_no_rows() -> None:
    require_columns([], {"a"})


def test_import_report_is_ok_only_when_it_has_no_errors() -> None:
    assert ImportReport().ok
    assert not ImportReport(errors=[(2, "bad")]).ok
