from django.urls import path

from quartiere.backoffice import views

app_name = "backoffice"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("residents/", views.resident_list, name="resident_list"),
    path("residents/new/", views.resident_create, name="resident_create"),
    path("residents/export/", views.resident_export, name="resident_export"),
    path("residents/<int:pk>/", views.resident_detail, name="resident_detail"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/sensitive/", views.resident_sensitive, name="resident_sensitive"),
    path("residents/<int:pk>/consents/", views.consent_create, name="consent_create"),
    path(
        "residents/<int:pk>/consents/<int:consent_pk>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/members/", views.household_member_add, name="household_member_add"),
    path(
        "households/<int:pk>/members/<int:resident_pk>/remove/",
        views.household_member_remove,
        name="household_member_remove",
    ),
    path("households/<int:pk>/tenancies/", views.tenancy_start, name="tenancy_start"),
    path(
        "households/<int:pk>/tenancies/<int:tenancy_pk>/end/",
        views.tenancy_end,
        name="tenancy_end",
    ),
    path("buildings/", views.building_list, name="building_list"),
    path("buildings/map/", views.building_map, name="building_map"),
    path("buildings/<int:pk>/", views.building_detail, name="building_detail"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/status/", views.unit_status, name="unit_status"),
    path("audit/", views.audit_log, name="audit"),
    path("imports/", views.import_upload, name="import"),
]
