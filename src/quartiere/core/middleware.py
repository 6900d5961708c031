"""django-csp's middleware with the site-wide policy built once.

django-csp builds the Content-Security-Policy header afresh for every response (twice: the
policy and the report-only one), copying and sorting every directive, although it changes only
with the settings and the request's nonce. On a public page that is a tenth of what the server
does outside the view. Here the header is built once per setting with a placeholder where the
nonce goes and the nonce is put in its place; a response that a view decorated with its own
policy (``csp_update``, ``csp_replace``, ``csp_override``, ``csp_exempt``), and Django's debug
pages, go through django-csp as before.
"""

from __future__ import annotations

import http.client
from functools import cache
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.test.signals import setting_changed

# What a view's decorators leave on its response for django-csp.
_PER_VIEW = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)
_DEBUG_EXEMPT = (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND)
_NONCE = "\x00nonce\x00"  # never in a setting: it cannot be mistaken for a policy's text


@cache
def _policy(setting: str, *, with_nonce: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The header of one setting as its parts around the nonce (one part without a nonce), and
    the URL prefixes it is not sent on."""
    report_only = setting == "CONTENT_SECURITY_POLICY_REPORT_ONLY"
    text = build_policy(nonce=_NONCE if with_nonce else None, report_only=report_only)
    config = getattr(settings, setting, None) or {}
    return tuple(text.split(_NONCE)), tuple(config.get("EXCLUDE_URL_PREFIXES", None) or ())


class CSPMiddleware(BaseCSPMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if any(hasattr(response, name) for name in _PER_VIEW) or (
            settings.DEBUG and response.status_code in _DEBUG_EXEMPT
        ):
            return super().process_response(request, response)
        nonce: Any = getattr(request, "_csp_nonce", None)
        for setting, header in (
            ("CONTENT_SECURITY_POLICY", HEADER),
            ("CONTENT_SECURITY_POLICY_REPORT_ONLY", HEADER_REPORT_ONLY),
        ):
            parts, excluded = _policy(setting, with_nonce=nonce is not None)
            policy = nonce.join(parts) if nonce is not None else parts[0]
            if policy and header not in response and not request.path_info.startswith(excluded):
                response[header] = policy
        if nonce is None:
            # As django-csp: asking for a nonce once the header is written is an error.
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response


def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _policy.cache_clear()


setting_changed.connect(_on_setting_changed, dispatch_uid="quartiere.csp.setting_changed")
