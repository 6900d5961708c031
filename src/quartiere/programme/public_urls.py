"""Public portal pages of the programme context (marked public, no personal data)."""

from django.urls import path  # noqa: F401

app_name = "programme_public"

urlpatterns: list = []
