import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from quartiere.accounts.enums import Role
from quartiere.accounts.middleware import SESSION_KEY
from quartiere.accounts.tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def _logged_in_user_id(client) -> str | None:  # type: ignore[no-untyped-def]
    return client.session.get("_auth_user_id")


def test_login_redirects_to_dashboard_when_password_is_right(client, operator) -> None:
    response = client.post(LOGIN, {"username": operator.username, "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:dashboard")
    assert _logged_in_user_id(client) == str(operator.pk)


def test_login_shows_form_again_when_password_is_wrong(client, operator) -> None:
    response = client.post(LOGIN, {"username": operator.username, "password": "wrong"})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert _logged_in_user_id(client) is None


def test_login_redirects_away_from_form_when_already_logged_in(login, operator) -> None:
    response = login(operator).get(LOGIN)

    assert response.status_code == 302


def test_login_ignores_next_when_it_points_to_another_site(client, operator) -> None:
    response = client.post(
        LOGIN,
        {
            "username": operator.username,
            "password": DEFAULT_PASSWORD,
            "next": "https://evil.example/",
        },
    )

    assert response["Location"] == reverse("backoffice:dashboard")


def test_login_locks_account_when_failures_reach_limit_even_for_right_password(
    client, operator
) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": operator.username, "password": "wrong"})

    response = client.post(LOGIN, {"username": operator.username, "password": DEFAULT_PASSWORD})

    assert response.status_code in {403, 429}
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert _logged_in_user_id(client) is None


def test_login_still_works_when_failures_stay_below_limit(client, operator) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(LOGIN, {"username": operator.username, "password": "wrong"})

    response = client.post(LOGIN, {"username": operator.username, "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert _logged_in_user_id(client) == str(operator.pk)


def test_login_lockout_is_per_user_when_another_user_failed(client, operator, coordinator) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": operator.username, "password": "wrong"})

    response = client.post(LOGIN, {"username": coordinator.username, "password": DEFAULT_PASSWORD})

    assert response.status_code == 302


def test_logout_ends_session_when_posted(login, operator) -> None:
    client = login(operator)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert _logged_in_user_id(client) is None


def test_password_reset_sends_link_that_sets_new_password_when_email_known(
    client, operator
) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": operator.email})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [operator.email]
    link = re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_password_url,
        {"new_password1": "Nuova-Password-Sicura-42", "new_password2": "Nuova-Password-Sicura-42"},
    )

    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    operator.refresh_from_db()
    assert operator.check_password("Nuova-Password-Sicura-42")
    assert not operator.check_password(DEFAULT_PASSWORD)


def test_password_reset_sends_nothing_when_email_unknown(client, operator) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert mail.outbox == []


def test_password_reset_link_is_refused_when_token_is_wrong(client, operator) -> None:
    url = reverse("accounts:password_reset_confirm", kwargs={"uidb64": "MQ", "token": "bad-token"})

    response = client.get(url)

    assert response.status_code == 200
    assert response.context["validlink"] is False


def test_lab_switch_changes_current_lab_when_lab_is_own(make_user, login, lab, other_lab) -> None:
    user = make_user(Role.LAB_OPERATOR, lab, other_lab)
    client = login(user)

    response = client.post(reverse("accounts:lab_switch"), {"lab": other_lab.pk, "next": "/x/"})

    assert response.status_code == 302
    assert response["Location"] == "/x/"
    assert client.session[SESSION_KEY] == other_lab.pk
    dashboard = client.get(reverse("backoffice:dashboard"))
    assert dashboard.context["current_lab"] == other_lab


def test_lab_switch_ignores_lab_when_not_own(login, operator, other_lab) -> None:
    client = login(operator)

    response = client.post(reverse("accounts:lab_switch"), {"lab": other_lab.pk})

    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_lab_switch_redirects_to_dashboard_when_next_is_another_site(login, operator, lab) -> None:
    response = login(operator).post(
        reverse("accounts:lab_switch"), {"lab": lab.pk, "next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("backoffice:dashboard")


def test_lab_switch_refuses_get_when_logged_in(login, operator) -> None:
    assert login(operator).get(reverse("accounts:lab_switch")).status_code == 405


def test_current_lab_falls_back_to_first_lab_when_session_names_foreign_lab(
    login, operator, lab, other_lab
) -> None:
    client = login(operator)
    session = client.session
    session[SESSION_KEY] = other_lab.pk
    session.save()

    response = client.get(reverse("backoffice:dashboard"))

    assert response.context["current_lab"] == lab
