"""{% pagination %} writes what the pagination template wrote, byte for byte."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.template import Context, Template
from django.utils import translation

# components/pagination.html as it was, before it became the tag.
TEMPLATE = (
    "{% load i18n %}{% if page.paginator.num_pages > 1 %}\n"
    '<nav class="pagination-wrapper" aria-label="{% translate \'Pages\' %}">\n'
    '  <ul class="pagination">\n'
    '    {% if page.has_previous %}<li class="page-item"><a class="page-link" href="?{% if query %}'
    '{{ query }}&amp;{% endif %}page={{ page.previous_page_number }}">{% translate "Previous" %}'
    "</a></li>{% endif %}\n"
    '    <li class="page-item"><span class="page-link" aria-current="page">{% blocktranslate with '
    "n=page.number total=page.paginator.num_pages %}Page {{ n }} of {{ total }}"
    "{% endblocktranslate %}</span></li>\n"
    '    {% if page.has_next %}<li class="page-item"><a class="page-link" href="?{% if query %}'
    '{{ query }}&amp;{% endif %}page={{ page.next_page_number }}">{% translate "Next" %}'
    "</a></li>{% endif %}\n"
    "  </ul>\n"
    "</nav>\n"
    "{% endif %}"
)


@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("query", ["", "q=rossi&status=open", 'q="<b>"'])
@pytest.mark.parametrize(("items", "number"), [(5, 1), (60, 1), (60, 2), (60, 3)])
def test_the_tag_writes_what_the_template_wrote(language, query, items, number):
    page = Paginator(list(range(items)), 25).get_page(number)
    context = {"page": page, "query": query}
    with translation.override(language):
        old = Template(TEMPLATE).render(Context(context))
        new = Template("{% load paging %}{% pagination page query %}").render(Context(context))
        included = Template('{% include "components/pagination.html" %}').render(Context(context))
    assert new == old
    assert included == old
