"""The memoised layout fragments: reused per key, never shown to a user they do not fit."""

from __future__ import annotations

import pytest
from django.template import Context, Engine, Template

from quartiere.accounts.enums import Role
from quartiere.core.templatetags import memo

pytestmark = pytest.mark.django_db


def test_fragment_is_rendered_once_per_key(monkeypatch):
    loads: list[str] = []
    original = Engine.get_template

    def counting(self, name):  # type: ignore[no-untyped-def]
        loads.append(name)
        return original(self, name)

    monkeypatch.setattr(Engine, "get_template", counting)
    tpl = Template('{% load memo %}{% memoinclude "partials/_language_buttons.html" lang %}')
    italian = tpl.render(Context({"lang": "it", "LANGUAGE_CODE": "it"}))
    assert tpl.render(Context({"lang": "it", "LANGUAGE_CODE": "it"})) == italian
    assert loads == ["partials/_language_buttons.html"]
    english = tpl.render(Context({"lang": "en", "LANGUAGE_CODE": "en"}))
    assert english != italian
    assert len(loads) == 2


def test_menus_follow_language_and_permissions(make_user, lab, login):
    operator = make_user(Role.LAB_OPERATOR, lab)
    resident = make_user(Role.RESIDENT, lab)
    staff_page = login(operator).get("/backoffice/").content.decode()
    resident_page = login(resident).get("/backoffice/").content.decode()
    assert 'data-testid="nav-residents"' in staff_page
    assert 'data-testid="nav-residents"' not in resident_page
    client = login(operator)
    client.cookies["django_language"] = "en"
    english = client.get("/backoffice/").content.decode()
    client.cookies["django_language"] = "it"
    italian = client.get("/backoffice/").content.decode()
    assert "Residents" in english
    assert "Abitanti" in italian


def test_active_menu_item_follows_the_page(operator, login):
    client = login(operator)
    residents = client.get("/backoffice/residents/").content.decode()
    dashboard = client.get("/backoffice/").content.decode()
    assert 'class="nav-link active" href="/backoffice/residents/"' in residents
    assert 'class="nav-link active" href="/backoffice/residents/"' not in dashboard


def test_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(memo._memo, "max_entries", 3)
    tpl = Template('{% load memo %}{% memoinclude "partials/_head_assets.html" n %}')
    for n in range(10):
        tpl.render(Context({"n": n}))
    assert len(memo._memo) == 3


def test_memo_block_is_rendered_once_per_key():
    tpl = Template('{% load memo %}[{% memo "t" lang %}{{ lang }}:{{ other }}{% endmemo %}]')
    assert tpl.render(Context({"lang": "it", "other": "first"})) == "[it:first]"
    # A value outside the key is not read again: the stretch is reused as it was.
    assert tpl.render(Context({"lang": "it", "other": "second"})) == "[it:first]"
    assert tpl.render(Context({"lang": "en", "other": "second"})) == "[en:second]"


def test_memo_block_refuses_a_block_inside():
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError, match="block"):
        Template('{% load memo %}{% memo "x" %}{% block a %}{% endblock %}{% endmemo %}')
    with pytest.raises(TemplateSyntaxError, match="quoted name"):
        Template("{% load memo %}{% memo lang %}{% endmemo %}")


def test_layout_keeps_each_request_own_values(operator, login, client):
    """The memoised layout still writes each request's own path, CSRF token and nonce, and
    the logged-in header only to a logged-in user."""
    import re

    staff = login(operator)
    first = staff.get("/backoffice/residents/?q=ab").content.decode()
    second = staff.get("/backoffice/?x=1").content.decode()
    assert 'name="next" type="hidden" value="/backoffice/residents/?q=ab"' in first
    assert 'name="next" type="hidden" value="/backoffice/?x=1"' in second
    assert 'data-testid="security-link"' in first
    nonces = [re.search(r'<script nonce="([^"]+)"', page).group(1) for page in (first, second)]
    assert nonces[0] != nonces[1]
    logout = re.search(r'accounts/logout/" method="post" class="ms-2">\s*(<input[^>]+>)', first)
    assert logout
    assert "csrfmiddlewaretoken" in logout.group(1)
    public = client.get("/privacy/").content.decode()
    assert 'data-testid="security-link"' not in public
    assert "csrfmiddlewaretoken" not in public
    assert 'name="next" type="hidden" value="/privacy/"' in public
