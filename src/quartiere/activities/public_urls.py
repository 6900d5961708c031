"""Public portal pages of the activities context (marked public, no personal data)."""

from django.urls import path

from quartiere.activities import public_views

app_name = "activities_public"

urlpatterns = [
    path("", public_views.calendar_list, name="calendar"),
    path("mese/<int:year>/<int:month>/", public_views.calendar_month, name="calendar_month"),
    path("<int:pk>-<slug:slug>/", public_views.activity_detail, name="activity_detail"),
    path("<int:pk>/calendario.ics", public_views.activity_ics, name="activity_ics"),
    path("<int:pk>/iscrizione/", public_views.activity_register, name="activity_register"),
    path("<int:pk>/annulla/", public_views.activity_unregister, name="activity_unregister"),
    path("<slug:lab_slug>.ics", public_views.lab_ics, name="lab_ics"),
]
