from django.urls import path

from quartiere.reports import public_views

app_name = "reports_public"

urlpatterns = [
    path("traccia/<str:code>/", public_views.track, name="track"),
]
