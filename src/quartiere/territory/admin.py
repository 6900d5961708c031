from django.contrib import admin

from quartiere.territory.models import Building, District, Entrance, Unit


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality"]
    search_fields = ["name", "municipality"]


class EntranceInline(admin.TabularInline):
    model = Entrance
    extra = 0


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["street", "number", "code", "district", "status", "has_lift"]
    list_filter = ["status", "district", "has_lift"]
    search_fields = ["street", "code"]
    inlines = [EntranceInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "building", "entrance", "floor", "rooms", "floor_area_m2", "status"]
    list_filter = ["status", "is_accessible"]
    search_fields = ["code", "building__street"]
    raw_id_fields = ["building", "entrance"]
