from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from quartiere.accounts.models import Lab, Membership, Organisation, User


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["lab", "organisation"]


@admin.register(User)
class QuartiereUserAdmin(UserAdmin):
    inlines = [MembershipInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_accredited"]
    list_filter = ["kind", "is_accredited"]
    search_fields = ["name", "tax_code"]


@admin.register(Lab)
class LabAdmin(admin.ModelAdmin):
    list_display = ["name", "modality", "district", "status", "starts_on", "ends_on"]
    list_filter = ["modality", "status"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["partners"]
