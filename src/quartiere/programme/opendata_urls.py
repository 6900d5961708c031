"""Open data of the regeneration programmes (mounted at /opendata/): CSV, JSON, news feeds."""

from django.urls import path

from quartiere.programme import opendata

app_name = "opendata"

urlpatterns = [
    path("", opendata.index, name="index"),
    path("<slug:slug>/news.rss", opendata.news_rss, name="news_feed"),
    path("<slug:slug>/news.atom", opendata.news_atom, name="news_atom"),
    path("<slug:slug>/<slug:name>.<slug:fmt>", opendata.dataset, name="dataset"),
]
