from django.urls import path

from quartiere.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path("reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("lab/", views.lab_switch, name="lab_switch"),
    path("2fa/", views.twofactor_setup, name="twofactor_setup"),
    path("2fa/verify/", views.twofactor_verify, name="twofactor_verify"),
]
