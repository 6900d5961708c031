from django.contrib import admin

from quartiere.monitoring.models import Participation


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    list_display = ("operation_key", "kind", "lab", "entered_on", "exited_on", "contact_count")
    list_filter = ("kind", "lab")
    search_fields = ("operation_key", "operation_label")
    raw_id_fields = ("participant",)

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # written only by the feature contexts' services

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
