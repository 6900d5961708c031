"""PDF documents (registers, statements) rendered from templates with WeasyPrint."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def pdf_response(
    request: HttpRequest, template: str, context: dict[str, Any], *, filename: str
) -> HttpResponse:
    """Render ``template`` to PDF; the document carries its own CSS (no external files)."""
    from weasyprint import HTML  # imported late: it loads Pango, which takes a moment

    html = render_to_string(template, context, request=request)
    pdf = HTML(string=html).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
