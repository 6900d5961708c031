"""Back-office pages of the training context (mounted at /backoffice/training/)."""

from django.urls import include, path

app_name = "training"

urlpatterns: list = [
    path("payments/", include("quartiere.training.payment_urls")),
]
