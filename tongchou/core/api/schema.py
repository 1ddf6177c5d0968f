"""The OpenAPI schema says exactly what the API answers (``tests/test_api_schema_exact.py``
checks every GET endpoint against it). Three rules drf-spectacular does not know by itself:

* a read-only field declared with ``default=None`` (a missing related row) can be null;
* a read-only choice field of a model field with ``blank=True`` can be the empty string;
* an unpaginated ``list`` action returns what its declared response is: an array only when
  declared ``many=True`` (the life expectations and the report are one object each).

And a postprocessing hook documents the errors every endpoint of a kind can give, all in the
one error shape: 401 everywhere it authenticates, 404 wherever the path names an object, and on
paginated lists 400 for an invalid ``page_size`` and 404 for a page past the end.
"""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular import openapi
from drf_spectacular.plumbing import is_list_serializer
from rest_framework import serializers
from rest_framework.fields import empty

ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_TEXT = {
    "400": "Invalid input (code, message, field)",
    "401": "Not authenticated",
    "404": "Missing or out of scope",
}


def _model_field_allows_blank(field) -> bool:
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source or field.source == "*":
        return False
    try:
        return bool(model._meta.get_field(field.source).blank)
    except FieldDoesNotExist:
        return False


class AutoSchema(openapi.AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if direction == "response":
            if getattr(field, "default", empty) is None:
                field.allow_null = True
            if (
                isinstance(field, serializers.ChoiceField)
                and not field.allow_blank
                and _model_field_allows_blank(field)
            ):
                field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _is_list_view(self, serializer=None) -> bool:
        is_list = super()._is_list_view(serializer)
        if not is_list or getattr(self.view, "action", None) != "list":
            return is_list
        if self._get_paginator() is not None:
            return True
        declared = serializer if serializer is not None else self.get_response_serializers()
        if isinstance(declared, dict) and declared:
            declared = {str(code): s for code, s in declared.items()}
            declared = declared[min(declared)]
        return is_list_serializer(declared)


def _add_error(operation: dict, status: str) -> None:
    responses = operation.setdefault("responses", {})
    responses.setdefault(
        status,
        {
            "content": {"application/json": {"schema": ERROR_REF}},
            "description": ERROR_TEXT[status],
        },
    )


def document_errors(result, generator, request, public):
    """Postprocessing hook (SPECTACULAR_SETTINGS): the errors every endpoint of a kind gives."""
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            security = operation.get("security")
            if security and {} not in security:
                _add_error(operation, "401")
            if "{" in path:
                _add_error(operation, "404")
            names = {p.get("name") for p in operation.get("parameters", [])}
            if method == "get" and "page_size" in names:
                _add_error(operation, "400")
                _add_error(operation, "404")
    return result
