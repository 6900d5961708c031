"""The loops of the public programme page written in Python, as its template wrote them.

The programme page is written from a shell (``core.shell``): its template is walked once per
language and shape, and these pieces, the parts that change with the data, are put in. Each
piece escapes every text it writes (``presentation.escape``); progress bars and table rows
come already escaped from ``presentation.Writer`` and ``public_views.rows_html``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from quartiere.programme.presentation import escape


def funding_table_html(
    rows: Iterable[Any], *, caption: str, head: str, totals: Mapping[str, str]
) -> SafeString:
    """A funding table (by source or by action line) with its totals."""
    body = "".join(
        f"\n    <tr>\n"
        f'      <th scope="row" class="fw-normal">{escape(row.name)}</th>\n'
        f'      <td class="text-end money">€ {escape(row.allocated_text)}</td>\n'
        f'      <td class="text-end money">€ {escape(row.committed_text)}</td>\n'
        f'      <td class="text-end money">€ {escape(row.paid_text)}</td>\n'
        f'      <td class="text-end">{int(row.share_whole)}%</td>\n'
        f"    </tr>\n  "
        for row in rows
    )
    caption = escape(caption)
    return SafeString(
        f'<div class="table-responsive" tabindex="0" role="region" aria-label="{caption}">\n'
        f'<table class="table table-sm">\n'
        f"  <caption>{caption}</caption>\n"
        f"  <thead><tr>\n"
        f'    <th scope="col">{escape(head)}</th>\n'
        f'    <th scope="col" class="text-end">{escape(_("Allocated"))}</th>\n'
        f'    <th scope="col" class="text-end">{escape(_("Committed"))}</th>\n'
        f'    <th scope="col" class="text-end">{escape(_("Paid"))}</th>\n'
        f'    <th scope="col" class="text-end">{escape(_("Share"))}</th>\n'
        f"  </tr></thead>\n"
        f"  <tbody>\n  {body}\n  </tbody>\n"
        f"  <tfoot><tr>\n"
        f'    <th scope="row">{escape(_("Total"))}</th>\n'
        f'    <td class="text-end money fw-bold">€ {escape(totals["allocated"])}</td>\n'
        f'    <td class="text-end money fw-bold">€ {escape(totals["committed"])}</td>\n'
        f'    <td class="text-end money fw-bold">€ {escape(totals["paid"])}</td>\n'
        f'    <td class="text-end">100%</td>\n'
        f"  </tr></tfoot>\n"
        f"</table>\n</div>"
    )


def places_html(rows: Iterable[Mapping[str, Any]]) -> SafeString:
    """The list of the actions that have a place (the map's alternative)."""
    return SafeString(
        "".join(
            f'\n    <li class="mb-1"><a href="{escape(r["url"])}">{escape(r["title"])}</a>'
            + (f": {escape(r['place'])}" if r["place"] else "")
            + "</li>\n    "
            for r in rows
            if r["located"]
        )
    )


def lines_html(lines: Sequence[Mapping[str, Any]]) -> SafeString:
    """Each action line: its progress, budget and paid, and the table of its actions."""
    budget, paid = escape(_("Budget")), escape(_("Paid"))
    heads = (
        f'<th scope="col">{escape(_("Action"))}</th><th scope="col">{escape(_("Status"))}</th>'
        f'<th scope="col">{escape(_("Progress"))}</th>'
        f'<th scope="col" class="text-end">{budget}</th>'
    )
    none = escape(_("No action published in this line yet."))
    out = []
    for line in lines:
        label = escape(line["label"])
        if line["rows"]:
            table = (
                f'\n    <div class="table-responsive" tabindex="0" role="region"'
                f' aria-label="{label}">\n'
                f'      <table class="table table-sm">\n'
                f'        <caption class="visually-hidden">{label}</caption>\n'
                f"        <thead><tr>{heads}</tr></thead>\n"
                f"        <tbody>{line['rows_html']}</tbody>\n"
                f"      </table>\n    </div>\n    "
            )
        else:
            table = f"\n    <p>{none}</p>"
        out.append(
            f'\n  <div class="mb-4" data-testid="line">\n'
            f'    <h3 class="h4">{escape(line["code"])} · {escape(line["name"])}</h3>\n'
            f'    <div class="row align-items-center mb-2">\n'
            f'      <div class="col-md-6">{line["bar"]}</div>\n'
            f'      <div class="col-md-6 small">{budget}: <span class="money">€ '
            f'{escape(line["budget"])}</span> · {paid}: <span class="money">€ '
            f"{escape(line['paid'])}</span></div>\n"
            f"    </div>{table}\n  </div>\n  "
        )
    return SafeString("".join(out))


def share_rows_html(by_source: Iterable[Any]) -> SafeString:
    """The rows of the table "Share of each source"."""
    return SafeString(
        "".join(
            f'<tr><th scope="row" class="fw-normal">{escape(row.name)}</th>'
            f'<td class="text-end">{int(row.share_whole)}%</td><td>{row.paid_bar}</td></tr>'
            for row in by_source
        )
    )


def news_html(news: Iterable[Any], *, slug: str) -> SafeString:
    """The latest news headlines with their dates."""
    return SafeString(
        "".join(
            f'<li class="mb-2"><a href="'
            f'{escape(reverse("programme_public:news_detail", args=[slug, item.slug]))}">'
            f"{escape(item.title)}</a> "
            f'<span class="small text-muted">'
            f"{escape(formats.date_format(timezone.localtime(item.published_at), 'DATE_FORMAT'))}"
            "</span></li>"
            for item in news
        )
    )


def links_html(links: Iterable[tuple[str, str]]) -> SafeString:
    """The open-data links."""
    return SafeString(
        "".join(
            f'<li><a href="{escape(url)}" data-testid="opendata-link">{escape(label)}</a></li>'
            for url, label in links
        )
    )
