"""Sanitise the HTML of news bodies: a few formatting tags and links, nothing else. No Django."""

from __future__ import annotations

import html as _html

import nh3

ALLOWED_TAGS = {"p", "a", "strong", "em", "ul", "ol", "li", "h3", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Tags removed together with their content (the rest are unwrapped, keeping the text).
DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript"}


def clean_html(html: str) -> str:
    """Return ``html`` with only the allowed tags and http(s)/mailto links left."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def plain_text(html: str) -> str:
    """The text of ``html`` without any tag (for summaries and search)."""
    text = nh3.clean(html or "", tags=set(), clean_content_tags=DROP_WITH_CONTENT)
    return _html.unescape(text).strip()
