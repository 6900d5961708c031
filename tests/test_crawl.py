"""Crawl the seeded demo as each role and check what real users would hit.

The "tiny" demo is seeded once for the module (inside a transaction rolled back at the end);
every demo user, and an anonymous visitor, then follows the same-site links the app itself
renders, breadth-first, with GET only. The tests below assert on what the crawl collected:
no server error, no broken link the app rendered, one ``<h1>`` and a ``lang`` on every HTML
page, no personal data on public pages, and no Lorenteggio object reachable by the Bollate
operator.
"""

from __future__ import annotations

import re
import traceback
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client

# One worker runs every test here (make test uses --dist loadgroup): the demo is seeded and
# crawled once per worker that runs any of them.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("crawl")]

DEMO_USERS = [
    "regione",
    "valutatore",
    "coord.lorenteggio",
    "operatore.lorenteggio",
    "formatore.lorenteggio",
    "aler.lorenteggio",
    "residente.lorenteggio",
    "coord.bollate",
    "operatore.bollate",
    "admin",
]
ANONYMOUS = "(anonymous)"
MAX_PAGES = 400
MAX_QUERY_VARIANTS = 3
MAX_PAGE_NUMBER = 2
MAX_PER_SHAPE = 2  # e.g. two residents' detail pages, two calendar months
SKIP_PREFIXES = ("/admin/", "/static/", "/media/", "/i18n/")
CODICE_FISCALE = re.compile(r"\b[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]\b")
# Downloads (PDFs render through WeasyPrint) and, for the resident, the public site (the
# anonymous crawl covers it) are sampled once per URL shape to keep the crawl fast; staff
# roles crawl the back office only (plus the public home page they start from).
BACKOFFICE = ("/backoffice/", "/accounts/")
DOWNLOAD = re.compile(r"(\.(pdf|csv|xlsx|ics|json|rss)|/export/)$")
NUMERIC_ID = re.compile(r"/\d+(?:/|$)")


@dataclass
class Crawl:
    role: str
    pages: dict[str, int] = field(default_factory=dict)  # url -> status
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # url, referrer, error
    not_found: list[tuple[str, str]] = field(default_factory=list)  # url, referrer
    forbidden: list[tuple[str, str]] = field(default_factory=list)  # url, referrer
    redirects: list[tuple[str, str, str]] = field(default_factory=list)  # url, referrer, target
    bad_markup: list[tuple[str, str]] = field(default_factory=list)  # url, problem
    html: dict[str, str] = field(default_factory=dict)  # url -> body (HTML pages only)


def _client(username: str | None) -> Client:
    client = Client()
    if username is not None:
        user = get_user_model().objects.get(username=username)
        client.force_login(user, backend="quartiere.accounts.backends.CachedModelBackend")
    return client


def _normalise(href: str) -> str | None:
    href = urldefrag(href.strip())[0]
    if not href.startswith("/") or href.startswith("//"):
        return None
    if href.startswith(SKIP_PREFIXES) or "logout" in href:
        return None
    return href


def _admit(
    url: str, seen_variants: dict[str, set[str]], shapes: dict[str, set[str]], *, mode: str
) -> bool:
    """Limit pagination, query-string variants of a path, and paths differing only by ids."""
    parts = urlsplit(url)
    shape = re.sub(r"\d+", "N", parts.path)
    paths = shapes.setdefault(shape, set())
    public_path = not parts.path.startswith(BACKOFFICE)
    if mode == "staff" and public_path:
        return False
    sampled = DOWNLOAD.search(parts.path) or (mode == "resident" and public_path)
    if parts.path not in paths:
        if len(paths) >= (1 if sampled else MAX_PER_SHAPE):
            return False
        paths.add(parts.path)
    query = dict(parse_qsl(parts.query))
    page = query.get("page", "1")
    if not page.isdigit() or int(page) > MAX_PAGE_NUMBER:
        return False
    if not parts.query:
        return True
    variants = seen_variants.setdefault(parts.path, set())
    key = urlencode(sorted((k, v) for k, v in query.items() if k != "page"))
    if key in variants:
        return True
    if len(variants) >= MAX_QUERY_VARIANTS:
        return False
    variants.add(key)
    return True


def _where(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/quartiere/" in f.filename]
    frame = frames[-1] if frames else traceback.extract_tb(exc.__traceback__)[-1]
    return f"{type(exc).__name__}: {exc} at {frame.filename}:{frame.lineno}"


def crawl(username: str | None, start: tuple[str, ...] = ("/",)) -> Crawl:
    client = _client(username)
    mode = "anonymous" if username is None else ("resident" if "residente" in username else "staff")
    result = Crawl(role=username or ANONYMOUS)
    queue: deque[tuple[str, str]] = deque((url, "(start)") for url in start)
    queued = set(start)
    seen_variants: dict[str, set[str]] = {}
    shapes: dict[str, set[str]] = {}
    while queue and len(result.pages) < MAX_PAGES:
        url, referrer = queue.popleft()
        try:
            response = client.get(url)
        except Exception as exc:
            result.errors.append((url, referrer, _where(exc)))
            result.pages[url] = 500
            continue
        result.pages[url] = response.status_code
        if response.status_code >= 500:
            result.errors.append((url, referrer, f"status {response.status_code}"))
        if response.status_code == 404:
            result.not_found.append((url, referrer))
        if response.status_code == 403:
            result.forbidden.append((url, referrer))
        links: list[str] = []
        if response.status_code in (301, 302, 303, 307, 308):
            links.append(response["Location"])
            result.redirects.append((url, referrer, response["Location"]))
        content_type = response.get("Content-Type", "")
        if response.status_code == 200 and content_type.startswith("text/html"):
            body = response.content.decode(response.charset or "utf-8", errors="replace")
            result.html[url] = body
            try:
                tree = lxml.html.document_fromstring(body)
            except Exception:
                result.bad_markup.append((url, "unparsable HTML"))
                continue
            h1_count = len(tree.xpath("//h1"))
            if h1_count != 1:
                result.bad_markup.append((url, f"{h1_count} <h1> elements"))
            if not tree.xpath("/html/@lang"):
                result.bad_markup.append((url, "no <html lang>"))
            links.extend(tree.xpath("//a/@href"))
        for href in links:
            target = _normalise(href)
            if (
                target is None
                or target in queued
                or not _admit(target, seen_variants, shapes, mode=mode)
            ):
                continue
            queued.add(target)
            queue.append((target, url))
    return result


@pytest.fixture(scope="module")
def crawls(django_db_setup, django_db_blocker) -> dict[str, Crawl]:
    """Seed the tiny demo once and crawl it as every role; roll everything back afterwards."""
    results: dict[str, Crawl] = {}
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", scale="tiny", seed=2026)
        for username in DEMO_USERS:
            results[username] = crawl(username, start=("/", "/backoffice/"))
        results[ANONYMOUS] = crawl(None)
        results["_isolation"] = _isolation_probe(results)
        results["_personal"] = _personal_data_probe(results[ANONYMOUS])
        transaction.set_rollback(True)
    return results


def _isolation_probe(results: dict[str, Crawl]) -> Crawl:
    """Request as operatore.bollate the Lorenteggio operator's URLs that carry object ids."""
    probe = Crawl(role="operatore.bollate on Lorenteggio URLs")
    anonymous = _client(None)
    bollate = _client("operatore.bollate")
    for url, status in results["operatore.lorenteggio"].pages.items():
        if status != 200 or not NUMERIC_ID.search(urlsplit(url).path):
            continue
        if anonymous.get(url).status_code == 200:
            continue  # public
        try:
            response = bollate.get(url)
        except Exception as exc:
            probe.errors.append((url, "operatore.lorenteggio", _where(exc)))
            continue
        probe.pages[url] = response.status_code
        allowed = response.status_code in (403, 404) or (
            response.status_code in (301, 302) and "/accounts/login" in response["Location"]
        )
        if not allowed:
            probe.errors.append((url, "operatore.lorenteggio", f"status {response.status_code}"))
    return probe


def _personal_data_probe(anonymous: Crawl) -> Crawl:
    from quartiere.people.models import Resident

    emails = {e.lower() for e in Resident.objects.exclude(email="").values_list("email", flat=True)}
    probe = Crawl(role="personal data on public pages")
    for url, body in anonymous.html.items():
        lowered = body.lower()
        leaked = sorted(e for e in emails if e in lowered)
        if leaked:
            probe.errors.append((url, "", f"resident e-mail(s) {leaked[:3]}"))
        match = CODICE_FISCALE.search(body)
        if match:
            probe.errors.append((url, "", f"codice fiscale {match.group()}"))
    return probe


def _lines(rows: list[tuple[str, ...]]) -> str:
    return "\n".join(" | ".join(row) for row in rows)


ROLES = [*DEMO_USERS, ANONYMOUS]


@pytest.mark.parametrize("role", ROLES)
def test_crawl_reaches_pages_without_server_errors(crawls, role):
    result = crawls[role]
    assert len(result.pages) > 1, f"{role} crawled only {result.pages}"
    assert not result.errors, f"{role}: server errors (url | linked from | error)\n" + _lines(
        result.errors
    )


@pytest.mark.parametrize("role", ROLES)
def test_crawl_finds_no_broken_links_rendered_by_the_app(crawls, role):
    result = crawls[role]
    assert not result.not_found, f"{role}: 404 (url | linked from)\n" + _lines(result.not_found)


@pytest.mark.parametrize("role", ROLES)
def test_crawl_finds_no_forbidden_links_rendered_by_the_app(crawls, role):
    """A page should not offer a link that answers 403 to the user it was rendered for."""
    result = crawls[role]
    assert not result.forbidden, f"{role}: 403 (url | linked from)\n" + _lines(result.forbidden)


@pytest.mark.parametrize("role", ROLES)
def test_crawl_pages_have_one_h1_and_a_language(crawls, role):
    result = crawls[role]
    assert not result.bad_markup, f"{role}: markup (url | problem)\n" + _lines(result.bad_markup)


def test_bollate_operator_cannot_open_lorenteggio_objects(crawls):
    probe = crawls["_isolation"]
    assert not probe.errors, "operatore.bollate got (url | from | status)\n" + _lines(probe.errors)


def test_public_pages_show_no_personal_data(crawls):
    anonymous = crawls[ANONYMOUS]
    assert anonymous.html, "the anonymous crawl found no HTML page"
    probe = crawls["_personal"]
    assert not probe.errors, "personal data (url | - | what)\n" + _lines(probe.errors)
