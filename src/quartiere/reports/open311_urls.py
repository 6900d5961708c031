"""Open311 GeoReport v2 routes under ``/open311/v2/``; every resource ends in .json or .xml."""

from django.urls import path

from quartiere.reports import open311

app_name = "open311"

urlpatterns = [
    path("discovery.<str:fmt>", open311.discovery, name="discovery"),
    path("services.<str:fmt>", open311.service_list, name="service_list"),
    path("services/<str:code>.<str:fmt>", open311.service_detail, name="service_detail"),
    path("requests.<str:fmt>", open311.request_list, name="request_list"),
    path("requests/<str:code>.<str:fmt>", open311.request_detail, name="request_detail"),
    path("tokens/<str:token>.<str:fmt>", open311.token_detail, name="token_detail"),
]
