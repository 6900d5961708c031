"""Admin for reports: categories with their questions, reports read-only, Open311 keys.

Every write goes through the services (audited): saving a category or its questions calls
``category_create``/``category_update``/``category_attribute_save``, and revoking a key calls
``open311_key_revoke``. Reports change status only through the staff pages and the API.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from quartiere.core.exceptions import ApplicationError
from quartiere.reports import selectors, services
from quartiere.reports.models import (
    Category,
    CategoryAttribute,
    Open311Intake,
    Open311Key,
    Report,
    ReportStatusChange,
)

ATTRIBUTE_FIELDS = (
    "code",
    "datatype",
    "is_required",
    "description_it",
    "description_en",
    "values",
    "order",
)


class CategoryAttributeInline(admin.TabularInline):
    model = CategoryAttribute
    extra = 0
    fields = ATTRIBUTE_FIELDS


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_it",
        "lab",
        "responsible_organisation",
        "acknowledge_days",
        "resolve_days",
        "is_public",
        "is_active",
    ]
    list_filter = ["is_public", "is_active", "lab"]
    list_select_related = ["lab", "responsible_organisation"]
    search_fields = ["code", "name_it", "name_en"]
    autocomplete_fields = ["lab", "responsible_organisation"]
    inlines = [CategoryAttributeInline]

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in services.CATEGORY_FIELDS}
        if change:
            current = selectors.category_get(user=request.user, pk=obj.pk) or obj
            services.category_update(actor=request.user, category=current, **fields)
            return
        saved = services.category_create(actor=request.user, lab=form.cleaned_data["lab"], **fields)
        # The inlines are bound to ``obj``: give it the saved row's identity.
        obj.pk = saved.pk
        obj.created_at, obj.updated_at = saved.created_at, saved.updated_at
        obj._state.adding = False
        obj._state.db = saved._state.db

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not CategoryAttribute:
            super().save_formset(request, form, formset, change)
            return
        category = form.instance
        # The admin's history message reads these lists.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        try:
            for sub in formset.deleted_forms:
                if sub.instance.pk:
                    services.category_attribute_delete(actor=request.user, attribute=sub.instance)
                    formset.deleted_objects.append(sub.instance)
            for sub in formset.forms:
                if sub in formset.deleted_forms or not sub.has_changed():
                    continue
                existing = sub.instance if sub.instance.pk else None
                saved = services.category_attribute_save(
                    actor=request.user,
                    category=category,
                    attribute=existing,
                    **{name: sub.cleaned_data[name] for name in ATTRIBUTE_FIELDS},
                )
                if existing is None:
                    formset.new_objects.append(saved)
                else:
                    formset.changed_objects.append((saved, sub.changed_data))
        except ApplicationError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)


class StatusChangeInline(admin.TabularInline):
    model = ReportStatusChange
    extra = 0
    fields = readonly_fields = ("at", "from_status", "to_status", "actor", "note")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Reports to look at; status changes go through the staff pages and the API."""

    list_display = [
        "tracking_code",
        "lab",
        "category",
        "status",
        "channel",
        "submitted_at",
        "resolve_due_on",
    ]
    list_filter = ["status", "channel", "lab"]
    list_select_related = ["lab", "category"]
    search_fields = ["=tracking_code"]
    show_full_result_count = False  # a million rows: no second COUNT(*) per page
    inlines = [StatusChangeInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Report._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    """Keys are created with ``quartiere open311-key create`` (the key is shown only there)."""

    list_display = ["name", "prefix", "lab", "is_active", "last_used_at", "created_at"]
    list_filter = ["is_active", "lab"]
    list_select_related = ["lab"]
    search_fields = ["name", "prefix"]
    fields = readonly_fields = ("name", "prefix", "lab", "is_active", "last_used_at", "created_at")
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The list (and its revoke action) needs the capability; a key's page is read-only.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Open311Key]) -> None:
        count = 0
        for key in queryset.filter(is_active=True):
            services.open311_key_revoke(key=key, actor=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d key revoked.", "%(count)d keys revoked.", count) % {"count": count},
            level=messages.SUCCESS,
        )


@admin.register(Open311Intake)
class Open311IntakeAdmin(admin.ModelAdmin):
    """Open311 requests accepted by POST: waiting for the worker, made into a report, or refused
    by it (with the reason). Read-only: the worker alone writes these rows."""

    list_display = ["token", "category", "key", "received_at", "processed_at", "report", "error"]
    list_filter = [("processed_at", admin.EmptyFieldListFilter), "key"]
    list_select_related = ["category", "key", "report"]
    search_fields = ["token", "report__tracking_code"]
    fields = readonly_fields = (
        "token",
        "key",
        "category",
        "received_at",
        "processed_at",
        "report",
        "error",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
