"""Filters shared by every app's FilterSets.

Every app's FilterSet derives from :class:`FilterSet` here, so that filter selects read the same
everywhere: one "all" choice (全部) and never django-filter's "---------" beside it, and yes/no
filters with 全部 / 是 / 否, never "unknown".
"""

import django_filters as filters
from django import forms
from django.utils.translation import gettext_lazy as _

from tongchou.core.validators import MAX_ID

ALL = _("全部")


class IdFilter(filters.NumberFilter):
    """A primary key in a query string: a whole number from 1 to MAX_ID, else a form error
    (django-filter's NumberFilter takes any decimal, which an id or a database does not)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def one_all_choice(choices, label=ALL) -> list:
    """``choices`` with exactly one empty choice, first, labelled ``label``."""
    return [("", label), *[c for c in choices if c[0] not in ("", None)]]


class YesNoWidget(filters.widgets.BooleanWidget):
    """``true`` / ``false`` in the query string (as the API documents a boolean), shown as
    全部 / 是 / 否: not choosing is "all", there is no third "unknown" answer."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", ALL), ("true", _("是")), ("false", _("否"))]


class ChoiceFilter(filters.ChoiceFilter):
    """A choice filter whose empty choice reads 全部 (and never offers "null")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", ALL)
        kwargs.setdefault("null_label", None)
        super().__init__(*args, **kwargs)


class TypedChoiceFilter(filters.TypedChoiceFilter):
    """A choice filter whose values are coerced (e.g. to int); its empty choice reads 全部."""

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, choices=one_all_choice(choices), **kwargs)


class BooleanFilter(filters.BooleanFilter):
    """Yes or no; leaving it out (全部) filters nothing."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", YesNoWidget)
        super().__init__(*args, **kwargs)


class FilterSet(filters.FilterSet):
    """The base of every FilterSet in the project.

    Whatever a filter was declared with (a plain django-filter ChoiceFilter, a model field's
    choices, a BooleanFilter), its form field leaves here with one "all" choice and yes/no
    without "unknown": the form is normalized once, at the root, for pages and API alike.
    """

    def get_form_class(self):
        form_class = super().get_form_class()
        base_init = form_class.__init__

        def __init__(form, *args, **kwargs):
            base_init(form, *args, **kwargs)
            normalize_filter_form(form)

        return type(form_class.__name__, (form_class,), {"__init__": __init__})


def normalize_filter_form(form) -> None:
    """Gives each select one empty choice, first, labelled 全部 (or the label a filter chose,
    such as 全部（我的范围）); yes/no fields get 全部 / 是 / 否.

    django-filter's choice fields prepend their ``empty_label`` every time their choices are
    read, so a view that sets its own "all" choice got two ("---------" and 全部): the empty
    choice is moved into the choices themselves and ``empty_label`` is cleared.
    """
    for field in form.fields.values():
        if isinstance(field, forms.NullBooleanField):
            if not isinstance(field.widget, YesNoWidget):
                field.widget = YesNoWidget(attrs=field.widget.attrs)
        elif isinstance(field, forms.ChoiceField):
            choices = list(field.choices)
            empty = [str(label) for value, label in choices if value in ("", None)]
            if not empty:
                continue  # a required choice (an ordering): nothing to add
            label = next((x for x in empty if x != "---------"), ALL)
            if hasattr(field, "empty_label"):
                field.empty_label = None
            if hasattr(field, "null_label"):
                field.null_label = None
            field.choices = one_all_choice([c for c in choices if c[0] != "null"], label=label)
