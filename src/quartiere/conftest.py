"""Fixtures shared by every context's tests: labs, users holding a role, logged-in clients.

Users get their roles through ``accounts.services.membership_grant`` (the real service, which
also adds the role's group), and each fixture returns a freshly loaded user so no permission
or scope cache from the set-up leaks into the test.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from quartiere.accounts.enums import REGION_WIDE_ROLES, Role
from quartiere.accounts.models import Lab, User
from quartiere.accounts.services import membership_grant
from quartiere.accounts.tests.factories import LabFactory, UserFactory
from quartiere.core.lru import rendered_clear
from quartiere.programme.public_views import page_memo_clear

# Property tests check behaviour, not speed (speed belongs in `make bench`): no per-example
# deadline, which a loaded CI machine would turn into failures that say nothing.
hypothesis_settings.register_profile("quartiere", deadline=None)
hypothesis_settings.load_profile("quartiere")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    """Hash test passwords with a cheap hasher (production keeps Django's default)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():  # type: ignore[no-untyped-def]
    cache.clear()
    rendered_clear()  # the layout's fragments, page shells, filter bars (core.lru)
    page_memo_clear()
    yield
    cache.clear()
    page_memo_clear()
    # A request leaves its language active in the thread (LocaleMiddleware activates it and
    # nothing deactivates it): the next test starts in the default language again.
    translation.deactivate()


@pytest.fixture
def lab(db) -> Lab:  # type: ignore[no-untyped-def]
    """Lab A, in its own district."""
    return LabFactory(name="Laboratorio A", slug="lab-a")


@pytest.fixture
def other_lab(db) -> Lab:  # type: ignore[no-untyped-def]
    """Lab B, in another district: nothing of it may show to lab A's staff."""
    return LabFactory(name="Laboratorio B", slug="lab-b")


MakeUser = Callable[..., User]


@pytest.fixture
def make_user(db) -> MakeUser:  # type: ignore[no-untyped-def]
    """Return ``make(role=None, *labs, **user_fields)``: a user holding ``role`` in ``labs``."""

    def make(role: str | None = None, *labs: Lab, **fields: object) -> User:
        user = UserFactory(**fields)
        if role in REGION_WIDE_ROLES:
            membership_grant(actor=None, user=user, role=role)
        elif role is not None:
            for one in labs:
                membership_grant(actor=None, user=user, role=role, lab=one)
        return User.objects.get(pk=user.pk)

    return make


@pytest.fixture
def operator(make_user, lab) -> User:  # type: ignore[no-untyped-def]
    return make_user(Role.LAB_OPERATOR, lab, username="operator_a")


@pytest.fixture
def coordinator(make_user, lab) -> User:  # type: ignore[no-untyped-def]
    return make_user(Role.LAB_COORDINATOR, lab, username="coordinator_a")


@pytest.fixture
def housing_staff(make_user, lab) -> User:  # type: ignore[no-untyped-def]
    return make_user(Role.HOUSING_STAFF, lab, username="housing_a")


@pytest.fixture
def region_official(make_user) -> User:  # type: ignore[no-untyped-def]
    return make_user(Role.REGION_OFFICIAL, username="region")


@pytest.fixture
def other_operator(make_user, other_lab) -> User:  # type: ignore[no-untyped-def]
    return make_user(Role.LAB_OPERATOR, other_lab, username="operator_b")


@pytest.fixture
def login() -> Callable[[User], Client]:
    """Return ``login(user)``: a new test client with ``user`` logged in."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user, backend="quartiere.accounts.backends.CachedModelBackend")
        return client

    return make
