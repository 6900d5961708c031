"""Admin views of the training context: read-mostly; writes go through the pages' services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from quartiere.training.models import (
    AccreditedOperator,
    AllowanceRule,
    AttendanceCorrection,
    AttendanceRegister,
    EligibilityCheck,
    Enrolment,
    Measure,
    TrainingPath,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows whose changes must be audited: shown here, changed only in the back office."""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdmin):
    list_display = ["name", "lab", "allowance_budget", "is_active"]
    list_filter = ["lab"]


@admin.register(AllowanceRule)
class AllowanceRuleAdmin(ReadOnlyAdmin):
    list_display = ["measure", "valid_from", "valid_to", "hourly_rate", "month_cap", "person_cap"]


@admin.register(AccreditedOperator)
class AccreditedOperatorAdmin(admin.ModelAdmin):
    """Staff and responsibles of an operator are managed here (no page for them yet)."""

    list_display = ["organisation", "lab"]
    filter_horizontal = ["staff", "responsibles"]
    readonly_fields = ["organisation", "lab"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(TrainingPath)
class TrainingPathAdmin(ReadOnlyAdmin):
    list_display = ["title", "measure", "operator", "starts_on", "ends_on", "status"]
    list_filter = ["status", "lab"]


@admin.register(EligibilityCheck)
class EligibilityCheckAdmin(ReadOnlyAdmin):
    list_display = ["resident", "measure", "checked_on", "passed"]
    list_filter = ["passed"]
    exclude = ["results"]


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ["resident", "path", "status", "enrolled_on", "iban_masked"]
    list_filter = ["status", "lab"]
    exclude = ["iban"]


@admin.register(AttendanceRegister)
class AttendanceRegisterAdmin(ReadOnlyAdmin):
    list_display = ["session", "status", "validated_by", "validated_at"]
    list_filter = ["status", "lab"]


@admin.register(AttendanceCorrection)
class AttendanceCorrectionAdmin(ReadOnlyAdmin):
    list_display = ["record", "previous_hours", "hours_present", "created_by", "created_at"]
