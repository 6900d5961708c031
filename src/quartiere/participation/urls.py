"""Back-office pages of the participation context (mounted at /backoffice/participation/)."""

from quartiere.participation import views

app_name = "participation"

urlpatterns = views.urlpatterns
