"""Public portal pages of the activities context (marked public, no personal data)."""

from django.urls import path  # noqa: F401

app_name = "activities_public"

urlpatterns: list = []
