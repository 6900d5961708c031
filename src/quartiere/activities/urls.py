"""Back-office pages of the activities context (mounted at /backoffice/activities/)."""

from django.urls import path

from quartiere.activities.views import activities, figures, registrations

app_name = "activities"

urlpatterns = [
    path("", activities.activity_list, name="activity_list"),
    path("export/", activities.activity_export, name="activity_export"),
    path("new/", activities.activity_create, name="activity_create"),
    path("figures/", figures.activity_figures, name="figures"),
    path("<int:pk>/", activities.activity_detail, name="activity_detail"),
    path("<int:pk>/edit/", activities.activity_edit, name="activity_edit"),
    path("<int:pk>/sessions/", activities.activity_schedule, name="activity_schedule"),
    path("<int:pk>/publish/", activities.activity_publish, name="activity_publish"),
    path("<int:pk>/cancel/", activities.activity_cancel, name="activity_cancel"),
    path("<int:pk>/registrations/", registrations.registration_list, name="registration_list"),
    path("<int:pk>/registrations/add/", registrations.registration_add, name="registration_add"),
    path(
        "registrations/<int:pk>/cancel/",
        registrations.registration_cancel,
        name="registration_cancel",
    ),
    path("sessions/<int:pk>/cancel/", activities.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/register/", registrations.session_register, name="session_register"),
    path("sessions/<int:pk>/mark/", registrations.session_mark, name="session_mark"),
    path("sessions/<int:pk>/walk-in/", registrations.session_walk_in, name="session_walk_in"),
    path("sessions/<int:pk>/sheet.pdf", registrations.session_sheet, name="session_sheet"),
]
