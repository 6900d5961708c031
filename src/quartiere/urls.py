from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from quartiere.core.views import public

admin.site.site_header = "Quartiere"
admin.site.site_title = "Quartiere"

urlpatterns = [
    path("", include("quartiere.portal.urls")),
    path("accounts/", include("quartiere.accounts.urls")),
    path("backoffice/", include("quartiere.backoffice.urls")),
    path("backoffice/reports/", include("quartiere.reports.urls")),
    path("backoffice/activities/", include("quartiere.activities.urls")),
    path("backoffice/participation/", include("quartiere.participation.urls")),
    path("backoffice/training/", include("quartiere.training.urls")),
    path("backoffice/relocation/", include("quartiere.relocation.urls")),
    path("backoffice/programme/", include("quartiere.programme.urls")),
    path("api/", include("quartiere.api.urls")),
    path("segnalazioni/", include("quartiere.reports.public_urls")),
    path("open311/v2/", include("quartiere.reports.open311_urls")),
    path("attivita/", include("quartiere.activities.public_urls")),
    path("partecipazione/", include("quartiere.participation.public_urls")),
    path("programma/", include("quartiere.programme.public_urls")),
    path("opendata/", include("quartiere.programme.opendata_urls")),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]

handler404 = "quartiere.core.views.page_not_found"
handler500 = "quartiere.core.views.server_error"
handler403 = "quartiere.core.views.permission_denied"
