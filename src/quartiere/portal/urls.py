from django.urls import path

from quartiere.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("cerca/", views.search, name="search"),
    path("laboratori/", views.lab_list, name="labs"),
    path("laboratori/<slug:slug>/", views.lab_detail, name="lab_detail"),
    path("laboratori/<slug:slug>/notizie/", views.lab_news_list, name="lab_news_list"),
    path(
        "laboratori/<slug:slug>/notizie/<slug:news_slug>/",
        views.lab_news_detail,
        name="lab_news_detail",
    ),
    path("accessibilita/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
]
