"""Form widgets shared by the contexts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


class QuickSelect(forms.Select):
    """A <select> whose options are written in Python instead of one template each.

    Django renders every <option> through a template (about 20 µs each): a filter bar with a
    few hundred buildings and staff spent tens of milliseconds per page on its options alone.
    Nested choices (option groups) fall back to the standard rendering.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        choices = list(self.choices)
        if any(isinstance(label, list | tuple) for _, label in choices):
            return super().render(name, value, attrs, renderer)
        values = value if isinstance(value, list | tuple) else [value]
        selected = {"" if v is None else str(v) for v in values}
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, SafeString(" selected") if key in selected else "", label)
                for key, label in ((str(k), str(lbl)) for k, lbl in choices)
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)
