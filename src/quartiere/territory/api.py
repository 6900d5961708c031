"""Staff API for buildings and units, scoped like the pages."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView

from quartiere.core.drf import ViewPermission
from quartiere.core.views import scoped_or_404
from quartiere.territory import selectors
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


@extend_schema(tags=["territory"])
class BuildingListApi(ListAPIView):
    serializer_class = BuildingOutput
    permission_classes = [ViewPermission]
    queryset = Building.objects.none()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.building_list(
            user=self.request.user,
            q=self.request.query_params.get("q", "")[:100],
            status=self.request.query_params.get("status", "")[:20],
        )


@extend_schema(tags=["territory"])
class BuildingDetailApi(RetrieveAPIView):
    serializer_class = BuildingOutput
    permission_classes = [ViewPermission]
    queryset = Building.objects.none()

    def get_object(self):  # type: ignore[no-untyped-def]
        pk = self.kwargs["pk"]
        obj = selectors.building_list(user=self.request.user).filter(pk=pk).first()
        return scoped_or_404(self.request, obj, model=Building, pk=pk)


@extend_schema(tags=["territory"])
class UnitListApi(ListAPIView):
    serializer_class = UnitOutput
    permission_classes = [ViewPermission]
    queryset = Unit.objects.none()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        building = self.request.query_params.get("building", "")
        status = self.request.query_params.get("status", "")[:20]
        return selectors.unit_list(
            user=self.request.user,
            building_id=int(building) if building.isdigit() else None,
            status=status,
        )


urlpatterns = [
    path("buildings/", BuildingListApi.as_view(), name="api_building_list"),
    path("buildings/<int:pk>/", BuildingDetailApi.as_view(), name="api_building_detail"),
    path("units/", UnitListApi.as_view(), name="api_unit_list"),
]
