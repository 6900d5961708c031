"""core.shell: a page written from its shell is what ``render`` writes, byte for byte."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import add_message, get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.shortcuts import render
from django.test import RequestFactory
from django.utils.safestring import mark_safe

from quartiere.core import shell

PAGE = """{% load memo %}<p nonce="{{ request.csp_nonce }}">{{ title }}</p>
<a href="{{ request.get_full_path }}">{{ link }}</a>
{% if rows %}<ul>{{ rows }}</ul>{% else %}<p>none</p>{% endif %}
{% if wide %}<div class="wide">{% endif %}{{ count }}{% if wide %}</div>{% endif %}"""


@pytest.fixture
def templates(settings, tmp_path):
    (tmp_path / "page.html").write_text(PAGE)
    (tmp_path / "filtered.html").write_text("<h1>{{ title|upper }}</h1>{{ rows }}")
    (tmp_path / "memo.html").write_text(
        '{% load memo %}{% memo "t" %}<b>{{ title }}</b>{% endmemo %}'
    )
    (tmp_path / "user.html").write_text("{{ user.get_username }}: {{ title }}")
    (tmp_path / "messages.html").write_text(
        "{% for m in messages %}<i>{{ m }}</i>{% endfor %}{{ title }}"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    shell.clear()
    yield tmp_path
    shell.clear()


def _request(path: str = "/attivita/?lab=a&kind=b", nonce: str = "n0nce", user=None):
    request = RequestFactory().get(path)
    # As a browser that has a session: the log-in and the messages are then read.
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "session"
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.csp_nonce = nonce
    return request


def _full(request, name, context) -> str:
    return render(request, name, context).content.decode()


CONTEXT = {
    "title": "Attività <di> quartiere & co.",
    "link": "x",
    "rows": mark_safe("<li>uno</li><li>due</li>"),
    "count": "3 incontri",
    "wide": True,
}
SLOTS = ("title", "link", "rows", "count")


def test_a_page_from_its_shell_is_what_render_writes(templates) -> None:
    first = shell.render_page(_request(), "page.html", CONTEXT, slots=SLOTS).content.decode()
    other = {**CONTEXT, "title": "Altro <titolo>", "rows": mark_safe("<li>tre</li>")}
    request = _request("/attivita/?page=2&q=%3Cx%3E", nonce="an0ther")
    second = shell.render_page(request, "page.html", other, slots=SLOTS).content.decode()

    assert first == _full(_request(), "page.html", CONTEXT)
    assert second == _full(request, "page.html", other)
    assert "Altro &lt;titolo&gt;" in second  # text escaped, safe text kept
    assert "<li>tre</li>" in second
    assert 'nonce="an0ther"' in second
    assert "/attivita/?page=2&amp;q=%3Cx%3E" in second
    assert len(shell._shells) == 1  # the second page came from the first one's shell


def test_an_empty_slot_shapes_the_page_and_gets_a_shell_of_its_own(templates) -> None:
    empty = {**CONTEXT, "rows": ""}
    narrow = {**CONTEXT, "wide": False}

    for context in (empty, narrow, CONTEXT):
        page = shell.render_page(_request(), "page.html", context, slots=SLOTS)
        assert page.content.decode() == _full(_request(), "page.html", context)
    assert "<p>none</p>" in shell.render_page(_request(), "page.html", empty, slots=SLOTS).text
    assert len(shell._shells) == 3


def test_a_slot_the_template_filters_is_rendered_in_full(templates) -> None:
    context = {"title": "piano terra", "rows": "r"}

    page = shell.render_page(_request(), "filtered.html", context, slots=("title", "rows"))

    assert page.content.decode() == "<h1>PIANO TERRA</h1>r"
    assert "\x00" not in page.content.decode()


def test_a_slot_inside_a_memo_is_never_kept_in_the_memo(templates) -> None:
    from quartiere.core.templatetags import memo

    memo.memo_clear()
    page = shell.render_page(_request(), "memo.html", {"title": "uno"}, slots=("title",))

    assert page.content.decode() == "<b>uno</b>"
    assert len(shell._shells) == 1
    assert len(memo._memo) == 0  # the fragment held a mark: not kept


def test_a_logged_in_visitor_gets_the_page_rendered_in_full(templates, operator) -> None:
    request = _request(user=operator)

    page = shell.render_page(request, "user.html", {"title": "t"}, slots=("title",))

    assert page.content.decode() == f"{operator.get_username()}: t"
    assert len(shell._shells) == 0


def test_messages_to_read_are_shown_and_consumed_as_render_would(templates) -> None:
    request = _request()
    add_message(request, 20, "Iscrizione registrata")

    page = shell.render_page(request, "messages.html", {"title": "t"}, slots=("title",))

    assert page.content.decode() == "<i>Iscrizione registrata</i>t"
    assert len(shell._shells) == 0
    storage = get_messages(request)
    assert storage.used


def test_a_value_that_cannot_be_part_of_the_key_is_rendered_in_full(templates) -> None:
    context = {**CONTEXT, "wide": ["not", "hashable"]}

    page = shell.render_page(_request(), "page.html", context, slots=SLOTS)

    assert page.content.decode() == _full(_request(), "page.html", context)
    assert len(shell._shells) == 0


def _nonce_free(html: str) -> str:
    return re.sub(r'nonce="[^"]*"', 'nonce=""', html)


@pytest.mark.parametrize(
    "url",
    [
        "/attivita/",
        "/attivita/?kind=educational",
        "/attivita/?day=2030-01-01",
        "/attivita/mese/2026/11/",
        "/attivita/mese/2000/1/",
        "/attivita/?kind=not-a-kind",
    ],
)
def test_the_calendar_pages_are_the_same_with_and_without_their_shells(
    client, lab, monkeypatch, url
) -> None:
    from quartiere.activities.tests.factories import ActivityFactory, ActivitySessionFactory

    ActivitySessionFactory(activity=ActivityFactory(lab=lab, title_it="Corso <di> italiano"))
    shell.clear()
    from_shell = [client.get(url).content.decode() for _ in range(2)]
    monkeypatch.setattr(shell, "_shell", lambda *args, **kwargs: shell._NO_SHELL)
    rendered = client.get(url).content.decode()

    assert _nonce_free(from_shell[0]) == _nonce_free(rendered)
    assert _nonce_free(from_shell[1]) == _nonce_free(rendered)
    assert "\x00" not in from_shell[1]
