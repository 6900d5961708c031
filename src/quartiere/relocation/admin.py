"""Admin for relocation: read-only views of plans and their rows.

Every change goes through the staff pages, which call the services (audited): the admin lets
superusers look, never write, so no workflow step or rule change escapes the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from quartiere.relocation.models import (
    AreaRule,
    EligibilityRule,
    Move,
    Offer,
    PlanVersion,
    PoolUnit,
    RelocationNeed,
    RelocationPhase,
    RelocationPlan,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AreaRuleInline(admin.TabularInline):
    model = AreaRule
    extra = 0
    can_delete = False
    readonly_fields = ("household_size", "min_area_m2", "max_area_m2")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EligibilityRuleInline(admin.TabularInline):
    model = EligibilityRule
    extra = 0
    can_delete = False
    readonly_fields = ("situation", "move_kind", "is_allowed")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RelocationPlan)
class RelocationPlanAdmin(ReadOnlyAdmin):
    list_display = ("name", "lab", "status", "refusals_allowed", "accessibility_rule")
    list_filter = ("status", "lab")
    search_fields = ("name",)
    inlines = (AreaRuleInline, EligibilityRuleInline)


@admin.register(RelocationPhase)
class RelocationPhaseAdmin(ReadOnlyAdmin):
    list_display = ("name", "plan", "vacate_by")
    list_select_related = ("plan",)


@admin.register(PoolUnit)
class PoolUnitAdmin(ReadOnlyAdmin):
    list_display = ("unit", "plan", "available_from", "move_kind", "source", "is_active")
    list_filter = ("move_kind", "source", "is_active")
    list_select_related = ("unit", "plan")
    raw_id_fields = ("unit",)


@admin.register(RelocationNeed)
class RelocationNeedAdmin(ReadOnlyAdmin):
    list_display = ("household", "plan", "status", "member_count", "situation", "is_flagged")
    list_filter = ("status", "situation", "is_flagged")
    list_select_related = ("household", "plan")
    exclude = ("meeting_note",)  # the meeting note is for the lab's own staff only
    raw_id_fields = ("household", "origin_unit", "preferred_unit_1", "preferred_unit_2")


@admin.register(PlanVersion)
class PlanVersionAdmin(ReadOnlyAdmin):
    list_display = ("plan", "number", "matched_count", "need_count", "objective", "is_optimal")
    list_select_related = ("plan",)


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ("need", "unit", "move_kind", "status", "created_at")
    list_filter = ("status", "move_kind")
    list_select_related = ("need__household", "unit")
    raw_id_fields = ("need", "unit", "match")


@admin.register(Move)
class MoveAdmin(ReadOnlyAdmin):
    list_display = ("need", "from_unit", "to_unit", "kind", "moved_on", "cost_amount", "payer")
    list_select_related = ("need__household", "from_unit", "to_unit", "payer")
    raw_id_fields = ("need", "offer", "from_unit", "to_unit")
