"""Report figures per lab and category, by month: tables and charts."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
