"""``{% memoinclude %}``: an include rendered once per key and then reused.

For the page chrome whose output is a pure function of a few values and of the code: the
menus depend only on the language, the page's URL name and the user's permissions, never on
data. The layout's menus cost about half of an empty page's rendering; rendered once per key,
they cost a dictionary lookup afterwards. The memo lives in the process (like Django's cached
template loader), is bounded (least recently used entries go first), and is cleared when the
URL configuration, languages or templates change (tests' ``override_settings``: core.lru).

Every value the fragment reads must be in the key: the tag is for fragments without data.

    {% memoinclude "partials/_footer.html" LANGUAGE_CODE %}

``{% memo "name" key... %}...{% endmemo %}`` does the same for a stretch of a template written
in place (the layout's fixed parts between its per-request values: nonce, CSRF token, path).
The name tells the stretches apart; blocks that child templates fill must stay outside it.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.context import Context
from django.template.loader_tags import BlockNode
from django.utils.safestring import SafeString, mark_safe

from quartiere.core.lru import BoundedLRU, rendered_lru

register = template.Library()

MAX_ENTRIES = 1024
_memo: BoundedLRU[tuple[Any, ...], SafeString] = rendered_lru(MAX_ENTRIES)


def memo_clear() -> None:
    _memo.clear()


class MemoIncludeNode(template.Node):
    def __init__(self, name: FilterExpression, keys: list[FilterExpression]) -> None:
        self.name = name
        self.keys = keys

    def render(self, context: Context) -> str:
        name = self.name.resolve(context)
        key = (name, *(_hashable(k.resolve(context)) for k in self.keys))
        found = _memo.get(key)
        if found is not None:
            return found
        fragment = context.template.engine.get_template(name)  # type: ignore[union-attr]
        with context.push():
            html = mark_safe(fragment.render(context))  # noqa: S308 - template output
        _keep(key, html)
        return html


class MemoBlockNode(template.Node):
    def __init__(self, nodelist: NodeList, name: str, keys: list[FilterExpression]) -> None:
        self.nodelist = nodelist
        self.name = name
        self.keys = keys

    def render(self, context: Context) -> str:
        key = ("memo", self.name, *(_hashable(k.resolve(context)) for k in self.keys))
        found = _memo.get(key)
        if found is not None:
            return found
        html = mark_safe(self.nodelist.render(context))  # noqa: S308 - template output
        _keep(key, html)
        return html


def _keep(key: tuple[Any, ...], html: SafeString) -> None:
    # Never a fragment holding a page shell's per-request mark (``core.shell``): the mark
    # would be written out as it is on the next page.
    if "\x00" not in html:
        _memo.put(key, html)


def _hashable(value: Any) -> Any:
    if isinstance(value, (set, frozenset, list, tuple)):
        return tuple(sorted(str(v) for v in value))
    return value if value is None or isinstance(value, (str, int, bool)) else str(value)


@register.tag
def memoinclude(parser: Parser, token: Token) -> MemoIncludeNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("memoinclude takes a template name and key values")
    return MemoIncludeNode(
        parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]]
    )


@register.tag
def memo(parser: Parser, token: Token) -> MemoBlockNode:
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError("memo takes a quoted name and key values")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):
        raise template.TemplateSyntaxError("a {% block %} cannot be memoised: close the memo first")
    return MemoBlockNode(nodelist, bits[1][1:-1], [parser.compile_filter(b) for b in bits[2:]])


@register.filter
def perm_key(user: Any) -> tuple[Any, ...]:
    """The part of a user the menus depend on: superuser or not, and the permission set."""
    if not getattr(user, "is_authenticated", False):
        return ("anonymous",)
    return (bool(user.is_superuser), *sorted(user.get_all_permissions()))
