"""The project's URLs plus one view that fails, to exercise the 500 handler."""

from django.urls import include, path


def failing_view(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("boom")


urlpatterns = [
    path("failing/", failing_view),
    path("", include("quartiere.urls")),
]

handler404 = "quartiere.core.views.page_not_found"
handler500 = "quartiere.core.views.server_error"
handler403 = "quartiere.core.views.permission_denied"
