"""Every route not marked ``@public`` refuses anonymous users (STYLE.md section 5).

The test walks the whole URL resolver, so a route added later is checked without editing it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

pytestmark = pytest.mark.django_db

REFUSED = {302, 401, 403, 404}
PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")
# Sub-trees that hold staff pages and data: nothing under them may be public.
PRIVATE_PREFIXES = ("backoffice/", "api/v1/")


def _concrete(route: str) -> str:
    """Turn a route into a URL: 1 for int parameters, 'x' for str, slug and the rest."""

    def value(match: re.Match[str]) -> str:
        return "1" if match.group("converter") == "int" else "x"

    url = PARAM.sub(value, route)
    url = REGEX_GROUP.sub("1", url)
    return "/" + url.replace("^", "").replace("$", "").replace("\\", "")


def _walk(patterns: list, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:  # type: ignore[type-arg]
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def _is_public(callback: object) -> bool:
    view_class = getattr(callback, "view_class", None)
    return bool(
        getattr(callback, "quartiere_public", False)
        or getattr(view_class, "quartiere_public", False)
    )


ROUTES = [(route, p) for route, p in _walk(get_resolver().url_patterns)]
APP_ROUTES = [(route, p) for route, p in ROUTES if not route.startswith("admin/")]
PRIVATE = [(r, p) for r, p in APP_ROUTES if not _is_public(p.callback)]
PUBLIC = [(r, p) for r, p in APP_ROUTES if _is_public(p.callback)]


def _login_url() -> str:
    return reverse(settings.LOGIN_URL)


def test_resolver_walk_finds_known_routes_when_walking_project_urls() -> None:
    names = {p.name for _, p in APP_ROUTES}

    assert len(PRIVATE) >= 25
    assert {"resident_list", "resident_sensitive", "audit", "api_resident_detail"} <= names
    assert {"home", "login", "api_schema"} <= {p.name for _, p in PUBLIC}


@pytest.mark.parametrize(("route", "pattern"), PRIVATE, ids=[r or "/" for r, _ in PRIVATE])
def test_route_refuses_anonymous_user_when_view_is_not_public(
    route: str, pattern: URLPattern
) -> None:
    url = _concrete(route)
    assert resolve(url).func is pattern.callback, f"{url} does not reach {pattern.name}"
    client = Client()

    response = client.get(url)
    if response.status_code == 405:  # a POST-only view: try the method it accepts
        response = client.post(url, {})

    assert response.status_code in REFUSED, f"{url} answered {response.status_code}"
    if response.status_code == 302:
        assert response["Location"].startswith(_login_url()), response["Location"]


@pytest.mark.parametrize(("route", "pattern"), PUBLIC, ids=[r or "/" for r, _ in PUBLIC])
def test_public_route_answers_without_error_when_user_is_anonymous(
    route: str, pattern: URLPattern
) -> None:
    response = Client().get(_concrete(route))

    assert response.status_code < 500


def test_route_is_not_public_when_under_backoffice_or_api() -> None:
    leaked = [route for route, _ in PUBLIC if route.startswith(PRIVATE_PREFIXES)]

    assert leaked == []


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/user/1/change/",
        "/admin/core/auditevent/",
        "/admin/territory/building/",
        "/admin/people/resident/",
    ],
)
def test_admin_redirects_to_admin_login_when_user_is_anonymous(url: str) -> None:
    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_admin_redirects_to_admin_login_when_user_lacks_staff_flag(login, coordinator) -> None:
    response = login(coordinator).get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
