from django.urls import path

from quartiere.reports import public_views

app_name = "reports_public"

urlpatterns = [
    path("", public_views.report_list, name="list"),
    path("mappa/", public_views.report_map, name="map"),
    path("nuova/", public_views.create, name="create"),
    path("inviata/", public_views.submitted, name="submitted"),
    path("traccia/", public_views.track_lookup, name="track_lookup"),
    path("traccia/<str:code>/", public_views.track, name="track"),
    path("traccia/<str:code>/riapri/", public_views.reopen, name="reopen"),
]
