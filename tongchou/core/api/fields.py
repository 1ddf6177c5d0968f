"""Serializer fields shared by the apps' APIs."""

from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(OpenApiTypes.STR)
class ChoiceLabelField(serializers.Field):
    """The label of a choice value (``gender`` → "男"), for the ``*_display`` fields.

    ``source="get_gender_display"`` costs, on every row, a rebuild of the model field's choices
    mapping and a lazy translation per choice (two thirds of a 50-row member page's CPU). This
    field reads the row's value and looks it up in a mapping built once per process, serializer
    field and language (the declarations are static), found once per serializer instance (one
    request, one language). ``choices`` default to the model field's of the same ``source``.
    """

    _mappings: dict[tuple, dict] = {}  # (serializer class, field name, language) → labels

    def __init__(self, *, choices=None, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)
        self.choices = choices
        self._mapping: dict | None = None

    def bind(self, field_name, parent):
        super().bind(field_name, parent)
        self._mapping = None

    def _choices(self):
        if self.choices is not None:
            return self.choices
        return self.parent.Meta.model._meta.get_field(self.source).flatchoices

    def mapping(self) -> dict:
        if self._mapping is None:
            key = (type(self.parent), self.field_name, get_language())
            labels = self._mappings.get(key)
            if labels is None:
                labels = {value: str(label) for value, label in self._choices()}
                self._mappings[key] = labels
            self._mapping = labels
        return self._mapping

    def to_representation(self, value):
        return self.mapping().get(value, value)
