"""Filters shared by every app's FilterSets.

Every app's FilterSet derives from :class:`FilterSet` here, so that filter selects read the same
everywhere: one "all" choice (全部) and never django-filter's "---------" beside it, and yes/no
filters with 全部 / 是 / 否, never "unknown".
"""

import django_filters as filters
from django import forms
from django.utils.choices import BaseChoiceIterator
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


class DeclaredChoices(tuple):
    """Choices as declared in code: never changed, so each request's copy of its FilterSet's
    filters shares them (django-filter deep-copies every filter, label by label, per request)."""

    def __deepcopy__(self, memo):
        return self


class ChoiceFilter(filters.ChoiceFilter):
    """A choice filter whose empty choice reads 全部 (and never offers "null")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", ALL)
        kwargs.setdefault("null_label", None)
        if isinstance(kwargs.get("choices"), list | tuple):
            kwargs["choices"] = DeclaredChoices(kwargs["choices"])
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

    The form class is built and normalized once per FilterSet class, not per request (its
    labels stay lazy, so one class serves every language): a list request otherwise rebuilt
    every field and its choices. Forms copy their fields per instance, so a view may still
    change ``filterset.form.fields[...]`` for one request.
    """

    _form_classes: dict[type, type] = {}

    def get_form_class(self):
        form_class = FilterSet._form_classes.get(type(self))
        if form_class is None:
            form_class = super().get_form_class()
            for field in form_class.base_fields.values():
                normalize_filter_field(field)
            FilterSet._form_classes[type(self)] = form_class
        return form_class


class AllFirstChoices(BaseChoiceIterator):
    """A select's choices with one empty choice, first, labelled ``label``, read from the
    declared ones each time (a callable's too), so lazy labels follow the reader's language.
    Immutable: a form's per-request copy shares it instead of copying every label."""

    def __init__(self, declared, label):
        self.declared = declared
        self.label = label

    def __iter__(self):
        declared = self.declared() if callable(self.declared) else self.declared
        yield from one_all_choice([c for c in declared if c[0] != "null"], label=self.label)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __deepcopy__(self, memo):
        return self


def normalize_filter_field(field) -> None:
    """Gives a select one empty choice, first, labelled 全部 (or the label a filter chose,
    such as 全部（我的范围）); a yes/no field gets 全部 / 是 / 否.

    django-filter's choice fields prepend their ``empty_label`` every time their choices are
    read, so a view that sets its own "all" choice got two ("---------" and 全部): the empty
    choice is moved into the choices themselves and ``empty_label`` is cleared.
    """
    if isinstance(field, forms.NullBooleanField):
        if not isinstance(field.widget, YesNoWidget):
            field.widget = YesNoWidget(attrs=field.widget.attrs)
    elif isinstance(field, forms.ChoiceField):
        empty = [label for value, label in field.choices if value in ("", None)]
        if not empty:
            return  # a required choice (an ordering): nothing to add
        # The label is kept lazy: the class is shared by every language.
        label = next((x for x in empty if str(x) != "---------"), ALL)
        declared = field.choices
        declared = getattr(declared, "choices", declared)  # inside django-filter's iterator
        declared = getattr(declared, "choices_func", declared)  # a callable's, called each time
        if hasattr(field, "empty_label"):
            field.empty_label = None
        if hasattr(field, "null_label"):
            field.null_label = None
        field.choices = AllFirstChoices(declared, label)
