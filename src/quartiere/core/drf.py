"""DRF helpers shared by the contexts' api modules."""

from __future__ import annotations

from decimal import Decimal
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


# --- Request bodies in JSON: a value of the wrong JSON type is refused ------------------------
# DRF's fields read "12" as an integer, 12 as a string and "yes" as a boolean, which suits form
# posts. The API takes JSON only, and its schema says which JSON type each field has: these
# fields keep to it, so a client learns of a wrong type at once instead of by a surprise later.


class _JsonTyped:
    """Refuse a value whose JSON type is not the one the schema gives (booleans are not
    numbers here, although Python's bool is an int)."""

    json_types: tuple[type, ...] = ()

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, self.json_types) or (
            isinstance(data, bool) and bool not in self.json_types
        ):
            self.fail("invalid")  # type: ignore[attr-defined]
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictCharField(_JsonTyped, serializers.CharField):
    json_types = (str,)
    default_error_messages = {"invalid": "Not a valid string."}


class StrictIntegerField(_JsonTyped, serializers.IntegerField):
    json_types = (int,)


class StrictBooleanField(_JsonTyped, serializers.BooleanField):
    json_types = (bool,)


class CoordinateField(_JsonTyped, serializers.FloatField):
    """A latitude or longitude in degrees, as a JSON number; kept to six decimals (about 0.1 m),
    which is what the database stores."""

    json_types = (int, float)

    def to_internal_value(self, data: Any) -> Decimal:
        value = super().to_internal_value(data)
        return Decimal(str(round(value, 6)))


# --- Schema ------------------------------------------------------------------------------------

NO_NUL = "^[^\\u0000]*$"


def _no_nul(schema: dict[str, Any]) -> None:
    if (
        schema.get("type") == "string"
        and not {"enum", "format", "pattern"} & schema.keys()
        and not schema.get("readOnly")
    ):
        schema["pattern"] = NO_NUL


def schema_text_without_nul(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """Say in the schema that text input cannot hold NUL characters (PostgreSQL cannot store
    them, so the API refuses them): a pattern on every free-text request field and query
    parameter."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            for prop in component.get("properties", {}).values():
                _no_nul(prop)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                _no_nul(parameter.get("schema", {}))
    return result


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
        409: "Well formed, but refused by the current state of the data (the reason is in "
        "``message`` and, for a field, in ``fields``); nothing was changed.",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=text[code]) for code in codes}
