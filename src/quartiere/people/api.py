"""Staff API for residents: search and read, scoped to the user's labs. No sensitive data."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView

from quartiere.core.drf import ViewPermission, error_responses
from quartiere.core.views import scoped_or_404
from quartiere.people import selectors
from quartiere.people.enums import Gender, HouseholdRole, Language
from quartiere.people.models import Resident

FIELDS = (
    "id",
    "lab",
    "first_name",
    "last_name",
    "codice_fiscale",
    "birth_date",
    "gender",
    "citizenship",
    "preferred_language",
    "household",
    "household_role",
)
# The search reads the same fields as plain values: foreign keys by their column.
LIST_FIELDS = tuple(f"{f}_id" if f in {"lab", "household"} else f for f in FIELDS)


class ResidentOutput(serializers.ModelSerializer):
    class Meta:
        model = Resident
        fields = FIELDS


class ResidentListItem(serializers.Serializer):
    """A row of the search: the same fields as a resident, read as plain values (no model)."""

    id = serializers.IntegerField()
    lab = serializers.IntegerField(source="lab_id")
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    codice_fiscale = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    gender = serializers.ChoiceField(choices=Gender.choices, allow_blank=True)
    citizenship = serializers.CharField()
    preferred_language = serializers.ChoiceField(choices=Language.choices)
    household = serializers.IntegerField(source="household_id", allow_null=True)
    household_role = serializers.ChoiceField(choices=HouseholdRole.choices, allow_blank=True)


@extend_schema(
    tags=["people"],
    parameters=[
        OpenApiParameter("q", str, description="Name prefix (either order) or codice fiscale"),
    ],
    responses={200: ResidentListItem(many=True), **error_responses(400, 401, 403, 404)},
)
class ResidentListApi(ListAPIView):
    serializer_class = ResidentListItem
    permission_classes = [ViewPermission]
    queryset = Resident.objects.none()

    class FilterInput(serializers.Serializer):
        q = serializers.CharField(required=False, max_length=100, allow_blank=True)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        filters = self.FilterInput(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.resident_list(
            user=self.request.user, q=filters.validated_data.get("q", ""), with_address=False
        ).values(*LIST_FIELDS)


@extend_schema(tags=["people"], responses={200: ResidentOutput, **error_responses(401, 403, 404)})
class ResidentDetailApi(RetrieveAPIView):
    serializer_class = ResidentOutput
    permission_classes = [ViewPermission]
    queryset = Resident.objects.none()

    def get_object(self):  # type: ignore[no-untyped-def]
        pk = self.kwargs["pk"]
        obj = selectors.resident_get(user=self.request.user, pk=pk)
        return scoped_or_404(self.request, obj, model=Resident, pk=pk)


urlpatterns = [
    path("residents/", ResidentListApi.as_view(), name="api_resident_list"),
    path("residents/<int:pk>/", ResidentDetailApi.as_view(), name="api_resident_detail"),
]
