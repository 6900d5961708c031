"""Public portal pages of the programme context (marked public, no personal data)."""

from django.urls import path

from quartiere.programme import public_views as views

app_name = "programme_public"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("<slug:slug>/", views.programme_detail, name="detail"),
    path("<slug:slug>/azioni/<str:ref>/", views.action_detail, name="action_detail"),
    path(
        "<slug:slug>/azioni/<str:ref>/foto/<int:pk>/",
        views.photo_file,
        name="photo_file",
    ),
    path("<slug:slug>/notizie/", views.news_list, name="news_list"),
    path("<slug:slug>/notizie/<slug:news_slug>/", views.news_detail, name="news_detail"),
    path("<slug:slug>/documenti/", views.document_list, name="document_list"),
    path("<slug:slug>/documenti/<int:pk>/", views.document_file, name="document_file"),
    path("<slug:slug>/presentazione/", views.presentation_slides, name="presentation"),
    path("<slug:slug>/presentazione.pdf", views.presentation_pdf, name="presentation_pdf"),
]
