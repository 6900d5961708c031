"""Back-office pages of the programme context (mounted at /backoffice/programme/)."""

from django.urls import path  # noqa: F401

app_name = "programme"

urlpatterns: list = []
