"""Back-office pages of the programme context (mounted at /backoffice/programme/)."""

from django.urls import path

from quartiere.programme import views

app_name = "programme"

urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("<int:pk>/", views.programme_detail, name="programme_detail"),
    path("<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("<int:pk>/lines/new/", views.line_create, name="line_create"),
    path("sources/", views.source_list, name="source_list"),
    path("sources/<int:source_pk>/edit/", views.source_edit, name="source_edit"),
    path("<int:pk>/actions.<str:fmt>", views.action_export, name="action_export"),
    path("<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("<int:pk>/news/", views.news_list, name="news_list"),
    path("<int:pk>/news/new/", views.news_create, name="news_create"),
    path("<int:pk>/news/<int:news_pk>/edit/", views.news_edit, name="news_edit"),
    path("<int:pk>/news/<int:news_pk>/publish/", views.news_publish, name="news_publish"),
    path("<int:pk>/news/<int:news_pk>/delete/", views.news_delete, name="news_delete"),
    path("<int:pk>/documents/", views.document_list, name="document_list"),
    path("<int:pk>/documents/<int:document_pk>/", views.document_file, name="document_file"),
    path(
        "<int:pk>/documents/<int:document_pk>/delete/",
        views.document_delete,
        name="document_delete",
    ),
    path("<int:pk>/import/", views.import_upload, name="import"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("actions/<int:pk>/delete/", views.action_delete, name="action_delete"),
    path("actions/<int:pk>/history/", views.action_history, name="action_history"),
    path("actions/<int:pk>/milestones/new/", views.milestone_create, name="milestone_create"),
    path(
        "actions/<int:pk>/milestones/<int:milestone_pk>/edit/",
        views.milestone_edit,
        name="milestone_edit",
    ),
    path(
        "actions/<int:pk>/milestones/<int:milestone_pk>/delete/",
        views.milestone_delete,
        name="milestone_delete",
    ),
    path("actions/<int:pk>/allocations/new/", views.allocation_create, name="allocation_create"),
    path(
        "actions/<int:pk>/allocations/<int:allocation_pk>/edit/",
        views.allocation_edit,
        name="allocation_edit",
    ),
    path(
        "actions/<int:pk>/allocations/<int:allocation_pk>/delete/",
        views.allocation_delete,
        name="allocation_delete",
    ),
    path(
        "actions/<int:pk>/allocations/<int:allocation_pk>/payments/new/",
        views.payment_create,
        name="payment_create",
    ),
    path(
        "actions/<int:pk>/payments/<int:payment_pk>/delete/",
        views.payment_delete,
        name="payment_delete",
    ),
    path("actions/<int:pk>/photos/new/", views.photo_add, name="photo_add"),
    path("actions/<int:pk>/photos/<int:photo_pk>/", views.photo_file, name="photo_file"),
    path("actions/<int:pk>/photos/<int:photo_pk>/delete/", views.photo_delete, name="photo_delete"),
]
