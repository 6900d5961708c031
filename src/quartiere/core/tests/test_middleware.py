"""core.middleware.CSPMiddleware: the same headers as django-csp's, built once."""

from __future__ import annotations

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE
from csp.decorators import csp_exempt, csp_update
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from quartiere.core.middleware import CSPMiddleware

POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
    }
}


def _view(*, use_nonce: bool):
    def view(request):
        return HttpResponse(str(request.csp_nonce) if use_nonce else "no nonce")

    return view


def _headers(middleware_class, view, path="/page/"):
    request = RequestFactory().get(path)
    response = middleware_class(view)(request)
    return request, response


@pytest.mark.parametrize("use_nonce", [True, False])
def test_the_headers_are_django_csps(settings, use_nonce):
    settings.CONTENT_SECURITY_POLICY = POLICY
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {
        "DIRECTIVES": {"default-src": ["'none'"], "script-src": [NONCE]}
    }
    _, ours = _headers(CSPMiddleware, _view(use_nonce=use_nonce))
    _, theirs = _headers(DjangoCSPMiddleware, _view(use_nonce=use_nonce))
    nonce, their_nonce = ours.content.decode(), theirs.content.decode()
    for header in (HEADER, HEADER_REPORT_ONLY):
        assert ours[header] == theirs[header].replace(their_nonce, nonce)
    if use_nonce:
        assert f"script-src 'self' 'nonce-{nonce}'" in ours[HEADER]
        assert f"'nonce-{nonce}'" in ours[HEADER_REPORT_ONLY]
    else:
        assert "nonce" not in ours[HEADER]


def test_every_request_has_its_own_nonce(settings):
    settings.CONTENT_SECURITY_POLICY = POLICY
    _, first = _headers(CSPMiddleware, _view(use_nonce=True))
    _, second = _headers(CSPMiddleware, _view(use_nonce=True))
    assert first.content != second.content
    assert f"'nonce-{first.content.decode()}'" in first[HEADER]
    assert f"'nonce-{second.content.decode()}'" in second[HEADER]


def test_a_changed_setting_changes_the_header(settings):
    settings.CONTENT_SECURITY_POLICY = POLICY
    _, before = _headers(CSPMiddleware, _view(use_nonce=False))
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    _, after = _headers(CSPMiddleware, _view(use_nonce=False))
    assert "img-src" in before[HEADER]
    assert after[HEADER] == "default-src 'none'"
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = None
    assert HEADER_REPORT_ONLY not in _headers(CSPMiddleware, _view(use_nonce=False))[1]


def test_a_views_own_policy_and_exemption_are_kept(settings):
    settings.CONTENT_SECURITY_POLICY = POLICY
    updated = csp_update({"img-src": "https://tiles.example.org"})(_view(use_nonce=False))
    _, response = _headers(CSPMiddleware, updated)
    assert "img-src 'self' data: https://tiles.example.org" in response[HEADER]
    _, exempt = _headers(CSPMiddleware, csp_exempt()(_view(use_nonce=False)))
    assert HEADER not in exempt


def test_excluded_prefixes_and_a_header_already_set(settings):
    settings.CONTENT_SECURITY_POLICY = {**POLICY, "EXCLUDE_URL_PREFIXES": ["/raw/"]}
    _, excluded = _headers(CSPMiddleware, _view(use_nonce=False), path="/raw/file")
    assert HEADER not in excluded

    def own(request):
        response = HttpResponse("x")
        response[HEADER] = "default-src 'none'"
        return response

    _, kept = _headers(CSPMiddleware, own)
    assert kept[HEADER] == "default-src 'none'"


def test_asking_for_a_nonce_after_the_header_is_written_fails(settings):
    from csp.exceptions import CSPNonceError

    settings.CONTENT_SECURITY_POLICY = POLICY
    request, _ = _headers(CSPMiddleware, _view(use_nonce=False))
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)
