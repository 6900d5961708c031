"""Back-office pages of the relocation context (mounted at /backoffice/relocation/)."""

from quartiere.relocation.views import needs, offers, plans, versions

app_name = "relocation"

urlpatterns = [
    *plans.urlpatterns,
    *needs.urlpatterns,
    *versions.urlpatterns,
    *offers.urlpatterns,
]
