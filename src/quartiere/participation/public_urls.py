"""Public portal pages of the participation context (marked public, no personal data)."""

from django.urls import path  # noqa: F401

app_name = "participation_public"

urlpatterns: list = []
