"""Staff pages for reports, one module per area; each module exports its ``urlpatterns``."""
