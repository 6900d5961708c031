"""Public programme pages: open to everyone in both languages, no personal data, cached."""

from __future__ import annotations

import datetime as dt
import re
import zlib
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from quartiere.people.tests.factories import ResidentFactory
from quartiere.programme import selectors, services
from quartiere.programme.models import Milestone
from quartiere.programme.tests.factories import (
    ActionFactory,
    AllocationFactory,
    MilestoneFactory,
    NewsItemFactory,
)
from quartiere.reports.tests.factories import CategoryFactory, ReportFactory
from quartiere.territory.tests.factories import BuildingFactory

pytestmark = pytest.mark.django_db


def _pages(programme: Any) -> list[str]:
    slug = programme.slug
    return [
        reverse("portal:home"),
        reverse("portal:lab_detail", args=[programme.lab.slug]),
        reverse("portal:lab_news_list", args=[programme.lab.slug]),
        reverse("portal:search") + "?q=manzano",
        reverse("portal:accessibility"),
        reverse("programme_public:list"),
        reverse("programme_public:detail", args=[slug]),
        reverse("programme_public:action_detail", args=[slug, "manzano-demolizione"]),
        reverse("programme_public:action_detail", args=[slug, "manzano"]),
        reverse("programme_public:news_list", args=[slug]),
        reverse("programme_public:news_detail", args=[slug, "cantiere"]),
        reverse("programme_public:document_list", args=[slug]),
        reverse("programme_public:presentation", args=[slug]),
    ]


def _get(client: Any, url: str, language: str) -> Any:
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("language", ["it", "en"])
def test_public_pages_answer_200_when_anonymous(client, tree, programme, language) -> None:
    for url in _pages(programme):
        response = _get(client, url, language)
        assert response.status_code == 200, url
        assert f'<html lang="{language}"' in response.content.decode(), url


def test_action_page_answers_by_id_as_by_key(client, tree, programme) -> None:
    action = tree["c1"]
    url = reverse("programme_public:action_detail", args=[programme.slug, str(action.pk)])

    response = client.get(url)

    assert response.status_code == 200
    assert "B41B16000230007" in response.content.decode()


@pytest.mark.parametrize(
    "url_args",
    [("programme_public:detail", ["nessuno"]), ("programme_public:action_detail", None)],
)
def test_pages_answer_404_when_unpublished_or_unknown(client, tree, programme, url_args) -> None:
    name, args = url_args
    if args is None:
        tree["leaf"].is_published = False
        tree["leaf"].save()
        args = [programme.slug, "giambellino-129"]

    assert client.get(reverse(name, args=args)).status_code == 404


def test_unpublished_programme_is_hidden_when_not_published(client, tree, programme) -> None:
    programme.is_published = False
    programme.save()

    assert client.get(reverse("programme_public:detail", args=[programme.slug])).status_code == 404
    assert programme.name not in client.get(reverse("programme_public:list")).content.decode()


def test_pages_show_no_personal_data_when_reports_exist_on_the_action_building(
    client, tree, programme, lab
) -> None:
    building = BuildingFactory(district=lab.district, street="Via Manzano", number="4")
    tree["c1"].buildings.add(building)
    resident = ResidentFactory(lab=lab, first_name="Riservata", last_name="Privatissima")
    category = CategoryFactory(lab=lab)
    ReportFactory(
        category=category,
        building=building,
        resident=resident,
        contact_name="Contatto Segretissimo",
        contact_email="segreto@example.org",
        description="Descrizione riservata del problema",
    )

    for url in _pages(programme):
        content = client.get(url).content.decode()
        for secret in [
            "Privatissima",
            "Segretissimo",
            "segreto@example.org",
            "Descrizione riservata",
            resident.codice_fiscale,
        ]:
            assert secret not in content, (url, secret)
    action_page = client.get(
        reverse("programme_public:action_detail", args=[programme.slug, "manzano-demolizione"])
    ).content.decode()
    assert 'data-testid="related-reports"' in action_page


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, {"nocache": "1"}).status_code == 200
    return len(ctx.captured_queries)


def test_programme_page_sends_constant_queries_when_actions_grow(client, tree, programme) -> None:
    url = reverse("programme_public:detail", args=[programme.slug])
    before = _queries(client, url)
    for n in range(5):
        action = ActionFactory(line=tree["leaf"].line, key=f"extra-{n}", parent=tree["leaf"])
        MilestoneFactory(action=action)
        AllocationFactory(action=action, amount=1000)
        NewsItemFactory(programme=programme)

    assert _queries(client, url) == before


def test_action_page_sends_constant_queries_when_milestones_grow(client, tree, programme) -> None:
    url = reverse("programme_public:action_detail", args=[programme.slug, "manzano-demolizione"])
    before = _queries(client, url)
    for n in range(5):
        MilestoneFactory(action=tree["c1"], title_it=f"Tappa extra {n}")
        ActionFactory(line=tree["c1"].line, key=f"figlia-{n}", parent=tree["c1"])

    assert _queries(client, url) == before


# Not named "page": pytest-playwright owns that fixture name, and a parameter of that name
# drags the browser tests (which empty the database) into the middle of the run.
@pytest.mark.parametrize("url_name", ["detail", "action_detail"])
def test_cached_page_answers_without_queries_when_asked_again(
    client, tree, programme, url_name, django_assert_num_queries
) -> None:
    args = [programme.slug] + (["manzano-demolizione"] if url_name == "action_detail" else [])
    url = reverse(f"programme_public:{url_name}", args=args)
    first = client.get(url)

    with django_assert_num_queries(0):
        second = client.get(url)

    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.content.decode().count(
        "Demolizione di via Manzano 4"
    ) == first.content.decode().count("Demolizione di via Manzano 4")


def test_cached_page_carries_the_request_nonce_when_served_from_cache(
    client, tree, programme
) -> None:
    url = reverse("programme_public:detail", args=[programme.slug])
    client.get(url)

    response = client.get(url)

    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'nonce="{nonce}"' in response.content.decode()
    assert "\x00" not in response.content.decode()


def test_cached_page_shows_an_edit_made_by_another_process_within_a_second(
    client, tree, programme, monkeypatch
) -> None:
    from django.core.cache import cache

    from quartiere.programme import public_views

    clock = [public_views.time.monotonic()]
    monkeypatch.setattr(public_views.time, "monotonic", lambda: clock[0])
    url = reverse("programme_public:detail", args=[programme.slug])
    client.get(url)
    # Another worker saved a programme row: the shared version moved, this process did not bump.
    cache.set(public_views.VERSION_KEY, public_views.cache_version() + 1, None)

    still = client.get(url)
    clock[0] += public_views.VERSION_SECONDS
    after = client.get(url)

    assert still["X-Page-Cache"] == "hit"
    assert after["X-Page-Cache"] == "miss"


def test_public_page_carries_no_csrf_token_and_the_language_switch_works_without_one(
    tree, programme
) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    url = reverse("programme_public:detail", args=[programme.slug])
    page = client.get(url)

    switched = client.post(reverse("set_language"), {"language": "en", "next": url})

    assert "csrfmiddlewaretoken" not in page.content.decode()
    assert "csrftoken" not in page.cookies
    assert switched.status_code == 302
    assert switched["Location"] == url
    assert '<html lang="en"' in client.get(url).content.decode()


def test_cached_pages_are_per_language(client, tree, programme) -> None:
    url = reverse("programme_public:detail", args=[programme.slug])
    client.get(url, HTTP_ACCEPT_LANGUAGE="it")

    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")

    assert '<html lang="en"' in response.content.decode()


def test_action_page_shows_the_edit_when_a_milestone_is_achieved(
    client, tree, programme, coordinator
) -> None:
    url = reverse("programme_public:action_detail", args=[programme.slug, "manzano-demolizione"])
    client.get(url)
    milestone = Milestone.objects.get(title_it="Cantiere aperto")

    services.milestone_update(
        actor=coordinator, milestone=milestone, title_it="Cantiere aperto davvero"
    )
    response = client.get(url)

    assert response["X-Page-Cache"] == "miss"
    assert "Cantiere aperto davvero" in response.content.decode()


def test_programme_page_shows_new_totals_when_an_allocation_changes(
    client, tree, programme, coordinator
) -> None:
    url = reverse("programme_public:detail", args=[programme.slug])
    client.get(url)

    services.allocation_update(
        actor=coordinator, allocation=tree["allocation"], amount=tree["allocation"].amount - 1
    )

    assert "349.999" in client.get(url).content.decode()


def test_programme_page_charts_follow_the_figures_when_an_allocation_changes(
    client, tree, programme, coordinator
) -> None:
    url = reverse("programme_public:detail", args=[programme.slug])
    before = _get(client, url, "en").content.decode()

    services.allocation_update(
        actor=coordinator, allocation=tree["allocation"], amount=Decimal("160000")
    )
    after = _get(client, url, "en").content.decode()

    fesr = "ERDF regional programme 2014-2020"
    assert f"{fesr} · Allocated (EUR million): 0.20</title>" in before
    assert f"{fesr} · Allocated (EUR million): 0.16</title>" in after
    assert "Allocated (EUR million): 0.20</title>" not in after
    assert f"{fesr}: 57.1%</title>" in before  # 200k of 350k
    assert f"{fesr}: 51.6%</title>" in after  # 160k of 310k


def test_programme_page_escapes_action_titles_in_its_rows_when_they_hold_markup(
    client, tree, programme
) -> None:
    tree["leaf"].title_it = 'Area <b onclick="x()">verde</b> & "giochi"'
    tree["leaf"].place_label = "via <i>Giambellino</i>"
    tree["leaf"].save()

    content = client.get(reverse("programme_public:detail", args=[programme.slug])).content
    text = content.decode()

    assert "<b onclick" not in text
    assert "<i>Giambellino</i>" not in text
    assert "Area &lt;b onclick=&quot;x()&quot;&gt;verde&lt;/b&gt; &amp; &quot;giochi&quot;" in text
    assert 'aria-label="Avanzamento di Area &lt;b onclick=&quot;x()&quot;' in text


def _pdf_text(data: bytes) -> bytes:
    chunks = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.DOTALL):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(chunks)


def test_presentation_pdf_is_a_pdf_with_the_programme_title(client, tree, programme) -> None:
    response = client.get(reverse("programme_public:presentation_pdf", args=[programme.slug]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert b"/Title (Programma Lorenteggio di prova)" in _pdf_text(response.content)


def test_presentation_slides_have_one_section_per_slide_and_the_keyboard_script(
    client, tree, programme
) -> None:
    content = client.get(
        reverse("programme_public:presentation", args=[programme.slug])
    ).content.decode()

    assert content.count('class="slide"') == 7
    assert "portal/slides.js" in content
    assert 'href="#slide-funding"' in content


def test_programme_page_draws_charts_without_inline_style(client, tree, programme) -> None:
    content = client.get(reverse("programme_public:detail", args=[programme.slug])).content.decode()

    assert content.count('class="funding-chart"') == 3
    assert content.count('role="img" aria-label=') >= 3
    assert "<script" not in content.split('class="funding-chart"', 1)[1].split("</svg>", 1)[0]
    assert "<style" not in content
    assert " style=" not in content
    assert "<caption>" in content  # every chart has its table


def test_search_finds_actions_news_and_documents_when_words_match(client, tree, programme) -> None:
    response = client.get(reverse("portal:search"), {"q": "cantiere"})
    content = response.content.decode()

    assert 'data-testid="results-news"' in content
    assert "Apre il cantiere" in content

    content = client.get(reverse("portal:search"), {"q": "progetto esecutivo"}).content.decode()
    assert 'data-testid="results-documents"' in content

    content = client.get(reverse("portal:search"), {"q": "manzano"}).content.decode()
    assert 'data-testid="results-actions"' in content
    assert "Demolizione di via Manzano 4" in content


def test_search_asks_for_more_when_query_is_one_character(client, db) -> None:
    response = client.get(reverse("portal:search"), {"q": "a"})

    assert response.status_code == 200
    assert response.context["results"] is None
    assert response.context["too_short"]


def test_lab_page_shows_programme_news_and_report_link(client, tree, programme) -> None:
    content = client.get(reverse("portal:lab_detail", args=[programme.lab.slug])).content.decode()

    assert "Apre il cantiere" in content
    assert reverse("programme_public:detail", args=[programme.slug]) in content
    assert reverse("reports_public:create") in content
    assert reverse("activities_public:calendar") in content


def test_home_highlights_programmes_when_published(client, tree, programme) -> None:
    content = client.get(reverse("portal:home")).content.decode()

    assert 'data-testid="programme-highlights"' in content
    assert programme.name in content


def test_news_detail_answers_404_when_draft(client, tree, programme) -> None:
    item = NewsItemFactory(programme=programme, slug="bozza", status="draft", published_at=None)

    url = reverse("programme_public:news_detail", args=[programme.slug, item.slug])
    assert client.get(url).status_code == 404


def test_action_page_lists_milestones_in_a_timeline(client, tree, programme) -> None:
    content = client.get(
        reverse("programme_public:action_detail", args=[programme.slug, "manzano-demolizione"])
    ).content.decode()

    assert 'data-testid="timeline"' in content
    assert "Progetto approvato" in content
    assert "Cantiere aperto" in content
    assert dt.date(2022, 1, 1).year == 2022


def test_action_page_lists_linked_processes_and_workshops(client, tree, programme, lab) -> None:
    from quartiere.participation.enums import ProcessStatus
    from quartiere.participation.tests.factories import ProcessFactory, WorkshopFactory

    process = ProcessFactory(
        lab=lab,
        action=tree["leaf"],
        title_it="Giambellino 129 insieme",
        status=ProcessStatus.PUBLISHED,
    )
    WorkshopFactory(process=process, title_it="Primo laboratorio di co-progettazione")
    ProcessFactory(lab=lab, title_it="Processo di un'altra azione", status=ProcessStatus.PUBLISHED)
    ProcessFactory(
        lab=lab, action=tree["leaf"], title_it="Bozza non pubblica", status=ProcessStatus.DRAFT
    )

    content = client.get(
        reverse("programme_public:action_detail", args=[programme.slug, "giambellino-129"])
    ).content.decode()

    assert "Giambellino 129 insieme" in content
    with translation.override("it"):
        assert f"({ProcessStatus.PUBLISHED.label})" in content  # its status, in words
    assert "Primo laboratorio di co-progettazione" in content
    assert "Processo di un&#x27;altra azione" not in content
    assert "Bozza non pubblica" not in content


def test_funding_tables_add_up_when_shown_by_source_and_by_line(client, tree, programme) -> None:
    from quartiere.programme.public_views import programme_context

    context = programme_context(programme)
    page = client.get(reverse("programme_public:detail", args=[programme.slug])).content.decode()

    by_source = sum(r.allocated_amount for r in context["by_source"])
    by_line = sum(r.allocated_amount for r in context["by_line"])

    assert by_source == by_line == context["tree"].allocated_amount == 350000
    # Both tables on the page close with the same total.
    assert page.count('<td class="text-end money fw-bold">€ 350.000</td>') == 2


def test_pages_send_the_benchmarked_number_of_queries(client, tree, programme, lab) -> None:
    """bench/programme.py asserts the same numbers at region scale."""
    tree["c1"].buildings.add(BuildingFactory(district=lab.district))
    programme_url = reverse("programme_public:detail", args=[programme.slug])
    action_url = reverse(
        "programme_public:action_detail", args=[programme.slug, "manzano-demolizione"]
    )

    assert _queries(client, programme_url) == 6
    assert _queries(client, action_url) == 13


def test_programme_page_links_to_its_open_data(client, tree, programme) -> None:
    content = client.get(reverse("programme_public:detail", args=[programme.slug])).content.decode()

    assert reverse("opendata:dataset", args=[programme.slug, "actions", "csv"]) in content
    assert reverse("opendata:dataset", args=[programme.slug, "allocations", "json"]) in content
    assert reverse("opendata:news_feed", args=[programme.slug]) in content


def test_presentation_lists_milestones_achieved_and_next(client, tree, programme) -> None:
    content = client.get(
        reverse("programme_public:presentation", args=[programme.slug])
    ).content.decode()

    achieved = content.index('id="slide-achieved"')
    upcoming = content.index('id="slide-next"')
    assert achieved < content.index("Progetto approvato") < upcoming
    assert upcoming < content.index("Cantiere aperto")


def test_search_queries_stay_constant_when_results_grow(client, tree, programme) -> None:
    url = reverse("portal:search")
    with CaptureQueriesContext(connection) as before:
        client.get(url, {"q": "notizia"})
    for _ in range(5):
        NewsItemFactory(programme=programme)

    with CaptureQueriesContext(connection) as after:
        client.get(url, {"q": "notizia"})

    assert len(after.captured_queries) == len(before.captured_queries)


def test_page_with_a_pending_message_is_never_cached(client, tree, programme) -> None:
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpResponse
    from django.test import RequestFactory

    url = reverse("programme_public:detail", args=[programme.slug])
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(constants.SUCCESS, "Segnalazione SG-SEGR-ETO1 inviata")
    carrier = HttpResponse()
    storage.update(carrier)
    client.cookies["messages"] = carrier.cookies["messages"].value

    shown = client.get(url)
    del client.cookies["messages"]
    later = client.get(url)

    assert "SG-SEGR-ETO1" in shown.content.decode()
    assert "X-Page-Cache" not in shown
    assert "SG-SEGR-ETO1" not in later.content.decode()


def test_document_download_answers_404_when_the_file_is_missing(client, tree, programme) -> None:
    from quartiere.programme.models import Document

    document = Document.objects.get(title_it="Progetto esecutivo")

    url = reverse("programme_public:document_file", args=[programme.slug, document.pk])
    assert client.get(url).status_code == 404


def test_logged_in_user_gets_a_fresh_page_when_anonymous_one_is_cached(
    client, tree, programme, coordinator
) -> None:
    url = reverse("programme_public:detail", args=[programme.slug])
    client.get(url)
    client.force_login(coordinator)

    response = client.get(url)

    assert "X-Page-Cache" not in response
    assert reverse("accounts:logout") in response.content.decode()


def test_programme_page_funding_by_source_matches_the_selector(client, tree, programme) -> None:
    """The page takes the rows per source from the tree: the same as ``funding_by_source``."""
    from quartiere.programme.public_views import programme_context

    shown = [
        (r.code, r.allocated_amount, r.committed_amount, r.paid_amount, r.share)
        for r in programme_context(programme)["by_source"]
    ]
    expected = [
        (r.code, r.allocated_amount, r.committed_amount, r.paid_amount, r.share)
        for r in selectors.funding_by_source(programme=programme)
    ]
    assert shown == expected


@pytest.mark.parametrize("language", ["it", "en"])
def test_programme_page_is_the_same_written_from_its_shell(
    client, tree, programme, monkeypatch, language
) -> None:
    import re

    from quartiere.core import shell

    url = reverse("programme_public:detail", args=[programme.slug])
    shell.clear()
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    from_shell = [client.get(url, {"q": n}, **headers).content.decode() for n in range(2)]
    monkeypatch.setattr(shell, "_shell", lambda *args, **kwargs: shell._NO_SHELL)
    rendered = client.get(url, {"q": 0}, **headers).content.decode()

    def nonce_free(html: str) -> str:
        return re.sub(r'nonce="[^"]*"', 'nonce=""', html)

    assert nonce_free(from_shell[0]) == nonce_free(rendered)
    assert nonce_free(from_shell[1]).replace("q=1", "q=0") == nonce_free(rendered)
    assert "\x00" not in from_shell[1]
    assert len(shell._shells) == 1
