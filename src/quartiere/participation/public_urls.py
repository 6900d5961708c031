"""Public portal pages of the participation context (marked public, no personal data)."""

from django.urls import path

from quartiere.participation import public_views

app_name = "participation_public"

urlpatterns = [
    path("", public_views.process_list, name="process_list"),
    path("foto/<int:pk>/", public_views.photo, name="photo"),
    path("<slug:slug>/", public_views.process_detail, name="process_detail"),
    path("<slug:slug>/proposte/nuova/", public_views.proposal_create, name="proposal_create"),
    path("<slug:slug>/proposte/<int:pk>/", public_views.proposal_detail, name="proposal_detail"),
    path("<slug:slug>/proposte/<int:pk>/sostegno/", public_views.support, name="support"),
    path("<slug:slug>/proposte/<int:pk>/commenti/", public_views.comment, name="comment"),
]
