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
    field reads the row's value and looks it up in a mapping built once per serializer and
    language. ``choices`` default to the model field's of the same ``source``.
    """

    def __init__(self, *, choices=None, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)
        self.choices = choices
        self._labels: dict[str, dict] = {}

    def bind(self, field_name, parent):
        super().bind(field_name, parent)
        if self.choices is None:
            model = parent.Meta.model
            self.choices = model._meta.get_field(self.source).flatchoices

    def _mapping(self) -> dict:
        language = get_language()
        labels = self._labels.get(language)
        if labels is None:
            labels = self._labels[language] = {value: str(label) for value, label in self.choices}
        return labels

    def to_representation(self, value):
        return self._mapping().get(value, value)
