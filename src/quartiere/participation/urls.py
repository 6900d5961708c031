"""Back-office pages of the participation context (mounted at /backoffice/participation/)."""

from django.urls import path  # noqa: F401

app_name = "participation"

urlpatterns: list = []
