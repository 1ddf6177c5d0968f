"""Administrative divisions, read-only. Divisions are public facts, but the API serves them only
to callers who hold a role (or the superuser), like every other endpoint."""

import django_filters as filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action

from tongchou.core.api import SCOPED, errors
from tongchou.core.converters import DIVISION_CODE
from tongchou.core.filters import ChoiceFilter, FilterSet, TypedChoiceFilter
from tongchou.regions.models import Region, RegionLevel, UrbanRural
from tongchou.regions.serializers import RegionSerializer


class RegionFilter(FilterSet):
    q = filters.CharFilter(label=_("名称"), field_name="name", lookup_expr="icontains")
    level = TypedChoiceFilter(label=_("级别"), choices=RegionLevel.choices, coerce=int)
    parent = filters.CharFilter(label=_("上级区划代码"), field_name="parent_id")
    urban_rural = ChoiceFilter(label=_("城乡"), choices=UrbanRural.choices)

    class Meta:
        model = Region
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(
        summary="List regions", responses={200: RegionSerializer(many=True), **errors(401, 403)}
    ),
    retrieve=extend_schema(
        summary="One region", responses={200: RegionSerializer, **errors(401, 403, 404)}
    ),
)
class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Region.objects.order_by("code")
    serializer_class = RegionSerializer
    permission_classes = SCOPED
    filterset_class = RegionFilter
    lookup_field = "code"
    lookup_value_regex = DIVISION_CODE  # anything else (a NUL, a word) is a 404, not a lookup

    @extend_schema(
        summary="Direct children of a region",
        filters=False,
        responses={200: RegionSerializer(many=True), **errors(401, 403, 404)},
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def children(self, request, code=None):
        region = get_object_or_404(Region, code=code)
        page = self.paginate_queryset(Region.objects.filter(parent=region).order_by("code"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
