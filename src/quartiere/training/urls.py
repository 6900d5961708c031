"""Back-office pages of the training context (mounted at /backoffice/training/)."""

from django.urls import include, path

from quartiere.training.views import enrolments, me, measures, registers

app_name = "training"

urlpatterns: list = [
    path("", measures.index, name="index"),
    # Measures and their rules
    path("measures/", measures.measure_list, name="measure_list"),
    path("measures/new/", measures.measure_create, name="measure_create"),
    path("measures/<int:pk>/", measures.measure_detail, name="measure_detail"),
    path("measures/<int:pk>/edit/", measures.measure_update, name="measure_update"),
    path("measures/<int:pk>/rules/new/", measures.rule_add, name="rule_add"),
    path("measures/<int:pk>/paths/new/", measures.path_create, name="path_create"),
    # Paths and sessions
    path("paths/", measures.path_list, name="path_list"),
    path("paths/<int:pk>/", measures.path_detail, name="path_detail"),
    path("paths/<int:pk>/edit/", measures.path_update, name="path_update"),
    path("paths/<int:pk>/sessions/generate/", measures.session_generate, name="session_generate"),
    path("sessions/<int:pk>/delete/", measures.session_delete, name="session_delete"),
    # Eligibility and enrolment
    path("paths/<int:pk>/enrol/", enrolments.path_enrol, name="path_enrol"),
    path(
        "paths/<int:pk>/enrol/<int:resident_pk>/",
        enrolments.eligibility_check_new,
        name="check_new",
    ),
    path("paths/<int:pk>/checks/<int:check_pk>/", enrolments.check_detail, name="check_detail"),
    path("enrolments/", enrolments.enrolment_list, name="enrolment_list"),
    path("enrolments/export/", enrolments.enrolment_export, name="enrolment_export"),
    path("enrolments/<int:pk>/", enrolments.enrolment_detail, name="enrolment_detail"),
    path(
        "enrolments/<int:pk>/statement.pdf",
        enrolments.enrolment_statement,
        name="enrolment_statement",
    ),
    path(
        "enrolments/<int:pk>/bank-details/",
        enrolments.enrolment_bank_details,
        name="enrolment_bank_details",
    ),
    path(
        "enrolments/<int:pk>/<slug:action>/",
        enrolments.enrolment_action,
        name="enrolment_action",
    ),
    # Attendance registers
    path("registers/", registers.register_list, name="register_list"),
    path("registers/export/", registers.register_export, name="register_export"),
    path("sessions/<int:pk>/register/", registers.register_open, name="register_open"),
    path("registers/<int:pk>/", registers.register_detail, name="register_detail"),
    path("registers/<int:pk>/validate/", registers.register_validate, name="register_validate"),
    path("registers/<int:pk>/return/", registers.register_return, name="register_return"),
    path("registers/<int:pk>/register.pdf", registers.register_pdf, name="register_pdf"),
    path("records/<int:pk>/correct/", registers.attendance_correct, name="attendance_correct"),
    # The resident's own page
    path("me/", me.my_training, name="my_training"),
    path("me/enrolments/<int:pk>/statement.pdf", me.my_statement, name="my_statement"),
    # Payment batches (the payments part of this context)
    path("payments/", include("quartiere.training.payment_urls")),
]
