from quartiere.reports.views import desk, figures, queue

app_name = "reports"

urlpatterns = [*queue.urlpatterns, *desk.urlpatterns, *figures.urlpatterns]
