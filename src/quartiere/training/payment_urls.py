"""Back-office pages of payment batches (included by training/urls.py under payments/)."""

from django.urls import path

from quartiere.training.views import payments as views

urlpatterns = [
    path("", views.payment_batch_list, name="payment_batch_list"),
    path("new/", views.payment_batch_create, name="payment_batch_create"),
    path("<int:pk>/", views.payment_batch_detail, name="payment_batch_detail"),
    path("<int:pk>/build/", views.payment_batch_build, name="payment_batch_build"),
    path("<int:pk>/approve/", views.payment_batch_approve, name="payment_batch_approve"),
    path("<int:pk>/export/", views.payment_batch_export, name="payment_batch_export"),
    path("<int:pk>/sepa.xml", views.payment_batch_download, name="payment_batch_download"),
    path(
        "<int:pk>/outcome/", views.payment_batch_outcome_import, name="payment_batch_outcome_import"
    ),
    path(
        "<int:pk>/lines/<int:line_pk>/outcome/",
        views.payment_line_outcome,
        name="payment_line_outcome",
    ),
    path("<int:pk>/mark-paid/", views.payment_batch_mark_paid, name="payment_batch_mark_paid"),
    path("<int:pk>/cancel/", views.payment_batch_cancel, name="payment_batch_cancel"),
    path("<int:pk>/lines/", views.payment_batch_lines_export, name="payment_batch_lines_export"),
    path("accounts/<int:measure_pk>/", views.payment_account_edit, name="payment_account_edit"),
]
