"""Open data of the regeneration programmes (mounted at /opendata/): CSV, JSON, news feeds."""

from django.urls import path  # noqa: F401

app_name = "opendata"

urlpatterns: list = []
