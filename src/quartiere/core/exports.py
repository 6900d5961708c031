"""Tabular exports (CSV and XLSX) as HTTP responses, shared by every context's lists."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook

FORMATS = ("csv", "xlsx")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value
    return value


def export_response(
    *, filename: str, fmt: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse | StreamingHttpResponse:
    """Answer with ``rows`` as a CSV stream (UTF-8 with BOM, for Excel) or an XLSX workbook."""
    response: HttpResponse | StreamingHttpResponse
    if fmt == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(list(header))
        for row in rows:
            sheet.append([_plain(v) for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        writer = csv.writer(_Echo())

        def lines() -> Iterable[str]:
            yield "\ufeff" + writer.writerow(header)
            for row in rows:
                yield writer.writerow([_plain(v) for v in row])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
