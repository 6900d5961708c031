"""A form renderer that writes Django's built-in widget templates in plain Python.

Django renders every widget through two to four templates (``text.html`` includes
``input.html``, which includes ``attrs.html``; a <select> includes one template per option):
a filter form of five small fields spent about 2.5 ms per request on them. ``QuickRenderer``
writes the same bytes for the common built-in widget templates and leaves every other template
(the form and field layouts, ``clearable_file_input.html``, the multi-widgets, the admin's and
our own widgets) to the template engine.

A template is written in Python only while the renderer's own engine resolves it, and every
template it includes, to exactly the source kept in ``_TEMPLATES``: a template that an
installed app overrides, or one that a Django release changes, goes back to the engine by
itself. So does any context the writers could not reproduce exactly (a missing key, a
callable value, which the engine would call, an option drawn with another template).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape
from typing import Any, NamedTuple

from django.forms.renderers import DjangoTemplates
from django.template import TemplateDoesNotExist
from django.template.backends.django import DjangoTemplates as DjangoTemplatesBackend
from django.template.base import render_value_in_context
from django.template.defaultfilters import stringformat
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData

Include = Callable[[Any], str]
Writer = Callable[[dict[str, Any], Include], str]


class _UnsupportedContextError(Exception):
    """The writers cannot reproduce this context exactly: the template engine renders it."""


class _EngineContext:
    """What ``render_value_in_context`` reads from the Context the form engine renders with."""

    autoescape = True
    use_l10n = None
    use_tz = None


_CONTEXT: Any = _EngineContext()


def _plain(value: Any) -> Any:
    """Refuse a callable: the engine calls whatever a variable resolves to when it can."""
    if callable(value):
        raise _UnsupportedContextError
    return value


def _get(widget: dict[str, Any], key: str) -> Any:
    return _plain(widget[key])


def _loop(values: Any) -> Iterable[Any]:
    """``{% for %}`` over a variable: None loops zero times."""
    return () if values is None else _plain(values)


def _text(value: Any) -> str:
    """``{{ value }}``: localised, then escaped unless marked safe."""
    if type(value) is str:
        return escape(value)
    if isinstance(value, Promise):
        # A lazy translation: neither a date nor a number, so the engine only converts it.
        return conditional_escape(str(value))
    return render_value_in_context(_plain(value), _CONTEXT)


def _formatted(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: the filter is ``is_safe``, so safe input stays safe."""
    if type(value) is str:
        return escape(value)
    text = stringformat(_plain(value), "s")
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(widget: dict[str, Any], include: Include | None = None) -> str:
    """attrs.html: a True attribute is written bare, a False one not at all."""
    attrs = widget["attrs"]
    # ``widget.attrs.items`` looks the key "items" up before the method.
    if type(attrs) is not dict or "items" in attrs:
        raise _UnsupportedContextError
    parts = []
    for name, value in attrs.items():
        if _plain(value) is False:
            continue
        if value is True:
            parts.append(f" {_text(name)}")
        else:
            parts.append(f' {_text(name)}="{_formatted(value)}"')
    return "".join(parts)


def _input(widget: dict[str, Any], include: Include | None = None) -> str:
    """input.html, with its trailing newline."""
    value = _get(widget, "value")
    try:
        # The template tests ``!= None``; the ``if`` tag treats a comparison that raises as false.
        has_value = value != None  # noqa: E711
    except Exception:
        has_value = False
    value_attr = f' value="{_formatted(value)}"' if has_value else ""
    return (
        f'<input type="{_text(_get(widget, "type"))}" name="{_text(_get(widget, "name"))}"'
        f"{value_attr}{_attrs(widget)}>\n"
    )


def _including_input(widget: dict[str, Any], include: Include | None = None) -> str:
    """text.html, checkbox.html and the like: input.html followed by their own newline."""
    return _input(widget) + "\n"


def _textarea(widget: dict[str, Any], include: Include | None = None) -> str:
    value = _get(widget, "value")
    return (
        f'<textarea name="{_text(_get(widget, "name"))}"{_attrs(widget)}>\n'
        f"{_text(value) if value else ''}</textarea>\n"
    )


def _select_option(widget: dict[str, Any], include: Include | None = None) -> str:
    return (
        f'<option value="{_formatted(_get(widget, "value"))}"{_attrs(widget)}>'
        f"{_text(_get(widget, 'label'))}</option>\n"
    )


def _select(widget: dict[str, Any], include: Include | None = None) -> str:
    """select.html: option groups and options on their own lines, as the template lays them."""
    if include is None:
        raise _UnsupportedContextError
    parts = [f'<select name="{_text(_get(widget, "name"))}"{_attrs(widget)}>']
    parts.extend(
        _grouped(
            widget,
            include,
            opening='\n  <optgroup label="{}">',
            item="\n  {}",
            closing="\n  </optgroup>",
        )
    )
    parts.append("\n</select>\n")
    return "".join(parts)


def _grouped(
    widget: dict[str, Any], include: Include, *, opening: str, item: str, closing: str
) -> list[str]:
    """The loop select.html and multiple_input.html share: each option group opened (with
    its escaped name) when it has a name, its options included, and the group closed."""
    parts = []
    for group_name, options, _index in _loop(_get(widget, "optgroups")):
        if _plain(group_name):
            parts.append(opening.format(_text(group_name)))
        parts.extend(item.format(include(option)) for option in _loop(options))
        if group_name:
            parts.append(closing)
    return parts


def _input_option(widget: dict[str, Any], include: Include | None = None) -> str:
    """input_option.html: one radio button or checkbox, wrapped in its label."""
    html = _input(widget)
    if _get(widget, "wrap_label"):
        label_id = _plain(widget["attrs"].get("id"))
        opening = f'<label for="{_text(label_id)}">' if label_id else "<label>"
        html = f"{opening}{html} {_text(_get(widget, 'label'))}</label>"
    return html + "\n"


def _including_input_option(widget: dict[str, Any], include: Include | None = None) -> str:
    return _input_option(widget) + "\n"


def _multiple_input(widget: dict[str, Any], include: Include | None = None) -> str:
    """multiple_input.html: the radio buttons or checkboxes of a choice field, one per <div>."""
    if include is None:
        raise _UnsupportedContextError
    attrs = widget["attrs"]
    if type(attrs) is not dict:
        raise _UnsupportedContextError
    # A missing ``widget.attrs.id`` is "" in ``{% with %}`` and None in ``{% if %}``: both false.
    element_id = _plain(attrs.get("id", ""))
    css_class = _plain(attrs.get("class"))
    parts = [
        "<div",
        f' id="{_text(element_id)}"' if element_id else "",
        f' class="{_text(css_class)}"' if css_class else "",
        ">",
    ]
    parts.extend(
        _grouped(
            widget,
            include,
            opening="\n  <div><label>{}</label>",
            item="<div>\n    {}</div>",
            closing="\n  </div>",
        )
    )
    parts.append("\n</div>\n")
    return "".join(parts)


def _including_multiple_input(widget: dict[str, Any], include: Include | None = None) -> str:
    return _multiple_input(widget, include) + "\n"


class _Template(NamedTuple):
    source: str
    writer: Writer
    includes: tuple[str, ...] = ()


_W = "django/forms/widgets/"
_ATTRS_SOURCE = (
    "{% for name, value in widget.attrs.items %}{% if value is not False %} {{ name }}"
    "{% if value is not True %}=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}"
    "{% endfor %}"
)
_INPUT_SOURCE = (
    '<input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %}'
    " value=\"{{ widget.value|stringformat:'s' }}\"{% endif %}"
    '{% include "django/forms/widgets/attrs.html" %}>\n'
)
_SELECT_SOURCE = (
    '<select name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>'
    "{% for group_name, group_choices, group_index in widget.optgroups %}{% if group_name %}\n"
    '  <optgroup label="{{ group_name }}">{% endif %}{% for option in group_choices %}\n'
    "  {% include option.template_name with widget=option %}{% endfor %}{% if group_name %}\n"
    "  </optgroup>{% endif %}{% endfor %}\n"
    "</select>\n"
)
_SELECT_OPTION_SOURCE = (
    "<option value=\"{{ widget.value|stringformat:'s' }}\""
    '{% include "django/forms/widgets/attrs.html" %}>{{ widget.label }}</option>\n'
)
_TEXTAREA_SOURCE = (
    '<textarea name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>\n'
    "{% if widget.value %}{{ widget.value }}{% endif %}</textarea>\n"
)
_INPUT_OPTION_SOURCE = (
    "{% if widget.wrap_label %}<label{% if widget.attrs.id %}"
    ' for="{{ widget.attrs.id }}"{% endif %}>{% endif %}'
    '{% include "django/forms/widgets/input.html" %}'
    "{% if widget.wrap_label %} {{ widget.label }}</label>{% endif %}\n"
)
_MULTIPLE_INPUT_SOURCE = (
    '{% with id=widget.attrs.id %}<div{% if id %} id="{{ id }}"{% endif %}'
    '{% if widget.attrs.class %} class="{{ widget.attrs.class }}"{% endif %}>'
    "{% for group, options, index in widget.optgroups %}{% if group %}\n"
    "  <div><label>{{ group }}</label>{% endif %}{% for option in options %}<div>\n"
    "    {% include option.template_name with widget=option %}</div>{% endfor %}"
    "{% if group %}\n"
    "  </div>{% endif %}{% endfor %}\n"
    "</div>{% endwith %}\n"
)


def _includes(name: str) -> str:
    return '{% include "' + _W + name + '" %}\n'


_INPUT_INCLUDES = (_W + "input.html", _W + "attrs.html")
_OPTION_INCLUDES = (_W + "input_option.html", *_INPUT_INCLUDES)

# Django 5.2's widget templates, word for word, and the Python that writes each one.
_TEMPLATES: dict[str, _Template] = {
    _W + "attrs.html": _Template(_ATTRS_SOURCE, _attrs),
    _W + "input.html": _Template(_INPUT_SOURCE, _input, (_W + "attrs.html",)),
    **{
        _W + name: _Template(_includes("input.html"), _including_input, _INPUT_INCLUDES)
        for name in (
            "checkbox.html",
            "color.html",
            "date.html",
            "datetime.html",
            "email.html",
            "file.html",
            "hidden.html",
            "number.html",
            "password.html",
            "search.html",
            "tel.html",
            "text.html",
            "time.html",
            "url.html",
        )
    },
    _W + "textarea.html": _Template(_TEXTAREA_SOURCE, _textarea, (_W + "attrs.html",)),
    _W + "select.html": _Template(_SELECT_SOURCE, _select, (_W + "attrs.html",)),
    _W + "select_option.html": _Template(
        _SELECT_OPTION_SOURCE, _select_option, (_W + "attrs.html",)
    ),
    _W + "input_option.html": _Template(_INPUT_OPTION_SOURCE, _input_option, _INPUT_INCLUDES),
    **{
        _W + name: _Template(
            _includes("input_option.html"), _including_input_option, _OPTION_INCLUDES
        )
        for name in ("checkbox_option.html", "radio_option.html")
    },
    _W + "multiple_input.html": _Template(_MULTIPLE_INPUT_SOURCE, _multiple_input),
    **{
        _W + name: _Template(
            _includes("multiple_input.html"),
            _including_multiple_input,
            (_W + "multiple_input.html",),
        )
        for name in ("checkbox_select.html", "radio.html")
    },
}


class QuickRenderer(DjangoTemplates):
    """Django's default form renderer, with the common widget templates written in Python."""

    def __init__(self) -> None:
        super().__init__()
        # Template name -> its writer, or None for a name the engine keeps; filled on first use.
        self._writers: dict[str, Writer | None] = {}

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        writer = self._writer(template_name) if type(template_name) is str else None
        if writer is not None and isinstance(context, dict):
            widget = context.get("widget")
            if type(widget) is dict:
                try:
                    return writer(widget, self._include).strip()
                except (_UnsupportedContextError, KeyError):
                    pass
        return super().render(template_name, context, request=request)

    def _include(self, option: Any) -> str:
        """``{% include option.template_name with widget=option %}``."""
        if type(option) is not dict:
            raise _UnsupportedContextError
        name = _get(option, "template_name")
        writer = self._writer(name) if type(name) is str else None
        if writer is None:
            raise _UnsupportedContextError
        return writer(option, self._include)

    def _writer(self, template_name: str) -> Writer | None:
        try:
            return self._writers[template_name]
        except KeyError:
            writer = self._writers[template_name] = self._checked_writer(template_name)
            return writer

    def _checked_writer(self, template_name: str) -> Writer | None:
        """The writer of a template that the engine resolves, with its includes, to our copy."""
        template = _TEMPLATES.get(template_name)
        backend = self.engine
        if template is None or not isinstance(backend, DjangoTemplatesBackend):
            return None
        if backend.engine.string_if_invalid or not backend.engine.autoescape:
            return None
        for name in (template_name, *template.includes):
            try:
                source = self.get_template(name).template.source
            except TemplateDoesNotExist:
                return None
            if source != _TEMPLATES[name].source:
                return None
        return template.writer
