"""Back-office pages of payment batches (included by training/urls.py under payments/)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
