"""Back-office pages of the relocation context (mounted at /backoffice/relocation/)."""

from django.urls import path  # noqa: F401

app_name = "relocation"

urlpatterns: list = []
