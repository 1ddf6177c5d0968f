"""What every API endpoint shares: paging, permissions and one JSON error shape.

Errors always look like ``{"code": ..., "message": ..., "field": ..., "fields": {...}}``;
``code`` is stable, ``message`` is localized, ``field`` names the first input at fault.

Status codes:

* 400 ``malformed_request`` (unparseable JSON), ``invalid`` (wrong types, broken rules, with
  ``field``) or a service's own code (``move_cycle``, ``duplicate_id_number``, …);
* 401 ``not_authenticated`` for anonymous callers, always with ``WWW-Authenticate: Token``
  (session and token authentication both work; the header says how to authenticate);
* 403 ``permission_denied`` for a signed-in user with no role at all, or one who may see an
  object but not perform the requested change on it;
* 404 ``not_found`` for an object that is missing *or* out of the caller's scope (the two are
  indistinguishable on purpose); ``field`` names the input when a referenced id was not found.
"""

import re
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tongchou.core.errors import ApplicationError


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, keeping the FilterSet it built on the view (``view.filterset``)
    so that the view can ask it more (e.g. whether the total can be read from counters)."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        view.filterset = filterset
        return filterset


class Pagination(PageNumberPagination):
    """``page_size`` is a whole number from 1 (else a 400 naming it); above ``max_page_size``
    it is reduced to it, as the schema says.

    A view may know its total without counting rows (``view.known_total()`` returning an int,
    or None to count): a list of whole subtrees reads it from the organizations' counters."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    page_size_query_description = gettext_lazy(
        "Rows per page: a whole number from 1 (default 50); more than 500 is reduced to 500."
    )

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        if not re.fullmatch(r"[0-9]+", raw.strip()) or int(raw) < 1:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("每页条数必须是不小于 1 的整数。")]}
            )
        return min(int(raw), self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        known_total = getattr(view, "known_total", None)
        self._known_total = known_total() if known_total is not None else None
        return super().paginate_queryset(queryset, request, view)

    # DRF builds its paginator as ``self.django_paginator_class(queryset, page_size)``: a
    # method here hands it the total the view already knows.
    def django_paginator_class(self, object_list, per_page) -> Paginator:
        paginator = Paginator(object_list, per_page)
        if self._known_total is not None:
            paginator.count = self._known_total
        return paginator

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, default=self.page_size)
            elif parameter["name"] == self.page_query_param:
                parameter["schema"].update(minimum=1)
        return parameters


# Who may call the scoped endpoints is decided by the app that knows about roles
# (organizations), which sits above core: it registers its check here when the app registry is
# ready (``OrganizationsConfig.ready``), so core imports nothing from the apps above it. With no
# check registered every scoped endpoint refuses.
_scope_checks: list[Callable[[object], bool]] = []


def register_scope_check(check: Callable[[object], bool]) -> None:
    """``check(user)`` says whether the user holds any scope at all (a role, or superuser)."""
    if check not in _scope_checks:
        _scope_checks.append(check)


class HasAnyRole(BasePermission):
    """The caller holds at least one role (or is the superuser). Without one, every scoped
    endpoint answers 403, lists included."""

    message = gettext_lazy("您没有任何角色，无权访问。")

    def has_permission(self, request, view) -> bool:
        return any(check(request.user) for check in _scope_checks)


SCOPED = [IsAuthenticated, HasAnyRole]


class ReferenceNotFound(Http404):
    """An id given in the request body names nothing in the caller's scope: 404, with the
    field that held it (a missing object and an out-of-scope one look the same)."""

    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


def _flatten(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(value, dict):  # nested serializer: name the inner field
                for inner, messages in _flatten(value).items():
                    flat[f"{key}.{inner}"] = messages
            else:
                flat[key] = [str(m) for m in (value if isinstance(value, list) else [value])]
        return flat
    if isinstance(detail, list):
        return {"non_field_errors": [str(m) for m in detail]}
    return {"non_field_errors": [str(detail)]}


def error_body(code: str, message: str, field: str | None = None, fields=None) -> dict:
    body = {"code": code, "message": message, "field": field}
    if fields:
        body["fields"] = fields
    return body


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        body = error_body(exc.code, str(exc.message), exc.field, exc.extra.get("fields"))
        # A rule says 400; a few errors carry their own status (429: a lookup budget spent).
        return Response(body, status=getattr(exc, "status", status.HTTP_400_BAD_REQUEST))
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, Http404):
        field = exc.field if isinstance(exc, ReferenceNotFound) else None
        message = _("未找到：%(field)s。") % {"field": field} if field else _("未找到。")
        return Response(error_body("not_found", message, field), status=404)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        # Session authentication comes first in the settings, which would make DRF answer 403;
        # anonymous callers get 401 and the scheme they can use, always.
        response.status_code = status.HTTP_401_UNAUTHORIZED
        response["WWW-Authenticate"] = 'Token realm="api"'
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first = next(iter(fields.items()), ("non_field_errors", [""]))
        field = None if first[0] == "non_field_errors" else first[0]
        message = f"{first[0]}: {first[1][0]}" if field else first[1][0]
        response.data = error_body("invalid", message, field, fields)
    elif isinstance(exc, exceptions.ParseError):
        response.data = error_body("malformed_request", str(exc.detail))
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        response.data = error_body(
            codes if isinstance(codes, str) else exc.default_code, str(exc.detail)
        )
    return response


class ErrorSerializer(serializers.Serializer):
    """The one error shape, for the OpenAPI document."""

    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """OpenAPI responses for the given error statuses, all with the one error shape."""
    text = {
        400: "Invalid input (code, message, field)",
        401: "Not authenticated",
        403: "No role, or not allowed to change this object",
        404: "Missing or out of scope",
        429: "Too many lookups by ID number this hour (too_many_lookups)",
    }
    return {c: OpenApiResponse(ErrorSerializer, description=text[c]) for c in codes}
