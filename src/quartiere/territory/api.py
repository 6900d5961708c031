"""Staff API for buildings and units, scoped like the pages."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView

from quartiere.core.drf import ViewPermission, error_responses
from quartiere.core.views import scoped_or_404
from quartiere.territory import selectors
from quartiere.territory.enums import BuildingStatus, UnitStatus
from quartiere.territory.models import Building, Unit
from quartiere.territory.services import BUILDING_FIELDS


class BuildingOutput(serializers.ModelSerializer):
    unit_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Building
        fields = ["id", "district", *BUILDING_FIELDS, "unit_count"]


class UnitOutput(serializers.ModelSerializer):
    stair = serializers.CharField(source="entrance.name")

    class Meta:
        model = Unit
        fields = [
            "id",
            "building",
            "stair",
            "code",
            "floor",
            "rooms",
            "floor_area_m2",
            "is_accessible",
            "status",
        ]


@extend_schema(
    tags=["territory"],
    parameters=[
        OpenApiParameter("q", str, description="Street (part) or building code"),
        OpenApiParameter("status", str, enum=BuildingStatus.values, description="Building status"),
    ],
    responses={200: BuildingOutput(many=True), **error_responses(400, 401, 403, 404)},
)
class BuildingListApi(ListAPIView):
    serializer_class = BuildingOutput
    permission_classes = [ViewPermission]
    queryset = Building.objects.none()

    class FilterInput(serializers.Serializer):
        q = serializers.CharField(required=False, max_length=100, allow_blank=True)
        status = serializers.ChoiceField(choices=BuildingStatus.choices, required=False)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        filters = self.FilterInput(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.building_list(user=self.request.user, **filters.validated_data)


@extend_schema(
    tags=["territory"], responses={200: BuildingOutput, **error_responses(401, 403, 404)}
)
class BuildingDetailApi(RetrieveAPIView):
    serializer_class = BuildingOutput
    permission_classes = [ViewPermission]
    queryset = Building.objects.none()

    def get_object(self):  # type: ignore[no-untyped-def]
        pk = self.kwargs["pk"]
        obj = selectors.building_list(user=self.request.user).filter(pk=pk).first()
        return scoped_or_404(self.request, obj, model=Building, pk=pk)


@extend_schema(
    tags=["territory"],
    parameters=[
        OpenApiParameter("building", {"type": "integer", "minimum": 1}, description="Building id"),
        OpenApiParameter("status", str, enum=UnitStatus.values, description="Unit status"),
    ],
    responses={200: UnitOutput(many=True), **error_responses(400, 401, 403, 404)},
)
class UnitListApi(ListAPIView):
    serializer_class = UnitOutput
    permission_classes = [ViewPermission]
    queryset = Unit.objects.none()

    class FilterInput(serializers.Serializer):
        building = serializers.IntegerField(required=False, min_value=1)
        status = serializers.ChoiceField(choices=UnitStatus.choices, required=False)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        filters = self.FilterInput(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return selectors.unit_list(
            user=self.request.user, building_id=data.get("building"), status=data.get("status", "")
        )


urlpatterns = [
    path("buildings/", BuildingListApi.as_view(), name="api_building_list"),
    path("buildings/<int:pk>/", BuildingDetailApi.as_view(), name="api_building_detail"),
    path("units/", UnitListApi.as_view(), name="api_unit_list"),
]
