"""QuickRenderer writes the same bytes as Django's widget templates and leaves the rest to them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import django.forms
import pytest
from django import forms
from django.forms.models import ModelChoiceIteratorValue
from django.forms.renderers import BaseRenderer, DjangoTemplates, get_default_renderer
from django.template import TemplateDoesNotExist
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from hypothesis import strategies as st

from quartiere.core.form_renderer import QuickRenderer

DJANGO = DjangoTemplates()
QUICK = QuickRenderer()

SIMPLE_WIDGETS: list[Callable[[], forms.Widget]] = [
    forms.TextInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    lambda: forms.PasswordInput(render_value=True),
    forms.HiddenInput,
    forms.SearchInput,
    forms.TelInput,
    forms.ColorInput,
    forms.DateInput,
    lambda: forms.DateInput(format="%d/%m/%Y"),
    lambda: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    forms.DateTimeInput,
    lambda: forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    forms.TimeInput,
    forms.FileInput,
    forms.CheckboxInput,
    forms.Textarea,
]
CHOICE_WIDGETS: list[type[forms.ChoiceWidget]] = [
    forms.Select,
    forms.SelectMultiple,
    forms.RadioSelect,
    forms.CheckboxSelectMultiple,
]

# Markup, quotes and whitespace, as a hostile or merely unlucky user would type them.
texts = st.text(alphabet=st.sampled_from("<>&\"' \n\tazAZ09-_èé€/=;"), max_size=12) | st.text(
    max_size=8
)
values = st.none() | texts | st.integers(-(10**6), 10**6) | st.booleans()
attr_values = st.none() | texts | st.booleans() | st.integers() | st.just("")
attr_sets = st.dictionaries(
    st.sampled_from(["class", "placeholder", "data-x", "required", "disabled", "title"]),
    attr_values,
    max_size=4,
)
choice_keys = texts | st.integers(0, 99) | st.just("")
flat_choices = st.lists(st.tuples(choice_keys, texts), max_size=5)
choices = st.lists(
    st.tuples(choice_keys, texts) | st.tuples(texts.filter(bool), flat_choices), max_size=5
)


def _render(renderer: BaseRenderer, widget: forms.Widget, value: Any, attrs: Any = None) -> str:
    return widget.render("field", value, attrs=attrs, renderer=renderer)


def _assert_same(widget: forms.Widget, value: Any, attrs: Any = None) -> str:
    expected = _render(DJANGO, widget, value, attrs)
    assert _render(QUICK, widget, value, attrs) == expected
    return expected


@pytest.fixture
def templates_unused(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every template name that reaches the template engine through QuickRenderer."""
    names: list[str] = []
    original = DjangoTemplates.render

    def spy(self: BaseRenderer, template_name: str, *args: Any, **kwargs: Any) -> str:
        if isinstance(self, QuickRenderer):
            names.append(template_name)
        return original(self, template_name, *args, **kwargs)

    monkeypatch.setattr(DjangoTemplates, "render", spy)
    return names


@settings(max_examples=300)
@given(
    widget=st.sampled_from(SIMPLE_WIDGETS),
    value=values,
    attrs=st.none() | attr_sets,
    widget_attrs=attr_sets,
)
def test_quick_renderer_matches_templates_when_inputs_get_any_value(
    widget: Callable[[], forms.Widget], value: Any, attrs: Any, widget_attrs: dict[str, Any]
) -> None:
    built = widget()
    built.attrs.update(widget_attrs)
    _assert_same(built, value, attrs)


@settings(max_examples=300)
@given(
    widget=st.sampled_from(CHOICE_WIDGETS),
    options=choices,
    value=st.none() | choice_keys | st.lists(choice_keys, max_size=3),
    attrs=st.none() | attr_sets,
    with_id=st.booleans(),
)
def test_quick_renderer_matches_templates_when_choices_and_selection_vary(
    widget: type[forms.ChoiceWidget],
    options: list[Any],
    value: Any,
    attrs: Any,
    with_id: bool,
) -> None:
    if with_id:
        attrs = {**(attrs or {}), "id": "id_field"}
    _assert_same(widget(choices=options), value, attrs)


@pytest.mark.parametrize(
    ("widget", "value"),
    [
        (forms.CheckboxInput(), True),
        (forms.CheckboxInput(), False),
        (forms.CheckboxInput(), None),
        (forms.CheckboxInput(), ""),
        (forms.CheckboxInput(), "on"),
        (forms.CheckboxInput(check_test=lambda v: v == "yes"), "yes"),
        (forms.Textarea(), None),
        (forms.Textarea(), ""),
        (forms.Textarea(), "first line\n<b>second</b> & 'third'"),
        (forms.Textarea(attrs={"rows": 3, "cols": None}), "\nleading newline"),
        (forms.DateInput(format="%d/%m/%Y"), dt.date(2025, 3, 9)),
        (forms.DateInput(format="%Y-%m-%d"), "2025-13-45"),
        (forms.DateTimeInput(), dt.datetime(2025, 3, 9, 14, 30, tzinfo=dt.UTC)),
        (forms.TimeInput(format="%H:%M"), dt.time(8, 5)),
        (forms.NumberInput(), Decimal("1234.50")),
        (forms.NumberInput(), 0),
        (forms.TextInput(), ("a", "<b>")),
        (forms.TextInput(), mark_safe("<b>safe</b>")),
        (forms.TextInput(), gettext_lazy("Street")),
        (forms.PasswordInput(), "secret"),
        (forms.HiddenInput(), 42),
        (forms.NullBooleanSelect(), None),
        (forms.NullBooleanSelect(), True),
        (forms.NullBooleanSelect(), "false"),
        (forms.Select(choices=[("", "---"), (1, "One")]), None),
        (forms.SelectMultiple(choices=[(1, "One"), (2, "Two"), (3, "Three")]), [1, "3"]),
        (forms.SelectMultiple(choices=[(1, "One"), (2, "Two")]), []),
        (forms.RadioSelect(choices=[("a", "A"), ("b", "B")]), "b"),
        (forms.CheckboxSelectMultiple(choices=[("a", "A"), ("b", "B")]), ["a", "b"]),
    ],
)
@pytest.mark.parametrize(
    "attrs",
    [
        None,
        {"id": "id_field", "required": True, "disabled": False},
        {"id": "id_field", "disabled": True, "class": "form-control", "aria-invalid": "true"},
        {"data-flag": True, "data-off": False, "data-none": None, "data-empty": ""},
        {"title": mark_safe("<i>safe</i>"), "placeholder": "<not safe> & \"'"},
        {"maxlength": 100, "step": Decimal("0.5"), "min": dt.date(2025, 1, 1)},
    ],
)
def test_quick_renderer_matches_templates_when_values_and_attrs_are_special(
    widget: forms.Widget, value: Any, attrs: Any
) -> None:
    _assert_same(widget, value, attrs)


def test_quick_renderer_matches_templates_when_options_are_grouped_and_disabled() -> None:
    class Select(forms.Select):
        def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
            option = super().create_option(*args, **kwargs)
            if option["value"] == "b":
                option["attrs"]["disabled"] = True
            return option

    grouped = [
        ("", "---"),
        ("Letters <&>", [("a", "A"), ("b", 'B "quoted"')]),
        ("Numbers", [(1, 1), (2, Decimal("2.5"))]),
        ("c", "C"),
    ]
    html = _assert_same(Select(choices=grouped), "a", {"id": "id_field", "required": True})
    assert '<optgroup label="Letters &lt;&amp;&gt;">' in html
    assert '<option value="b" disabled>' in html
    for widget in CHOICE_WIDGETS:
        _assert_same(widget(choices=grouped), ["a", 2], {"id": "id_field", "class": "k"})


def test_quick_renderer_localises_labels_as_templates_do_when_a_language_is_active() -> None:
    options = [
        (Decimal("1.5"), Decimal("1234.5")),
        (2, 2.75),
        (dt.date(2025, 3, 9), dt.date(2025, 3, 9)),
        ("lazy", gettext_lazy("Any")),
    ]
    value = dt.datetime(2025, 3, 9, 23, 30, tzinfo=dt.UTC)
    with translation.override("it"), timezone.override("Europe/Rome"):
        html = _assert_same(forms.Select(choices=options), Decimal("1.5"))
        assert "1234,5" in html
        for widget in CHOICE_WIDGETS:
            _assert_same(widget(choices=options), [2, "lazy"], {"id": "id_field"})
        _assert_same(forms.Textarea(), value)
        _assert_same(forms.TextInput(), value)


def test_quick_renderer_matches_templates_when_values_are_model_choices_or_safe() -> None:
    options = [
        (ModelChoiceIteratorValue(7, object()), "Via <Segneri> 3"),
        (mark_safe("<raw>"), mark_safe("<b>bold</b>")),
    ]
    for widget in CHOICE_WIDGETS:
        _assert_same(widget(choices=options), [7], {"id": "id_field"})


def test_quick_renderer_defers_to_templates_when_the_context_is_unusual(
    templates_unused: list[str],
) -> None:
    # The engine calls a callable attribute and looks "items" up before dict.items().
    _assert_same(forms.TextInput(), "x", {"data-x": lambda: "called"})
    _assert_same(forms.TextInput(), "x", {"items": [("data-k", "v")]})

    class OwnOptions(forms.Select):
        option_template_name = "django/forms/widgets/radio_option.html"

    _assert_same(OwnOptions(choices=[("a", "A")]), "a")
    assert "django/forms/widgets/text.html" in templates_unused
    assert "django/forms/widgets/select.html" not in templates_unused


def test_quick_renderer_writes_common_widgets_without_templates(
    templates_unused: list[str],
) -> None:
    for widget in SIMPLE_WIDGETS:
        _render(QUICK, widget(), "value", {"id": "id_field", "required": True})
    for choice_widget in CHOICE_WIDGETS:
        _render(QUICK, choice_widget(choices=[("G", [("a", "A")]), ("b", "B")]), "a")
    _render(QUICK, forms.NullBooleanSelect(), None)
    assert templates_unused == []


def test_quick_renderer_falls_back_to_templates_when_the_name_is_not_a_builtin_widget(
    templates_unused: list[str],
) -> None:
    class Form(forms.Form):
        name = forms.CharField(max_length=5, help_text="<b>help</b>")
        photo = forms.ImageField(required=False, widget=forms.ClearableFileInput)
        when = forms.SplitDateTimeField(required=False)
        kind = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)

    bound = {"name": "too long <name>", "kind": "x"}
    expected = Form(bound, renderer=DJANGO).render()
    assert Form(bound, renderer=QUICK).render() == expected
    assert "django/forms/div.html" in templates_unused
    assert "django/forms/widgets/clearable_file_input.html" in templates_unused
    assert "django/forms/widgets/splitdatetime.html" in templates_unused
    assert "django/forms/widgets/text.html" not in templates_unused
    with pytest.raises(TemplateDoesNotExist):
        QUICK.render("core/no_such_widget.html", {"widget": {}})


def _renderer_with_dirs(base: type[DjangoTemplates], directory: Path) -> DjangoTemplates:
    """A renderer whose engine finds the templates in ``directory`` before Django's own."""

    class Renderer(base):  # type: ignore[misc,valid-type]
        @cached_property
        def engine(self) -> Any:
            builtin = Path(django.forms.__file__).parent / "templates"
            options = {"APP_DIRS": True, "DIRS": [directory, builtin], "NAME": "t", "OPTIONS": {}}
            return self.backend(options)

    return Renderer()


def test_quick_renderer_leaves_a_template_to_the_engine_when_it_is_overridden(
    tmp_path: Path,
) -> None:
    widgets = tmp_path / "django" / "forms" / "widgets"
    widgets.mkdir(parents=True)
    (widgets / "select_option.html").write_text("<option>{{ widget.label }}</option>")
    (widgets / "date.html").write_text('<input type="date" class="overridden">')
    django_renderer = _renderer_with_dirs(DjangoTemplates, tmp_path)
    quick_renderer = _renderer_with_dirs(QuickRenderer, tmp_path)
    for widget, value in [
        (forms.Select(choices=[("a", "A")]), "a"),
        (forms.DateInput(), "2025-01-01"),
        (forms.TextInput(), "unchanged"),
        (forms.Textarea(), "unchanged"),
    ]:
        expected = _render(django_renderer, widget, value)
        assert _render(quick_renderer, widget, value) == expected
    assert _render(quick_renderer, forms.DateInput(), "x") == (
        '<input type="date" class="overridden">'
    )


def test_form_renderer_setting_selects_quick_renderer() -> None:
    assert isinstance(get_default_renderer(), QuickRenderer)
