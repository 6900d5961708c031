"""Public pages written from a *shell*: the page rendered once with a mark where each
per-request text goes, then, for each request, the same bytes with that request's texts put in
the marks' places.

A public page seen by an anonymous visitor is the same HTML for every request but for a few
texts: the CSP nonce, the page's own address (the language switch sends it back), and the
view's values (the rows, the result count, the filter bar...). Walking the template (blocks,
conditions, translations) cost about as long as the SQL behind the calendar; with a shell it
is done once per language, view and *shape* of the values.

``render_page(request, template, context, slots=(...))`` answers what ``render`` would, byte
for byte (a test compares them):

- every value named in ``slots`` must be text (``str``, escaped as the template would, or a
  ``SafeString``, kept) that the template only writes out, never tests or filters. A slot
  whose value is empty is not a slot for that request: it is rendered as itself and its
  emptiness is part of the shell's key, so ``{% if rows %}`` still sees the truth;
- every other value of ``context`` is part of the key, so it must be hashable (a bool, a
  number, a string, None or a tuple of those);
- a visitor who is logged in, or who has messages to read, gets ``render`` itself, as does
  any shell whose marks did not all come out of the template untouched (checked once).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Collection, Hashable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeData
from django.utils.translation import get_language

from quartiere.core.lru import BoundedLRU, rendered_lru

MAX_SHELLS = 512
MARK_PREFIX = "\x00shell:"
_MARK = MARK_PREFIX + "{}\x00"
_MARK_RE = re.compile("\x00shell:([a-z_][a-z0-9_]*)\x00")
# The request's own texts that templates write out (base.html): the nonce and the address.
_REQUEST_SLOTS = ("csp_nonce", "full_path")
_PLAIN = (str, int, float, bool, type(None), dt.date)
_NO_SHELL = ("no shell",)  # this shape is rendered in full (a mark did not come out intact)

# key -> the shell as (text, slot, text, slot, ..., text)
_shells: BoundedLRU[Hashable, tuple[str, ...]] = rendered_lru(MAX_SHELLS)


class _MarkedRequest:
    """The request as the template sees it while the shell is rendered: marks for the nonce
    and the address, everything else the request's own."""

    def __init__(self, request: HttpRequest) -> None:
        self.__dict__["_request"] = request
        self.__dict__["csp_nonce"] = _MARK.format("csp_nonce")

    def get_full_path(self) -> str:
        return _MARK.format("full_path")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["_request"], name)


def anonymous_without_messages(request: HttpRequest) -> bool:
    """True for a visitor who is not logged in and has no message waiting: the one a page
    written once for everybody (a shell, a cached programme page) may be shown to.

    A pending message (e.g. "report sent") belongs to its visitor only. Without a session or
    messages cookie neither a log-in nor a message can be there, so the common case reads
    nothing; ``len`` reads the stored messages without marking them as shown.
    """
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies:
        return True
    return not request.user.is_authenticated and not len(get_messages(request))


def _plain(value: Any) -> bool:
    if isinstance(value, tuple):
        return all(_plain(v) for v in value)
    return isinstance(value, _PLAIN)


def _split(html: str, live: set[str]) -> tuple[str, ...]:
    parts = tuple(_MARK_RE.split(html))
    found = set(parts[1::2])
    # A live slot the template does not write in this shape (a branch not taken) is fine; a
    # mark changed by a filter leaves a stray NUL behind.
    if not found <= live | set(_REQUEST_SLOTS) or "\x00" in "".join(parts[0::2]):
        return _NO_SHELL
    return parts


def _shell(
    key: Hashable,
    request: HttpRequest,
    template_name: str,
    context: Mapping[str, Any],
    live: set[str],
) -> tuple[str, ...]:
    shell = _shells.get(key)
    if shell is None:
        marked = {k: (_MARK.format(k) if k in live else v) for k, v in context.items()}
        proxy: Any = _MarkedRequest(request)
        html = render_to_string(template_name, marked, request=proxy)
        shell = _split(html, live)
        _shells.put(key, shell)
    return shell


def render_page(
    request: HttpRequest,
    template_name: str,
    context: Mapping[str, Any],
    *,
    slots: Collection[str],
) -> HttpResponse:
    """What ``render(request, template_name, context)`` answers, written from a shell when the
    visitor is anonymous and has no messages (see the module's notes for ``slots``)."""
    if not anonymous_without_messages(request):
        return render(request, template_name, context)
    live = {name for name in slots if context[name]}
    fixed = tuple(sorted((k, v) for k, v in context.items() if k not in live))
    if any(not isinstance(context[name], str) for name in live) or not _plain(fixed):
        return render(request, template_name, context)
    match = request.resolver_match
    key = (template_name, get_language(), match.view_name if match else "", fixed)
    shell = _shell(key, request, template_name, context, live)
    if shell is _NO_SHELL:
        return render(request, template_name, context)
    values = {name: _escaped(context[name]) for name in live}
    if "csp_nonce" in shell[1::2]:  # read only when written: django-csp sends a used nonce
        values["csp_nonce"] = str(request.csp_nonce)  # type: ignore[attr-defined] # base64
    values["full_path"] = html.escape(request.get_full_path())
    out = list(shell)
    for i in range(1, len(out), 2):
        out[i] = values[out[i]]
    return HttpResponse("".join(out))


def _escaped(value: str) -> str:
    """``conditional_escape`` for the slots' texts (strings, some of them safe already)."""
    return value if isinstance(value, SafeData) else html.escape(value)


def clear() -> None:
    """Forget every shell."""
    _shells.clear()
