"""Back-office pages of the training context (mounted at /backoffice/training/)."""

from django.urls import path  # noqa: F401

app_name = "training"

urlpatterns: list = []
