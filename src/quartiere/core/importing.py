"""Read CSV and XLSX files into rows of strings, with their line numbers. No Django here.

Each context validates the rows with its own rules; this module only turns files into
``(line_number, {column: value})`` pairs and normalises headers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO


class FileFormatError(Exception):
    """The file cannot be read as CSV or XLSX, or lacks required columns."""


@dataclass
class ImportReport:
    """What an import did or would do: counts and the line-level errors."""

    total: int = 0
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _norm(header: object) -> str:
    return str(header or "").strip().lower().replace(" ", "_")


def read_rows(data: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """Parse CSV (UTF-8, comma or semicolon) or XLSX bytes; line 1 is the header row."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        return list(_xlsx_rows(io.BytesIO(data)))
    if suffix in {".csv", ".txt"}:
        return list(_csv_rows(data))
    raise FileFormatError(f"Unsupported file type {suffix or '(none)'}: use .csv or .xlsx.")


def _csv_rows(data: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileFormatError("The CSV file is not UTF-8 encoded.") from exc
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [_norm(h) for h in next(reader)]
    except StopIteration as exc:
        raise FileFormatError("The file is empty.") from exc
    for index, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        yield (
            index,
            {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)},
        )


def _xlsx_rows(stream: BinaryIO) -> Iterator[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a non-XLSX file
        raise FileFormatError("The file is not a valid XLSX workbook.") from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header = [_norm(h) for h in next(rows)]
    except StopIteration as exc:
        raise FileFormatError("The file is empty.") from exc
    for index, values in enumerate(rows, start=2):
        cells = ["" if v is None else _cell(v) for v in values]
        if not any(c.strip() for c in cells):
            continue
        yield index, {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}


def _cell(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def require_columns(rows: list[tuple[int, dict[str, str]]], required: set[str]) -> None:
    """Raise FileFormatError naming the required columns missing from the header."""
    if not rows:
        return
    missing = sorted(required - set(rows[0][1]))
    if missing:
        raise FileFormatError("Missing columns: " + ", ".join(missing))
