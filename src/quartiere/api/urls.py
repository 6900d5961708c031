from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from quartiere.core.views import public

urlpatterns = [
    path("schema/", public(SpectacularAPIView.as_view()), name="api_schema"),
    path(
        "docs/", public(SpectacularSwaggerSplitView.as_view(url_name="api_schema")), name="api_docs"
    ),
    path("v1/territory/", include("quartiere.territory.api")),
    path("v1/people/", include("quartiere.people.api")),
    path("v1/reports/", include("quartiere.reports.api")),
]
