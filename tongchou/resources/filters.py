"""One FilterSet per listed model, for the API lists (the pages use the same fields)."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from tongchou.core.filters import ChoiceFilter, FilterSet, IdFilter
from tongchou.resources.models import Booking, BookingState, Resource, ResourceKind
from tongchou.resources.selectors import region_range_q


class ResourceFilter(FilterSet):
    kind = ChoiceFilter(label=_("类别"), choices=ResourceKind.choices)
    topic = filters.CharFilter(label=_("名称或专题"), field_name="topics", lookup_expr="icontains")
    region = filters.CharFilter(label=_("所在区划"), method="in_region", max_length=12)
    capacity = filters.NumberFilter(label=_("至少容纳"), field_name="capacity", lookup_expr="gte")

    class Meta:
        model = Resource
        fields = ["kind", "topic", "region", "capacity"]

    def in_region(self, queryset, name, value):
        code = "".join(c for c in value if c.isdigit())
        return queryset.filter(region_range_q(code)) if code else queryset


class BookingFilter(FilterSet):
    state = ChoiceFilter(label=_("状态"), choices=BookingState.choices)
    resource = IdFilter(label=_("资源"), field_name="resource_id")
    series = filters.CharFilter(label=_("周期预约编号"), max_length=32)

    class Meta:
        model = Booking
        fields = ["state", "resource", "series"]
