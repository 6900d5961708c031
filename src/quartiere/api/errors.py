"""One error shape for the whole API: ``{"code", "message", "fields"}``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from quartiere.core.exceptions import ApplicationError


def _messages(errors: Any, where: str = "") -> list[str]:
    """A field's errors as the schema promises, a list of strings: the errors of a list's
    items or of a nested object are flattened, each prefixed with where it was found."""
    if isinstance(errors, dict):
        return [m for key, value in errors.items() for m in _messages(value, f"{where}{key}: ")]
    if isinstance(errors, list | tuple):
        return [m for value in errors for m in _messages(value, where)]
    return [f"{where}{errors}"]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(
            {"code": "invalid", "message": exc.message, "fields": exc.fields},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_handler(exc, context)
    if response is None:
        return None
    fields: dict[str, Any] = {}
    message = ""
    if isinstance(exc, exceptions.ValidationError) and isinstance(response.data, dict):
        fields = {name: _messages(errors) for name, errors in response.data.items()}
        message = "Invalid input."
    elif isinstance(response.data, dict) and "detail" in response.data:
        message = str(response.data["detail"])
    else:
        message = str(response.data)
    code = getattr(exc, "default_code", "error")
    response.data = {"code": code, "message": message, "fields": fields}
    return response
