"""Filters shared by every app's FilterSets."""

import django_filters as filters
from django import forms

from tongchou.core.validators import MAX_ID


class IdFilter(filters.NumberFilter):
    """A primary key in a query string: a whole number from 1 to MAX_ID, else a form error
    (django-filter's NumberFilter takes any decimal, which an id or a database does not)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
