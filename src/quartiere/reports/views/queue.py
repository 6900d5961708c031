"""The lab's and the housing organisation's queues, a report's page and its workflow steps."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
