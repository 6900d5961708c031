"""Back-office pages of the activities context (mounted at /backoffice/activities/)."""

from django.urls import path  # noqa: F401

app_name = "activities"

urlpatterns: list = []
