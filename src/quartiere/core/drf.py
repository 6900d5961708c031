"""DRF helpers shared by the contexts' api modules."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import DjangoModelPermissions


class ViewPermission(DjangoModelPermissions):
    """Model capabilities for the API, with ``view_<model>`` required to read."""

    perms_map = {**DjangoModelPermissions.perms_map, "GET": ["%(app_label)s.view_%(model_name)s"]}

    def _queryset(self, view: Any) -> Any:
        # The class-level ``queryset`` names the model; building the scoped queryset (and
        # validating filters) only to read its model would do that work twice per request.
        return view.queryset if view.queryset is not None else super()._queryset(view)


class OptionalBoolean(serializers.BooleanField):
    """A yes/no query filter that may be left out (or empty); "null" and "none" are not booleans,
    as the schema says, so they are refused instead of read as "no filter"."""

    NULL_VALUES = {"", None}


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API."""

    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Document the error answers an operation can give, for the OpenAPI schema."""
    text = {
        400: "Invalid input (query or body).",
        401: "Not authenticated.",
        403: "Authenticated, but the role lacks the capability.",
        404: "No such object, or outside the user's labs.",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=text[code]) for code in codes}
