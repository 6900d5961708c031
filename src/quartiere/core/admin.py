from django.contrib import admin

from quartiere.core.models import AccessEvent, AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "target_type", "target_id", "lab_id"]
    list_filter = ["action", "target_type"]
    search_fields = ["action", "target_id"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(AccessEvent)
class AccessEventAdmin(AuditEventAdmin):
    list_display = ["at", "actor", "outcome", "target_type", "target_id", "purpose"]
    list_filter = ["outcome", "target_type"]
