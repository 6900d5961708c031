from django.urls import path

from quartiere.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("laboratori/", views.lab_list, name="labs"),
    path("laboratori/<slug:slug>/", views.lab_detail, name="lab_detail"),
    path("accessibilita/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
]
