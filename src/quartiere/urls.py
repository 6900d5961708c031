from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
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
    # Switching the language changes only a preference cookie of whoever clicks, and Django's
    # view checks that ``next`` stays on this site: without a CSRF token in the header's form,
    # public pages carry no token at all (no token minted per visit, no Set-Cookie, so they
    # can be cached as they are).
    path("i18n/setlang/", public(csrf_exempt(set_language)), name="set_language"),
    path("admin/", admin.site.urls),
]

handler404 = "quartiere.core.views.page_not_found"
handler500 = "quartiere.core.views.server_error"
handler403 = "quartiere.core.views.permission_denied"
